"""Absolute links follow the address the site is served on locally, and SITE_URL when it is set.

`flask --app consult run --port 5077` must not send the test payment's return, or any e-mailed
link, to :5000. Production always uses SITE_URL, whatever a request's Host header says.
"""

import re
from datetime import timedelta
from urllib.parse import urlencode

import click
import pytest
from flask.cli import run_command

from consult import create_app
from consult.config import load_settings
from consult.db import ENGINE_KEY, get_session
from consult.demo import add_demo_booking_calendar
from consult.urls import SERVED_AT_FILE, absolute_url, site_root
from tests.conftest import PRODUCTION_SERVICES, csrf_token_from
from tests.web.booking_flow import GUEST, bookings, emails

SERVED = "http://127.0.0.1:5077"


@pytest.fixture
def local_app(make_app):
    """A development app without SITE_URL, with the demo consultation types."""
    app = make_app(SITE_URL="")
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


def book_on(guest, slug, base_url, **answers):
    """Book the first free time of `slug` the way a browser on `base_url` does, every step there."""
    day = guest.get(
        f"/book/{slug}/slots.json?date=2026-11-30&tz=America/Chicago", base_url=base_url
    )
    start = day.get_json()["slots"][0]
    path = f"/book/{slug}/details?" + urlencode({"start": start, "tz": "America/Chicago"})
    form = guest.get(path, base_url=base_url).get_data(as_text=True)
    data = {**GUEST, **answers, "start": start, "tz": "America/Chicago"}
    return guest.post(path, data={**data, "csrf_token": csrf_token_from(form)}, base_url=base_url)


def test_the_test_payment_returns_to_the_port_the_guest_is_on(local_app):
    guest = local_app.test_client()
    held = book_on(guest, "leadership-strategy-session", SERVED)
    page = guest.get(held.headers["Location"], base_url=SERVED).get_data(as_text=True)
    action = re.search(r'action="([^"]+/pay)"', page).group(1)
    paid = guest.post(action, data={"csrf_token": csrf_token_from(page)}, base_url=SERVED)
    assert paid.headers["Location"].startswith(f"{SERVED}/book/return?session_id=")
    confirmed = guest.get(paid.headers["Location"], base_url=SERVED)
    assert confirmed.status_code in (200, 302, 303)
    sent = [e for e in emails(local_app) if e.to_address == GUEST["email"]]
    assert sent and f"{SERVED}/book/manage/" in sent[-1].text_body


def confirmation_meeting_link(app) -> str | None:
    """Where the meeting happens (a video room elsewhere), which is not a link to this site."""
    return bookings(app)[-1].meeting_location


def test_e_mailed_links_follow_the_address_of_the_request(local_app):
    book_on(local_app.test_client(), "discovery-call", SERVED)
    confirmation = next(e for e in emails(local_app) if e.to_address == GUEST["email"])
    body = confirmation.text_body + confirmation.html_body
    links = re.findall(r"https?://[^\s\"<>]+", body)
    ours = [link for link in links if link != confirmation_meeting_link(local_app)]
    assert ours and all(link.startswith(SERVED) for link in ours), links
    assert ":5000" not in body


def test_outside_a_request_links_never_follow_a_requests_host_header(local_app):
    with local_app.app_context():
        assert site_root() == "http://127.0.0.1:5000"  # never run yet
    local_app.test_client().get("/", base_url="http://evil.example:5080")
    settings = local_app.extensions["consult.settings"]
    assert not (settings.instance_dir / SERVED_AT_FILE).exists()
    with local_app.app_context():
        assert absolute_url("site.about") == "http://127.0.0.1:5000/about/"


@pytest.mark.parametrize("site_url", ["", "https://partner.example.org"])
def test_a_command_e_mails_links_to_site_url_or_where_flask_run_serves(make_app, clock, site_url):
    with click.Context(run_command, info_name="run") as context:
        context.params.update({"host": "127.0.0.1", "port": 5077, "cert": None})
        app = make_app(SITE_URL=site_url)
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    book_on(app.test_client(), "discovery-call", "http://evil.example:666")  # a forged Host
    clock.now = bookings(app)[0].starts_at - timedelta(hours=23)
    result = app.test_cli_runner().invoke(args=["bookings", "remind"])
    assert "1 reminder(s)" in result.output
    [reminder] = [e for e in emails(app) if e.subject.startswith("Tomorrow")]
    expected = site_url or SERVED
    links = re.findall(r"https?://[^\s\"<>]+", reminder.text_body + reminder.html_body)
    ours = [link for link in links if link != confirmation_meeting_link(app)]
    assert ours and all(link.startswith(expected) for link in ours), links


def test_with_site_url_set_the_request_host_is_never_used(make_app):
    app = make_app(SITE_URL="https://partner.example.org")
    app.test_client().get("/", base_url="http://evil.example:666")
    with app.test_request_context("/", base_url="http://evil.example:666"):
        assert absolute_url("site.about") == "https://partner.example.org/about/"
    assert not (app.extensions["consult.settings"].instance_dir / SERVED_AT_FILE).exists()


def test_production_requires_site_url_and_never_follows_the_request(database_url, tmp_path):
    environment = {
        "CONSULT_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": database_url,
        "CONSULT_INSTANCE_DIR": str(tmp_path / "instance"),
        **PRODUCTION_SERVICES,
    }
    with pytest.raises(SystemExit, match="SITE_URL is required"):
        load_settings(environment)
    settings = load_settings({**environment, "SITE_URL": "https://partner.example.org"})
    app = create_app({"SETTINGS": settings})
    try:
        with app.test_request_context("/", base_url="http://evil.example"):
            assert site_root() == "https://partner.example.org"
    finally:
        app.extensions[ENGINE_KEY].dispose()


@pytest.mark.parametrize(
    ("params", "noted"),
    [
        ({"host": "127.0.0.1", "port": 5077, "cert": None}, "http://127.0.0.1:5077"),
        ({"host": "0.0.0.0", "port": 8001, "cert": None}, "http://localhost:8001"),  # noqa: S104
        ({"host": "::1", "port": 5077, "cert": "adhoc"}, "https://[::1]:5077"),
    ],
)
def test_flask_run_notes_the_address_it_serves_on_before_any_request(make_app, params, noted):
    with click.Context(run_command, info_name="run") as context:
        context.params.update(params)
        app = make_app(SITE_URL="")
    settings = app.extensions["consult.settings"]
    assert (settings.instance_dir / SERVED_AT_FILE).read_text().strip() == noted
    with app.app_context():
        assert absolute_url("accounts.sign_in") == f"{noted}/accounts/sign-in"


def test_a_receipt_names_the_address_the_site_is_served_on(local_app):
    guest = local_app.test_client()
    held = book_on(guest, "leadership-strategy-session", SERVED)
    page = guest.get(held.headers["Location"], base_url=SERVED).get_data(as_text=True)
    action = re.search(r'action="([^"]+/pay)"', page).group(1)
    paid = guest.post(action, data={"csrf_token": csrf_token_from(page)}, base_url=SERVED)
    guest.get(paid.headers["Location"], base_url=SERVED)
    sent = [e for e in emails(local_app) if e.to_address == GUEST["email"]]
    manage = re.search(rf"{SERVED}(/book/manage/\S+)", sent[-1].text_body).group(1)
    receipt = guest.get(f"{manage}/receipt", base_url=SERVED).get_data(as_text=True)
    assert SERVED in receipt and ":5000" not in receipt
