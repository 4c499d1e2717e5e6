"""Helpers for the mail tests: queue an e-mail, read the outbox, run a pass, wait for a thread."""

import time

from sqlmodel import select

from consult.db import get_session
from consult.mail.models import OutboxEmail
from consult.mail.service import deliver_outbox, queue_email


def queue(app, clock, to="reader@example.org", subject="Hello"):
    """Queue an invitation e-mail to `to` and commit it; returns its id."""
    with app.app_context():
        session = get_session()
        email = queue_email(
            session=session,
            to=to,
            subject=subject,
            template="invitation",
            context={
                "inviter_name": "Ms. Irons",
                "accept_url": "http://consult.test/x",
                "expires_at": clock(),
            },
            now=clock(),
        )
        session.commit()
        return email.id


def stored(app) -> list[OutboxEmail]:
    with app.app_context():
        return list(get_session().exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())


def by_address(app) -> dict[str, OutboxEmail]:
    return {email.to_address: email for email in stored(app)}


def deliver(app, clock):
    with app.app_context():
        return deliver_outbox(now=clock())


def eventually(condition, timeout=30.0):
    """Wait for `condition()` to hold, as work done by a background thread lands (generously: a
    loaded CI machine can take seconds).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)
