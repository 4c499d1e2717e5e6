"""The outbox, delivered through a real SMTP server on loopback."""

import threading
from datetime import timedelta

import pytest

from consult.db import get_session
from consult.mail import delivery
from consult.mail.message import RETRY_DELAYS
from consult.mail.service import queue_email
from tests.conftest import submit_form
from tests.fakes.smtp import LoopbackSmtpServer
from tests.web.mail_fixtures import deliver, eventually, queue, stored


@pytest.fixture
def smtp_server():
    server = LoopbackSmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    return make_app(SMTP_URL=smtp_server.url)


def test_a_queued_email_is_delivered_with_text_and_html_parts_and_marked_sent(
    mail_app, clock, smtp_server
):
    queue(mail_app, clock)
    report = deliver(mail_app, clock)
    assert (report.sent, report.retrying) == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == "reader@example.org" and message["Subject"] == "Hello"
    assert message["From"] == "Irons Consulting Group <hello@consult.example>"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    [email] = stored(mail_app)
    assert email.status == "sent" and email.sent_at == clock() and email.attempts == 1
    assert deliver(mail_app, clock).sent == 0
    assert len(smtp_server.messages) == 1


def test_mail_queued_in_a_rolled_back_change_is_never_sent(mail_app, clock, smtp_server):
    with mail_app.app_context():
        session = get_session()
        queue_email(
            session=session,
            to="a@example.org",
            subject="Rolled back",
            template="invitation",
            context={
                "inviter_name": None,
                "accept_url": "http://consult.test/x",
                "expires_at": clock(),
            },
            now=clock(),
        )
        session.rollback()
    assert (
        deliver(mail_app, clock).sent == 0 and stored(mail_app) == [] and smtp_server.messages == []
    )


def test_when_smtp_is_down_mail_stays_queued_and_is_delivered_exactly_once_when_it_is_back(
    mail_app, clock, smtp_server
):
    queue(mail_app, clock, subject="Survives an outage")
    smtp_server.stop()

    report = deliver(mail_app, clock)
    assert (report.sent, report.retrying) == (0, 1)
    [email] = stored(mail_app)
    assert email.status == "queued" and email.attempts == 1 and "Connection" in email.last_error
    assert email.next_attempt_at > clock()

    smtp_server.start()
    assert deliver(mail_app, clock).sent == 0  # not due yet: backing off
    clock.advance(minutes=1)
    assert deliver(mail_app, clock).sent == 1
    clock.advance(hours=1)
    assert deliver(mail_app, clock).sent == 0
    assert [message["Subject"] for message in smtp_server.messages] == ["Survives an outage"]
    assert stored(mail_app)[0].status == "sent"


def test_mail_waits_through_a_long_outage_and_is_never_given_up_for_it(
    mail_app, clock, smtp_server
):
    queue(mail_app, clock, subject="Survives three days")
    smtp_server.stop()
    for _ in range(24):  # three days: past the retry schedule that gives up a refused e-mail
        deliver(mail_app, clock)
        clock.advance(hours=3)
    [email] = stored(mail_app)
    assert (email.status, email.failures) == ("queued", 0)
    assert email.attempts > len(RETRY_DELAYS)
    assert "Connection refused" in email.last_error
    assert email.next_attempt_at - clock() <= timedelta(hours=6)

    smtp_server.start()
    clock.advance(hours=6)
    assert deliver(mail_app, clock).sent == 1
    clock.advance(hours=6)
    assert deliver(mail_app, clock).sent == 0
    assert [message["Subject"] for message in smtp_server.messages] == ["Survives three days"]


def test_two_senders_at_once_send_each_email_once(mail_app, clock, smtp_server):
    for number in range(20):
        queue(mail_app, clock, to=f"reader{number}@example.org")
    reports = []
    senders = [
        threading.Thread(target=lambda: reports.append(deliver(mail_app, clock))) for _ in range(3)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sum(report.sent for report in reports) == 20
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(
        f"reader{n}@example.org" for n in range(20)
    )


def test_the_mail_send_command_delivers_the_outbox(mail_app, clock, smtp_server):
    queue(mail_app, clock)
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output
    assert len(smtp_server.messages) == 1


def test_without_smtp_mail_is_written_to_the_local_outbox_folder(app, clock):
    queue(app, clock, subject="Look in the folder")
    assert deliver(app, clock).sent == 1
    [written] = (app.extensions["consult.settings"].outbox_dir).glob("*.eml")
    assert b"Subject: Look in the folder" in written.read_bytes()
    # Sign-in and booking links are in there: for the app's own user only, whatever the umask.
    assert written.stat().st_mode & 0o777 == 0o600
    assert written.parent.stat().st_mode & 0o777 == 0o700


def test_locally_mail_is_delivered_right_after_the_request(make_app, smtp_server, make_user):
    app = make_app({"MAIL_DELIVER_AFTER_REQUEST": True}, SMTP_URL=smtp_server.url)
    make_user(email="forgetful@example.org")
    client = app.test_client()
    response = submit_form(client, "/accounts/reset", {"email": "forgetful@example.org"})
    response.close()
    eventually(lambda: stored(app)[0].status == "sent")  # recorded just after the SMTP answer
    assert [message["To"] for message in smtp_server.messages] == ["forgetful@example.org"]


def test_mail_retry_makes_waiting_and_given_up_mail_due_again_once_fixed(
    mail_app, clock, smtp_server
):
    smtp_server.refuse("strict@example.org", "554 5.7.1 Relay access denied")
    queue(mail_app, clock, to="strict@example.org")
    queue(mail_app, clock, to="later@example.org")
    smtp_server.refuse("later@example.org", "450 4.7.1 Greylisted, try later")
    deliver(mail_app, clock)
    assert [email.status for email in stored(mail_app)] == ["failed", "queued"]

    smtp_server.refusals.clear()  # the relay is fixed
    runner = mail_app.test_cli_runner()
    assert "2 e-mails due again" in runner.invoke(args=["mail", "retry"]).output
    assert "2 sent" in runner.invoke(args=["mail", "send"]).output
    assert "0 sent" in runner.invoke(args=["mail", "send"]).output
    assert "0 e-mails due again" in runner.invoke(args=["mail", "retry"]).output
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "later@example.org",
        "strict@example.org",
    ]


def test_a_pass_against_a_slow_server_stops_in_time_and_leaves_the_rest_to_the_next(
    make_app, clock, monkeypatch
):
    slow = LoopbackSmtpServer(delay_seconds=0.3)
    slow.start()
    try:
        monkeypatch.setattr(delivery, "PASS_TIME_LIMIT", timedelta(seconds=0.5))
        app = make_app(SMTP_URL=slow.url)
        addresses = [f"reader{number}@example.org" for number in range(6)]
        for address in addresses:
            queue(app, clock, to=address)

        first = deliver(app, clock)
        assert 1 <= first.sent < len(addresses) and (first.retrying, first.failed) == (0, 0)
        left = [email for email in stored(app) if email.status == "queued"]
        assert len(left) == len(addresses) - first.sent
        assert all(email.attempts == 0 and email.claim_token is None for email in left)
        while any(email.status == "queued" for email in stored(app)):
            deliver(app, clock)  # still due now: no back-off for mail never tried
        assert sorted(message["To"] for message in slow.messages) == addresses
    finally:
        slow.stop()
