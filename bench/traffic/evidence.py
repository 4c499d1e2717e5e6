"""What the run left behind, read into the checks' plain rows: the bookings and the outbox from the
database, the checkouts from the fake Stripe, the messages the mail server received.
"""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bench.traffic.checks import BookingRow, CheckoutRow, EmailRow
from consult.booking.models import Booking, ConsultationType
from consult.mail.models import OutboxEmail
from tests.fakes.smtp import LoopbackSmtpServer
from tests.fakes.stripe_server import FakeStripeServer

UID_LINE = re.compile(r"^UID:(\S+)", re.MULTILINE)


def booking_rows(engine: Engine, seeded: frozenset[str]) -> list[BookingRow]:
    with Session(engine) as session:
        rows = session.exec(
            select(Booking, ConsultationType.slug).join(
                ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id)
            )
        ).all()
    return [
        BookingRow(
            public_id=booking.public_id,
            consultation_type=slug,
            status=booking.status,
            starts_at=booking.starts_at,
            occupies_from=booking.occupies_from,
            occupies_until=booking.occupies_until,
            guest_email=booking.guest_email,
            client_address=booking.client_address,
            hold_expires_at=booking.hold_expires_at,
            confirmed_at=booking.confirmed_at,
            amount_minor=booking.amount_minor,
            paid_minor=booking.paid_minor,
            payment_state=booking.payment_state,
            checkout_session_id=booking.checkout_session_id,
            made_in_run=booking.public_id not in seeded,
        )
        for booking, slug in rows
    ]


def outbox_rows(engine: Engine) -> list[EmailRow]:
    with Session(engine) as session:
        emails = session.exec(select(OutboxEmail)).all()
    return [
        EmailRow(
            message_id=email.message_id,
            to_address=email.to_address,
            subject=email.subject,
            calendar_uids=tuple(
                uid
                for attachment in email.attachments
                for uid in UID_LINE.findall(attachment.get("content", "").replace("\r\n ", ""))
            ),
        )
        for email in emails
    ]


def mail_waiting(engine: Engine) -> int:
    """E-mails still queued in the outbox."""
    with Session(engine) as session:
        return session.exec(select(func.count()).where(col(OutboxEmail.status) == "queued")).one()


def checkout_rows(stripe: FakeStripeServer) -> list[CheckoutRow]:
    with stripe._lock:  # the fake's own lock: its sessions change under the API's threads
        sessions = [dict(session) for session in stripe.sessions.values()]
    return [
        CheckoutRow(
            session_id=session["id"],
            reference=session["client_reference_id"],
            status=session["status"],
            payment_status=session["payment_status"],
            amount_total=session["amount_total"],
        )
        for session in sessions
    ]


def delivered_message_ids(smtp: LoopbackSmtpServer) -> Counter[str]:
    with smtp.lock:
        return Counter(str(message["Message-ID"]).strip() for message in smtp.messages)
