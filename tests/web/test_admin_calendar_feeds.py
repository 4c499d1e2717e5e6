"""The admin's calendars page: add, read now and remove feeds, their health, the private address."""

import re

import pytest

from tests.conftest import Auth, csrf_token_from, signed_in_client, submit_form
from tests.fakes.calendar_feeds import WEEKLY_MEETING, FeedServer, vcalendar

PAGE = "/admin/calendars/"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def consultant_account(make_user):
    return make_user(role="consultant")


@pytest.fixture
def consultant(booking_app, consultant_account):
    return signed_in_client(booking_app, consultant_account)


def page_of(client) -> str:
    return client.get(PAGE).get_data(as_text=True)


def post_button(client, action: str):
    """Press a one-button form on the calendars page (with its CSRF token)."""
    return client.post(action, data={"csrf_token": csrf_token_from(page_of(client))})


def feed_action(page: str, verb: str) -> str:
    return re.search(rf'action="(/admin/calendars/\d+/{verb})"', page).group(1)


def test_a_feed_is_added_shown_without_its_secret_and_read_on_demand(consultant, server):
    assert 'href="/admin/calendars/"' in consultant.get("/admin/").get_data(as_text=True)
    assert "No calendar yet" in page_of(consultant)
    url = server.serve("/private-s3cr3t-token/basic.ics", vcalendar(*WEEKLY_MEETING))
    added = submit_form(consultant, PAGE, {"name": "Hospital board", "url": url})
    assert added.status_code == 303
    page = page_of(consultant)
    assert "Hospital board" in page and "Not read yet." in page
    assert "s3cr3t" not in page and url not in page
    assert f"http://127.0.0.1:{url.split(':')[2].split('/')[0]}/….ics" in page

    read = post_button(consultant, feed_action(page, "sync"))
    assert read.status_code == 303
    page = consultant.get(read.headers["Location"]).get_data(as_text=True)
    assert "Read; its busy times now block booking." in page
    assert "Read without errors." in page
    assert re.search(r'data-label="Busy times ahead">4<', page)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ftp://example.org/cal.ics", "Only http:// and https:// (or webcal://) addresses"),
        ("", "Paste the calendar&#39;s address"),
        ("https://exa mple.org/cal.ics", "spaces or invisible characters"),
        ("http://93.184.216.34/cal.ics", "starts with http://, which is not encrypted"),
    ],
)
def test_an_unusable_address_is_refused_next_to_the_field_with_the_answers_kept(
    consultant, address, message
):
    response = submit_form(consultant, PAGE, {"name": "Board calendar", "url": address})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'value="Board calendar"' in page
    assert f'value="{address}"' in page if address else True
    assert "No calendar yet" in page


def test_a_failing_feed_shows_its_error_and_a_stale_one_a_warning(
    consultant, consultant_account, server, clock
):
    url = server.serve("/work.ics", vcalendar(*WEEKLY_MEETING))
    submit_form(consultant, PAGE, {"name": "Work", "url": url})
    post_button(consultant, feed_action(page_of(consultant), "sync"))
    server.serve("/work.ics", "down", status=503)
    clock.advance(minutes=20)  # past the sync lease, within her idle limit
    failed = post_button(consultant, feed_action(page_of(consultant), "sync"))
    page = consultant.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Could not read it, so its last good copy is kept." in page
    assert "Last attempt failed" in page and "The server answered 503" in page
    assert "Stale" not in page and re.search(r'data-label="Busy times ahead">4<', page)
    clock.advance(hours=6)
    Auth(consultant).sign_in_all_steps(consultant_account.email)  # her session ended meanwhile
    assert "<strong>Stale:</strong> not read for more than 6 hours. Is the sync job" in page_of(
        consultant
    )

    submit_form(consultant, PAGE, {"name": "Never read", "url": server.url("/none.ics")})
    clock.advance(hours=7)
    Auth(consultant).sign_in_all_steps(consultant_account.email)
    assert "more than 6 hours since it was added" in page_of(consultant)


def test_removing_a_feed_asks_first_then_removes_it(consultant, server):
    submit_form(consultant, PAGE, {"name": "Work", "url": server.serve("/w.ics", vcalendar())})
    link = re.search(r'href="(/admin/calendars/\d+/delete)"', page_of(consultant)).group(1)
    asked = consultant.get(link).get_data(as_text=True)
    assert "Remove “Work”?" in asked and f'action="{link}"' in asked
    assert "No calendar yet" not in page_of(consultant)  # asking removes nothing
    removed = submit_form(consultant, link, {}, page=link)
    page = consultant.get(removed.headers["Location"]).get_data(as_text=True)
    assert "Removed “Work”" in page and "No calendar yet" in page
    assert consultant.get(link).status_code == 404
    assert post_button(consultant, link).status_code == 404
    assert post_button(consultant, link.replace("delete", "sync")).status_code == 404


def test_the_private_address_is_made_and_rotated_from_the_admin(consultant, guest):
    page = page_of(consultant)
    assert "Make a private address" in page and "/calendar/" not in page
    post_button(consultant, "/admin/calendars/private-address")
    first = re.search(r'value="http://consult\.test(/calendar/[^"]+\.ics)"', page_of(consultant))
    assert guest.get(first.group(1)).status_code == 200
    made = post_button(consultant, "/admin/calendars/private-address")
    page = consultant.get(made.headers["Location"]).get_data(as_text=True)
    assert "the old one no longer works" in page
    second = re.search(r'value="http://consult\.test(/calendar/[^"]+\.ics)"', page).group(1)
    assert second != first.group(1)
    assert guest.get(first.group(1)).status_code == 404 and guest.get(second).status_code == 200


def test_only_the_consultant_reaches_the_calendars_page(booking_app, make_user, guest):
    member = signed_in_client(booking_app, make_user(role="client"))
    assert member.get(PAGE).status_code == 403
    assert member.post("/admin/calendars/private-address").status_code in (400, 403)
    assert guest.get(PAGE).status_code == 302


@pytest.mark.parametrize(
    ("url", "loopback_allowed"),
    [
        ("http://127.0.0.1:6379/", False),
        ("http://localhost:6379/", False),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://192.168.0.10/cal.ics", True),
    ],
)
def test_a_feed_on_a_private_address_is_refused_at_the_field(
    make_app, make_user, url, loopback_allowed
):
    app = make_app(CALENDAR_FEEDS_ALLOW_LOOPBACK="1" if loopback_allowed else "")
    consultant = signed_in_client(app, make_user(role="consultant"))
    response = submit_form(consultant, PAGE, {"name": "Mine", "url": url})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "private or local network" in html
    assert 'value="Mine"' in html
    assert "No calendar yet" in page_of(consultant)
    result = app.test_cli_runner().invoke(args=["calendar", "add-feed", url])
    assert result.exit_code == 1 and "private or local network" in result.output
