"""One bad message never sinks the others: per-message failures against server outages.

Every test runs a pass over several e-mails through a real SMTP server on loopback that
misbehaves in one way, and checks that every other e-mail of the pass is delivered, the bad one is
retried or given up on its own with its reason stored, and nothing is ever sent twice.
"""

from collections import Counter

import pytest
from sqlmodel import select

from consult.db import get_session
from consult.mail.message import RETRY_DELAYS
from consult.mail.models import OutboxEmail
from tests.fakes.smtp import LoopbackSmtpServer
from tests.web.mail_fixtures import by_address, deliver, queue

NEIGHBOURS = ["ana@example.org", "bo@example.org"]


def running_server(**options):
    server = LoopbackSmtpServer(**options)
    server.start()
    return server


@pytest.fixture
def smtp_server():
    server = running_server()
    yield server
    server.stop()


@pytest.fixture
def utf8_smtp_server():
    server = running_server(smtputf8=True)
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    return make_app(SMTP_URL=smtp_server.url)


def queue_between_neighbours(app, clock, address):
    """Queue `address` between two ordinary e-mails, so it is in the middle of the pass."""
    for to in (NEIGHBOURS[0], address, NEIGHBOURS[1]):
        queue(app, clock, to=to)


def received(server) -> Counter:
    """How many times each envelope recipient got a message."""
    return Counter(recipient for delivery in server.deliveries for recipient in delivery.recipients)


def outcome(report):
    return report.sent, report.retrying, report.failed


def test_a_refused_recipient_is_given_up_alone_and_the_pass_goes_on(mail_app, clock, smtp_server):
    smtp_server.refuse("gone@example.org", "550 5.1.1 No such user here")
    queue_between_neighbours(mail_app, clock, "gone@example.org")

    assert outcome(deliver(mail_app, clock)) == (2, 0, 1)
    gone = by_address(mail_app)["gone@example.org"]
    assert gone.status == "failed" and "550 5.1.1 No such user here" in gone.last_error
    clock.advance(days=2)
    assert outcome(deliver(mail_app, clock)) == (0, 0, 0)
    assert received(smtp_server) == Counter(NEIGHBOURS)


def test_a_temporary_refusal_is_retried_alone_and_delivered_once(mail_app, clock, smtp_server):
    smtp_server.refuse("busy@example.org", "450 4.2.1 Mailbox busy, try later")
    queue_between_neighbours(mail_app, clock, "busy@example.org")

    assert outcome(deliver(mail_app, clock)) == (2, 1, 0)
    busy = by_address(mail_app)["busy@example.org"]
    assert (busy.status, busy.failures) == ("queued", 1) and "450 4.2.1" in busy.last_error

    del smtp_server.refusals["busy@example.org"]
    clock.advance(minutes=1)
    assert outcome(deliver(mail_app, clock)) == (1, 0, 0)
    assert received(smtp_server) == Counter([*NEIGHBOURS, "busy@example.org"])
    assert by_address(mail_app)["busy@example.org"].status == "sent"


def test_an_email_refused_for_about_a_day_is_given_up(mail_app, clock, smtp_server):
    smtp_server.refuse("busy@example.org", "451 4.3.0 Try again later")
    queue_between_neighbours(mail_app, clock, "busy@example.org")
    for _ in range(len(RETRY_DELAYS) + 1):
        deliver(mail_app, clock)
        clock.advance(hours=6)
    busy = by_address(mail_app)["busy@example.org"]
    assert (busy.status, busy.failures) == ("failed", len(RETRY_DELAYS) + 1)
    assert received(smtp_server) == Counter(NEIGHBOURS)


def test_a_non_ascii_local_part_without_smtputf8_fails_alone(mail_app, clock, smtp_server):
    queue_between_neighbours(mail_app, clock, "jörg@example.org")

    assert outcome(deliver(mail_app, clock)) == (2, 0, 1)
    jorg = by_address(mail_app)["jörg@example.org"]
    assert jorg.status == "failed" and "SMTPUTF8" in jorg.last_error
    assert received(smtp_server) == Counter(NEIGHBOURS)


def test_a_non_ascii_local_part_is_sent_with_smtputf8_where_offered(
    make_app, clock, utf8_smtp_server
):
    app = make_app(SMTP_URL=utf8_smtp_server.url)
    queue_between_neighbours(app, clock, "jörg@example.org")

    assert outcome(deliver(app, clock)) == (3, 0, 0)
    assert received(utf8_smtp_server) == Counter([*NEIGHBOURS, "jörg@example.org"])
    [to_jorg] = [m for m in utf8_smtp_server.messages if m["To"] == "jörg@example.org"]
    assert to_jorg["Subject"] == "Hello"


def test_a_non_ascii_domain_is_sent_as_idna_in_envelope_and_headers(mail_app, clock, smtp_server):
    queue_between_neighbours(mail_app, clock, "leser@Bücher.example")

    assert outcome(deliver(mail_app, clock)) == (3, 0, 0)
    assert received(smtp_server) == Counter([*NEIGHBOURS, "leser@xn--bcher-kva.example"])
    assert "leser@xn--bcher-kva.example" in [message["To"] for message in smtp_server.messages]


