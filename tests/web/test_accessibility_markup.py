"""Markup that assistive technology relies on: a failed form announces itself, scrolling tables
can be reached, one description per page, and the About page leads somewhere.

The browser tests (tests/browser/) run axe-core over every page; these check the same promises
quickly, through the test client, on every kind of page that makes them.
"""

import re
from pathlib import Path

import pytest
from sqlmodel import select

from consult.config import PROJECT_ROOT
from consult.db import get_session
from consult.portal.models import Membership
from tests.conftest import signed_in_client, submit_form
from tests.web.booking_flow import book, free_slots
from tests.web.portal_fixtures import make_organisation, open_round, user_by_email

TEMPLATES = PROJECT_ROOT / "templates"
TITLE = re.compile(r"<title>([^<]*)</title>")


def title_of(html: str) -> str:
    return TITLE.search(html).group(1)


def assert_the_failure_is_announced(html: str) -> None:
    """The title begins with "Error:" and the one element with autofocus is the summary."""
    assert title_of(html).startswith("Error: "), title_of(html)
    focused = re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)
    assert len(focused) == 1, focused
    assert 'tabindex="-1"' in focused[0]
    assert 'class="error-summary"' in focused[0] or "flash-error" in focused[0]


def test_a_page_whose_form_has_not_failed_has_a_plain_title_and_takes_no_focus(client):
    html = client.get("/accounts/sign-in").get_data(as_text=True)
    assert not title_of(html).startswith("Error") and "autofocus" not in html


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/sign-in", {"email": "nobody@example.org", "password": "wrong password"}),
        ("/accounts/reset", {"email": "not an address"}),
        ("/blog/subscribe", {"email": "not an address"}),
        ("/portal/start", {"organisation": "", "email": "x"}),
    ],
    ids=["sign in", "reset", "subscribe", "portal start"],
)
def test_a_failed_form_puts_error_in_the_title_and_the_focus_on_its_summary(client, path, data):
    page = "/portal/" if path == "/portal/start" else path
    response = submit_form(client, path, data, page=page)
    assert response.status_code in (400, 401, 422)
    assert_the_failure_is_announced(response.get_data(as_text=True))


def test_a_booking_form_that_fails_or_whose_time_is_taken_announces_it(booking_app, guest):
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    missing = book(guest, "discovery-call", start, name="", accept_policy="")
    assert missing.status_code == 422
    assert_the_failure_is_announced(missing.get_data(as_text=True))
    assert book(guest, "discovery-call", start).status_code == 303
    taken = book(guest, "discovery-call", start, email="second@example.org")
    assert taken.status_code == 409
    html = taken.get_data(as_text=True)
    assert_the_failure_is_announced(html)
    assert "Nothing was booked" in html and "your answers below are kept" in html


def test_submitting_unfinished_answers_announces_it_on_the_review_page(app, clock):
    organisation = make_organisation(app, clock)
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    round_id = open_round(owner, organisation)
    review = f"/portal/o/{organisation.public_id}/r/{round_id}/review"
    response = submit_form(owner, review, {})
    assert response.status_code == 422
    assert_the_failure_is_announced(response.get_data(as_text=True))
    answer = f"/portal/o/{organisation.public_id}/r/{round_id}/answer/1"
    wrong = submit_form(owner, answer, {"presence-attention": "7", "go": "next"})
    assert wrong.status_code == 422
    assert_the_failure_is_announced(wrong.get_data(as_text=True))


def test_an_error_flashed_after_a_redirect_is_announced_the_same_way(app, clock):
    organisation = make_organisation(app, clock)
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    members = f"/portal/o/{organisation.public_id}/members"
    with app.app_context():
        [membership] = get_session().exec(select(Membership)).all()  # the last owner
    refused = submit_form(owner, members + "/remove", {"membership": membership.id}, page=members)
    assert refused.status_code == 303
    html = owner.get(refused.headers["Location"]).get_data(as_text=True)
    assert "needs an owner" in html
    assert_the_failure_is_announced(html)


def _table_scroll_boxes(text: str) -> list[str]:
    return re.findall(r"<div[^>]*\btable-scroll\b[^>]*>", text)


@pytest.mark.parametrize(
    "template",
    sorted(path for path in TEMPLATES.rglob("*.html") if "table-scroll" in path.read_text()),
)
def test_every_scrolling_table_is_a_named_region_the_keyboard_can_reach(template: Path):
    text = template.read_text()
    for box in _table_scroll_boxes(text):
        assert 'role="region"' in box and 'tabindex="0"' in box, (template.name, box)
        name = re.search(r'aria-labelledby="([^"]+)"', box)
        assert name and f'id="{name.group(1)}"' in text, (template.name, box)


def test_the_results_tables_render_as_named_regions(app, clock):
    organisation = make_organisation(app, clock)
    owner = signed_in_client(app, user_by_email(app, "owner@clinic.example"))
    html = owner.get(f"/portal/o/{organisation.public_id}/members").get_data(as_text=True)
    [box] = _table_scroll_boxes(html)
    labelled_by = re.search(r'aria-labelledby="([^"]+)"', box).group(1)
    assert re.search(rf'<caption id="{labelled_by}">1 member</caption>', html)


def test_a_post_has_one_description_its_own_summary(reader):
    for path in ("/", "/blog/", "/blog/public-one/", "/about/"):
        html = reader.get(path).get_data(as_text=True)
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', html)
        assert len(descriptions) == 1, (path, descriptions)
    post = reader.get("/blog/public-one/").get_data(as_text=True)
    summary = re.search(r'<meta property="og:description" content="([^"]*)"', post).group(1)
    assert f'<meta name="description" content="{summary}">' in post


def test_the_about_page_links_to_booking_and_to_the_contact_address(app, client):
    html = client.get("/about/").get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    contact = app.extensions["consult.site"].contact_email
    assert 'href="/book/"' in main and f'href="mailto:{contact}"' in main


# Admin pages without a page of their own in the gate: files to download, not pages to read.
NOT_PAGES = {"/admin/subscribers.csv"}


def test_every_admin_page_with_an_address_is_in_the_accessibility_gate(app):
    from tests.browser.pages import CONSULTANT_PAGES

    listed = {path.split("?")[0] for path in CONSULTANT_PAGES.values()}
    admin_pages = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        and "GET" in (rule.methods or ())
        and not rule.arguments
    }
    assert admin_pages - NOT_PAGES - listed == set()
