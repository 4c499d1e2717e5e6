"""content/site.yaml: the shipped file is valid, and problems are named."""

import pytest

from consult.config import PROJECT_ROOT
from consult.site.identity import SiteIdentityError, load_site_identity, parse_site_identity
from consult.site.pages import PageError, load_page, render_page

VALID = {
    "practice_name": "Practice",
    "tagline": "Partner with people.",
    "consultant": {"name": "Ms. Irons", "time_zone": "America/Chicago"},
    "contact": {"email": "hello@example.org"},
    "social_links": [{"label": "LinkedIn", "url": "https://www.linkedin.com/"}],
    "cancellation_policy": "Free up to 48 hours before.",
}


def test_the_shipped_site_yaml_is_valid():
    site = load_site_identity(PROJECT_ROOT / "content" / "site.yaml")
    assert site.practice_name and site.consultant_name and "@" in site.contact_email
    assert site.time_zone.key == site.consultant_time_zone


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"practice_name": ""}, "practice_name"),
        ({"consultant": {"name": "X", "time_zone": "Mars/Olympus"}}, "not a known time zone"),
        ({"contact": {"email": "nobody"}}, "contact.email"),
        ({"social_links": [{"label": "X", "url": "http://insecure.example"}]}, "https://"),
        ({"cancellation_policy": None}, "cancellation_policy"),
        ({"booking_retention_months": 0}, "booking_retention_months"),
        ({"booking_retention_months": 1201}, "booking_retention_months"),
        ({"booking_retention_months": True}, "booking_retention_months"),
        ({"booking_retention_months": "24"}, "booking_retention_months"),
    ],
)
def test_problems_are_named(change, complaint):
    with pytest.raises(SiteIdentityError, match=complaint):
        parse_site_identity({**VALID, **change})


def test_the_retention_period_defaults_to_two_years():
    assert parse_site_identity(VALID).booking_retention_months == 24
    assert (
        parse_site_identity({**VALID, "booking_retention_months": 6}).booking_retention_months == 6
    )


def test_broken_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("practice_name: A\ntagline: [unclosed\n")
    with pytest.raises(SiteIdentityError, match=r"site.yaml line \d+: not valid YAML"):
        load_site_identity(path)


def test_pages_render_markdown_and_are_rendered_again_only_when_the_file_changes(tmp_path):
    path = tmp_path / "about.md"
    path.write_text("---\ntitle: About\n---\nWe *listen* first -- always.\n")
    page = load_page(path)
    assert page.title == "About" and "<em>listen</em>" in page.html and "&ndash;" in page.html
    assert load_page(path) is page
    path.write_text("---\ntitle: About us\n---\nChanged, and longer than before.\n")
    assert load_page(path).title == "About us"
    with pytest.raises(PageError, match="title"):
        render_page("---\nsummary: none\n---\nbody")
