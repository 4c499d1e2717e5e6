"""Locks for booking decisions that span several rows: one booking, and one type's day.

A unique key guards only what it names; a daily maximum, a move or a cancellation is decided
over several rows, so each competing transaction first takes the same lock and re-reads under
it. On PostgreSQL these are row locks (`SELECT … FOR UPDATE`), held until commit; SQLite has
none, and there the transaction's `BEGIN IMMEDIATE` (`consult.db.begin_as_writer`) already
runs writers one at a time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from consult.booking.models import Booking, BookingDayLock


def lock_booking(session: Session, booking: Booking) -> None:
    """Lock the booking's row and re-read it, so the caller decides on its latest committed state
    (another request may have moved, cancelled or paid it since it was loaded).
    """
    session.refresh(booking, with_for_update=True)


def lock_day(session: Session, *, consultation_type_id: int, day: date) -> None:
    """Lock one consultation type's consultant-local day, creating its lock row the first time.

    Two transactions creating the same row at once do not fail: the second waits for the first
    and then finds the row (INSERT … ON CONFLICT DO NOTHING).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(BookingDayLock)
        .values(consultation_type_id=consultation_type_id, day=day)
        .on_conflict_do_nothing()
    )
    session.exec(
        select(BookingDayLock)
        .where(
            BookingDayLock.consultation_type_id == consultation_type_id,
            BookingDayLock.day == day,
        )
        .with_for_update()
    ).one()
