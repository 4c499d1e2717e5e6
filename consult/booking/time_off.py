"""One-off time off the consultant blocks in the admin: it takes its time blocks as a booking
does, so the database refuses any booking over it, and slot listing leaves it out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.booking.models import BLOCK_MINUTES, Booking, BookingTimeBlock, TimeOff
from consult.booking.occupying import blocks_between, expire_lapsed_holds
from consult.booking.status import OCCUPYING_STATUSES
from consult.db import id_of

# Longer absences are whole days off (the availability page's "days that differ").
LONGEST_TIME_OFF = timedelta(days=14)


class TimeOffRefused(Exception):
    """The span cannot be blocked as asked; the message says why."""


def block_time_off(
    *, session: Session, starts_at: datetime, ends_at: datetime, reason: str, now: datetime
) -> TimeOff:
    """Block [starts_at, ends_at) (on the 5-minute grid), or raise TimeOffRefused.

    Lapsed holds in the way are expired first; a booking or hold still occupying part of the
    span refuses it, named in the message: move or cancel it first. Start the transaction with
    `begin_as_writer`; on PostgreSQL the unique block starts settle a race with a guest.
    """
    if starts_at >= ends_at:
        raise TimeOffRefused("The time off must end after it starts.")
    if ends_at <= now:
        raise TimeOffRefused("That time has already passed.")
    if ends_at - starts_at > LONGEST_TIME_OFF:
        raise TimeOffRefused(
            "Block at most 14 days at once; for longer, mark whole days off under Availability."
        )
    if any(moment.minute % BLOCK_MINUTES or moment.second for moment in (starts_at, ends_at)):
        raise TimeOffRefused(f"Use times on the {BLOCK_MINUTES}-minute mark, like 13:05.")
    expire_lapsed_holds(
        session,
        where=(col(Booking.occupies_until) > starts_at) & (col(Booking.occupies_from) < ends_at),
        now=now,
    )
    time_off = TimeOff(starts_at=starts_at, ends_at=ends_at, reason=reason.strip(), created_at=now)
    session.add(time_off)
    session.flush()
    try:
        with session.begin_nested():
            session.add_all(
                BookingTimeBlock(time_off_id=id_of(time_off), block_start=block)
                for block in blocks_between(starts_at, ends_at)
            )
            session.flush()
    except IntegrityError:
        raise TimeOffRefused(_overlap_message(session, starts_at, ends_at)) from None
    return time_off


def remove_time_off(*, session: Session, time_off: TimeOff) -> None:
    """Give the span back to the calendar."""
    session.exec(delete(BookingTimeBlock).where(col(BookingTimeBlock.time_off_id) == time_off.id))
    session.delete(time_off)
    session.flush()


def time_off_between(session: Session, *, start: datetime, end: datetime) -> list[TimeOff]:
    """Time off overlapping [start, end), earliest first, in one query."""
    return list(
        session.exec(
            select(TimeOff)
            .where(col(TimeOff.ends_at) > start, col(TimeOff.starts_at) < end)
            .order_by(col(TimeOff.starts_at))
        ).all()
    )


def _overlap_message(session: Session, start: datetime, end: datetime) -> str:
    in_the_way = session.exec(
        select(Booking)
        .where(col(Booking.occupies_until) > start, col(Booking.occupies_from) < end)
        .where(col(Booking.status).in_(OCCUPYING_STATUSES))
    ).all()
    if in_the_way:
        names = ", ".join(booking.guest_name or "a guest" for booking in in_the_way)
        return f"That overlaps a booking ({names}): move or cancel it first."
    return "That overlaps time off already blocked."
