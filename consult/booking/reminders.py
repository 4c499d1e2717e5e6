"""Reminders 24 hours before a consultation: each booking reminded once, however often cron runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from consult.booking.emails import queue_reminder
from consult.booking.models import Booking, ConsultationType
from consult.booking.service import issue_access_token
from consult.db import begin_as_writer

REMINDER_LEAD = timedelta(hours=24)


def send_due_reminders(*, engine: Engine, now: datetime) -> int:
    """Queue a reminder for every confirmed booking starting within 24 hours that has none; returns
    how many.
    """
    with Session(engine) as session:
        due = session.exec(
            select(Booking.id).where(
                Booking.status == "confirmed",
                col(Booking.reminder_sent_at).is_(None),
                Booking.starts_at > now,
                Booking.starts_at <= now + REMINDER_LEAD,
            )
        ).all()
    # A stored row always has its id: the `int | None` type of Booking.id is for unsaved rows.
    return sum(_remind(engine, booking_id, now) for booking_id in due if booking_id is not None)


def _remind(engine: Engine, booking_id: int, now: datetime) -> bool:
    with Session(engine) as session:
        begin_as_writer(session)
        claimed = session.exec(
            update(Booking)
            .where(
                col(Booking.id) == booking_id,
                col(Booking.reminder_sent_at).is_(None),
                col(Booking.status) == "confirmed",
            )
            .values(reminder_sent_at=now)
        )
        if claimed.rowcount != 1:  # another run reminded it first
            return False
        booking = session.get_one(Booking, booking_id)
        token = issue_access_token(session=session, booking=booking, now=now)
        queue_reminder(
            session=session,
            booking=booking,
            consultation_type=session.get_one(ConsultationType, booking.consultation_type_id),
            manage_token=token,
            now=now,
        )
        session.commit()
        return True
