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


TRUST = {
    **VALID,
    "consultant": {
        **VALID["consultant"],
        "portrait": {"src": "/static/img/consultant-portrait.svg", "alt": "Ms. Irons, smiling"},
        "credentials": ["Twenty years in care", "Patient advisor"],
    },
    "testimonials": [
        {"quote": "She listened first.", "name": "Dana W.", "role": "Chief nursing officer"},
        {"quote": "We argued less.", "anonymous": True, "role": "Medical director"},
        {"quote": "Believed at last.", "anonymous": True},
    ],
}


def test_the_shipped_site_yaml_has_a_portrait_credentials_and_testimonials():
    site = load_site_identity(PROJECT_ROOT / "content" / "site.yaml")
    assert site.portrait and site.portrait.alt
    assert (PROJECT_ROOT / site.portrait.src.lstrip("/")).is_file()
    assert site.credentials and len(site.testimonials) >= 2
    assert any(item.name is None for item in site.testimonials)
    assert all(item.role or item.name is None for item in site.testimonials)


def test_trust_fields_are_read_and_testimonials_signed():
    site = parse_site_identity(TRUST)
    assert site.portrait.src == "/static/img/consultant-portrait.svg"
    assert site.credentials == ("Twenty years in care", "Patient advisor")
    assert [item.attribution for item in site.testimonials] == [
        "Dana W., Chief nursing officer",
        "Anonymous, Medical director",
        "Anonymous",
    ]
    bare = parse_site_identity(VALID)
    assert (bare.portrait, bare.credentials, bare.testimonials) == (None, (), ())


def _with_consultant(**fields):
    return {**TRUST, "consultant": {**TRUST["consultant"], **fields}}


def _with_testimonial(item):
    return {**TRUST, "testimonials": [item]}


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (_with_consultant(portrait={"src": "/static/img/p.svg"}), "portrait.alt is required"),
        (_with_consultant(portrait={"src": "/static/img/p.svg", "alt": "  "}), "alt is required"),
        (_with_consultant(portrait="/static/img/p.svg"), "portrait must have src and alt"),
        (_with_consultant(portrait={"src": "javascript:alert(1)", "alt": "x"}), "portrait.src"),
        (_with_consultant(portrait={"src": "http://insecure.example/p.jpg", "alt": "x"}), "src"),
        (_with_consultant(portrait={"src": "//elsewhere.example/p.jpg", "alt": "x"}), "src"),
        (_with_consultant(credentials="Twenty years"), "credentials must be a list"),
        (_with_consultant(credentials=["Fine", ""]), r"credentials\[1\] is required"),
        (_with_consultant(credentials=["x" * 201]), "too long"),
        ({**TRUST, "testimonials": {"quote": "x"}}, "testimonials must be a list"),
        (_with_testimonial("Great!"), r"testimonials\[0\] must have quote"),
        (_with_testimonial({"name": "A", "role": "B"}), r"testimonials\[0\].quote is required"),
        (_with_testimonial({"quote": "Good.", "role": "B"}), "needs a name and role"),
        (_with_testimonial({"quote": "Good.", "name": "A"}), r"testimonials\[0\].role"),
        (
            _with_testimonial({"quote": "Good.", "name": "A", "anonymous": True}),
            "anonymous: leave out its name",
        ),
        (_with_testimonial({"quote": "Good.", "anonymous": "yes"}), "true or false"),
        (_with_testimonial({"quote": "x" * 401, "anonymous": True}), "too long"),
        (_with_testimonial({"quote": "Good.", "anonymous": True, "stars": 5}), "unknown fields"),
    ],
)
def test_trust_problems_are_named(data, complaint):
    with pytest.raises(SiteIdentityError, match=complaint):
        parse_site_identity(data)


def test_receipt_details_are_optional_and_kept_as_written():
    assert parse_site_identity(VALID).postal_address is None
    site = parse_site_identity(
        {
            **VALID,
            "contact": {
                "email": "hello@example.org",
                "address": "  1 Main Street\nSpringfield  \n",
                "tax_id": 123456789,
            },
        }
    )
    assert site.postal_address == "1 Main Street\nSpringfield" and site.tax_id == "123456789"


@pytest.mark.parametrize(
    ("contact", "complaint"),
    [
        ({"address": ["1 Main Street"]}, "contact.address must be text"),
        ({"tax_id": {"vat": "x"}}, "contact.tax_id must be text"),
    ],
)
def test_receipt_details_of_the_wrong_kind_are_named(contact, complaint):
    with pytest.raises(SiteIdentityError, match=complaint):
        parse_site_identity({**VALID, "contact": {"email": "hello@example.org", **contact}})
