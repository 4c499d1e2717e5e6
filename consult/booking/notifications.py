"""Booking e-mails that a change could not queue at the time (see booking/emails.py), queued by
`bookings sweep`: each once, as soon as it can be.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from consult.accounts.policy import hash_token
from consult.booking.emails import (
    queue_cancellation,
    queue_confirmation,
    queue_late_payment_refund,
    queue_reminder,
    queue_rescheduled,
)
from consult.booking.models import Booking, BookingAccessToken, ConsultationType
from consult.booking.service import issue_access_token

log = logging.getLogger("consult.booking")
# These speak of an upcoming confirmed booking: once it is cancelled or past, they are dropped.
_ABOUT_AN_UPCOMING_BOOKING = ("confirmation", "rescheduled", "reminder")


def queue_due_notifications(*, session: Session, now: datetime) -> tuple[int, int]:
    """Queue every e-mail left due by an earlier change; returns (queued, still due).

    Each booking is locked while its e-mails are queued, so two sweeps never queue one twice;
    what fails again stays due for the next sweep.
    """
    bookings = session.exec(
        select(Booking)
        .where(col(Booking.notifications_due).is_not(None))
        .order_by(col(Booking.id))
        .with_for_update()
    ).all()
    queued = still_due = 0
    for booking in bookings:
        notices, booking.notifications_due = booking.notifications_due or [], None
        session.add(booking)
        consultation_type = session.get_one(ConsultationType, booking.consultation_type_id)
        for notice in notices:
            if _queue(session, booking, consultation_type, notice, now):
                queued += 1
            else:
                still_due += 1
    session.flush()
    return queued, still_due


def _queue(
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    notice: dict[str, Any],
    now: datetime,
) -> bool:
    """Queue one due notice; True when it is queued (or no longer makes sense)."""
    kind = notice.get("kind")
    if kind in _ABOUT_AN_UPCOMING_BOOKING and (
        booking.status != "confirmed" or booking.starts_at <= now
    ):
        log.info(
            "booking %s is no longer upcoming: its %s e-mail is dropped", booking.public_id, kind
        )
        return True
    if kind == "late_payment_refund":
        return queue_late_payment_refund(
            session=session, booking=booking, consultation_type=consultation_type, now=now
        )
    if kind == "cancellation":
        return queue_cancellation(
            session=session,
            booking=booking,
            consultation_type=consultation_type,
            refund_minor=int(notice.get("refund_minor", 0)),
            now=now,
        )
    senders = {
        "confirmation": queue_confirmation,
        "rescheduled": queue_rescheduled,
        "reminder": queue_reminder,
    }
    if kind not in senders:
        log.error("booking %s has an unknown e-mail due, dropped: %r", booking.public_id, notice)
        return True
    # The link in the first attempt was never sent (only its hash is kept): send a fresh one.
    token = issue_access_token(session=session, booking=booking, now=now)
    if senders[kind](
        session=session,
        booking=booking,
        consultation_type=consultation_type,
        manage_token=token,
        now=now,
    ):
        return True
    session.exec(
        delete(BookingAccessToken).where(col(BookingAccessToken.token_hash) == hash_token(token))
    )
    return False