def test_both_at_once_take_idna_and_smtputf8(make_app, clock, utf8_smtp_server):
    app = make_app(SMTP_URL=utf8_smtp_server.url)
    queue(app, clock, to="jörg@bücher.example")
    assert outcome(deliver(app, clock)) == (1, 0, 0)
    assert received(utf8_smtp_server) == Counter(["jörg@xn--bcher-kva.example"])


@pytest.fixture(params=["someone@bad_ü.example", "someone@" + "ü" * 70 + ".example"])
def unencodable_address(request):
    return request.param


def test_an_address_no_server_could_take_fails_alone(
    mail_app, clock, smtp_server, unencodable_address
):
    queue_between_neighbours(mail_app, clock, unencodable_address)

    assert outcome(deliver(mail_app, clock)) == (2, 0, 1)
    bad = by_address(mail_app)[unencodable_address]
    assert bad.status == "failed" and "IDNA" in bad.last_error
    assert received(smtp_server) == Counter(NEIGHBOURS)


def test_an_email_that_cannot_be_built_fails_alone(mail_app, clock, smtp_server):
    queue_between_neighbours(mail_app, clock, "broken@example.org")
    with mail_app.app_context():
        session = get_session()
        broken = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_address == "broken@example.org")
        ).one()
        broken.attachments = [{"filename": "invite.ics", "subtype": "calendar"}]  # no content
        session.commit()

    assert outcome(deliver(mail_app, clock)) == (2, 0, 1)
    broken = by_address(mail_app)["broken@example.org"]
    assert broken.status == "failed" and "could not be built" in broken.last_error
    assert received(smtp_server) == Counter(NEIGHBOURS)


def test_a_server_that_hangs_up_on_one_message_delivers_the_rest_and_that_one_later(
    mail_app, clock, smtp_server
):
    addresses = [f"reader{number}@example.org" for number in range(5)]
    for address in addresses:
        queue(mail_app, clock, to=address)
    smtp_server.hang_up_on("reader2@example.org")

    assert outcome(deliver(mail_app, clock)) == (4, 1, 0)
    dropped = by_address(mail_app)["reader2@example.org"]
    assert (dropped.status, dropped.failures) == ("queued", 1)
    assert "hung up" in dropped.last_error

    clock.advance(minutes=1)
    assert outcome(deliver(mail_app, clock)) == (1, 0, 0)
    assert received(smtp_server) == Counter(addresses)


def test_a_server_that_goes_down_mid_pass_loses_nothing_and_sends_nothing_twice(
    mail_app, clock, smtp_server
):
    addresses = [f"reader{number}@example.org" for number in range(5)]
    for address in addresses:
        queue(mail_app, clock, to=address)
    smtp_server.hang_up_on("reader2@example.org", then_go_down=True)

    assert outcome(deliver(mail_app, clock)) == (2, 3, 0)
    waiting = [by_address(mail_app)[address] for address in addresses[2:]]
    assert all(email.status == "queued" and email.failures == 0 for email in waiting)
    assert all("mail server unavailable" in email.last_error for email in waiting)

    smtp_server.stop()
    smtp_server.start()
    clock.advance(minutes=1)
    assert outcome(deliver(mail_app, clock)) == (3, 0, 0)
    clock.advance(hours=1)
    assert outcome(deliver(mail_app, clock)) == (0, 0, 0)
    assert received(smtp_server) == Counter(addresses)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(
    ("url_template", "reason"),
    [
        ("smtps://127.0.0.1:{port}", "cannot connect: SSLError"),
        ("smtp://127.0.0.1:{port}?starttls=1", "cannot start TLS or sign in"),
        ("smtp://mailer:wrong@127.0.0.1:{port}", "cannot start TLS or sign in: 535"),
    ],
    ids=["tls-handshake", "no-starttls", "wrong-password"],
)
def test_a_tls_or_login_failure_makes_every_email_wait_without_counting_against_it(
    make_app, clock, url_template, reason
):
    server = running_server(login=("mailer", "right"))
    try:
        app = make_app(SMTP_URL=url_template.format(port=server.port))
        queue_between_neighbours(app, clock, "carla@example.org")

        assert outcome(deliver(app, clock)) == (0, 3, 0)
        emails = by_address(app).values()
        assert all(email.status == "queued" and email.failures == 0 for email in emails)
        assert all(reason in email.last_error for email in emails)
        assert server.deliveries == []

        fixed = make_app(SMTP_URL=f"smtp://mailer:right@127.0.0.1:{server.port}")
        clock.advance(minutes=1)
        assert outcome(deliver(fixed, clock)) == (3, 0, 0)
        assert received(server) == Counter([*NEIGHBOURS, "carla@example.org"])
    finally:
        server.stop()
