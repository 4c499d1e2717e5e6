"""SMTP down: the person's form still succeeds, the dashboard shows the mail waiting and why, and
when the server is back `mail send` delivers each message exactly once.
"""

import re

import pytest

from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from tests.conftest import signed_in_client, submit_form
from tests.fakes.smtp import LoopbackSmtpServer
from tests.web.booking_flow import book, free_slots
from tests.web.mail_fixtures import deliver, eventually, queue, stored


@pytest.fixture
def smtp_server():
    server = LoopbackSmtpServer()  # not started: the mail server is down
    yield server
    server.stop()


@pytest.fixture
def outage_app(make_app, smtp_server):
    """The app delivering right after each request, as it does locally, to a server that is down."""
    app = make_app({"MAIL_DELIVER_AFTER_REQUEST": True}, SMTP_URL=smtp_server.url)
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


def tried_once(app):
    """The after-request pass has run, found the server down, and let every e-mail wait."""
    emails = stored(app)
    return bool(emails) and all(email.attempts == 1 for email in emails)


def dashboard(app, consultant):
    html = signed_in_client(app, consultant).get("/admin/").get_data(as_text=True)
    return re.sub(r"\s+", " ", html)


def send_when_back(app, clock, smtp_server, expected):
    smtp_server.start()
    clock.advance(minutes=1)
    runner = app.test_cli_runner()
    assert f"{expected} sent" in runner.invoke(args=["mail", "send"]).output
    clock.advance(hours=1)
    assert "0 sent" in runner.invoke(args=["mail", "send"]).output


def test_a_password_reset_succeeds_and_its_mail_arrives_once_smtp_is_back(
    outage_app, clock, smtp_server, make_user, consultant
):
    make_user(email="forgetful@example.org")
    response = submit_form(
        outage_app.test_client(), "/accounts/reset", {"email": "forgetful@example.org"}
    )
    response.close()
    assert response.status_code == 200
    assert "a link to choose a new password is on its way" in response.get_data(as_text=True)
    eventually(lambda: tried_once(outage_app))

    html = dashboard(outage_app, consultant)
    assert "<dt>Waiting to be sent</dt><dd>1</dd>" in html
    assert "forgetful@example.org" in html and "retrying, next try" in html
    assert "mail server unavailable: cannot connect: ConnectionRefusedError" in html

    send_when_back(outage_app, clock, smtp_server, expected=1)
    [message] = smtp_server.messages
    assert message["To"] == "forgetful@example.org"
    assert "/accounts/reset/" in message.get_body(("plain",)).get_content()
    assert [email.status for email in stored(outage_app)] == ["sent"]


def test_a_booking_is_confirmed_and_its_mail_arrives_once_smtp_is_back(
    outage_app, clock, smtp_server, consultant
):
    guest = outage_app.test_client()
    start = free_slots(guest, "discovery-call", "2026-11-30")[0]
    response = book(guest, "discovery-call", start)
    response.close()
    assert response.status_code == 303
    assert "You are booked" in guest.get(response.headers["Location"]).get_data(as_text=True)
    eventually(lambda: tried_once(outage_app))
    assert "<dt>Waiting to be sent</dt><dd>2</dd>" in dashboard(outage_app, consultant)

    send_when_back(outage_app, clock, smtp_server, expected=2)
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "ana@clinic.example",
        "hello@consult.example",
    ]


def test_the_dashboard_says_why_mail_was_given_up(make_app, clock, consultant):
    server = LoopbackSmtpServer()  # no SMTPUTF8
    server.start()
    try:
        app = make_app(SMTP_URL=server.url)
        server.refuse("gone@example.org", "550 5.1.1 No such user here")
        for address in ("jörg@example.org", "gone@example.org", "ana@example.org"):
            queue(app, clock, to=address)
        report = deliver(app, clock)
        assert (report.sent, report.failed) == (1, 2)
    finally:
        server.stop()

    html = dashboard(app, consultant)
    assert "<dt>Given up</dt><dd>2</dd>" in html
    for address, reason in [
        ("jörg@example.org", "does not advertise the required SMTPUTF8 capability"),
        ("gone@example.org", "refused by the mail server: 550 5.1.1 No such user here"),
    ]:
        row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(address)}.*?</tr>", html).group(0)
        assert "given up" in row and reason in row
    assert "mail retry" in html
