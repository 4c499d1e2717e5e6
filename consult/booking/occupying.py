"""Taking a booking's time and giving it back, with the rules that must hold under concurrency.

No overlap: a booking that occupies time writes one row per 5-minute block (buffers included)
with a unique start, so the database refuses a second booking of any of them. The daily
maximum of a type: the day's lock (`locks.lock_day`) is taken before the day's bookings are
counted, so two requests cannot both take the last place. Every way a booking comes to occupy
time (a hold, a move, a late payment) goes through `occupy`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.booking.locks import lock_day
from consult.booking.models import BLOCK_MINUTES, Booking, BookingTimeBlock, ConsultationType
from consult.booking.status import OCCUPYING_STATUSES, set_status
from consult.db import id_of

TAKEN = "That time was just taken — please choose another."


class SlotTaken(Exception):
    """Someone else holds or booked that time."""


class DayFull(SlotTaken):
    """That day already has as many bookings of the type as its daily maximum allows."""


def occupy(session: Session, booking: Booking, *, site_time_zone: ZoneInfo, now: datetime) -> None:
    """Take the booking's time at its current start, or raise DayFull or SlotTaken.

    With a daily maximum, the type's consultant-local day is locked and its other bookings
    counted under the lock. Lapsed holds in the way are expired first: those on the same time,
    and, for a capped type, those on the same day (else a late payment could confirm one past
    the cap). Then the blocks are written; a unique-key conflict means the time is taken.
    """
    consultation_type = session.get_one(ConsultationType, booking.consultation_type_id)
    limit = consultation_type.max_per_day
    day = None
    if limit is not None:
        local_day = booking.starts_at.astimezone(site_time_zone).date()
        lock_day(session, consultation_type_id=id_of(consultation_type), day=local_day)
        day = (
            datetime.combine(local_day, time(), tzinfo=site_time_zone),
            datetime.combine(local_day + timedelta(days=1), time(), tzinfo=site_time_zone),
        )
    _expire_lapsed_holds_in_the_way(session, booking=booking, day=day, now=now)
    if (
        limit is not None
        and day is not None
        and _others_on_day(session, booking=booking, day=day) >= limit
    ):
        raise DayFull(TAKEN)
    try:
        with session.begin_nested():
            session.add_all(
                BookingTimeBlock(booking_id=id_of(booking), block_start=block)
                for block in blocks_between(booking.occupies_from, booking.occupies_until)
            )
            session.flush()
    except IntegrityError:
        raise SlotTaken(TAKEN) from None


def release(session: Session, booking: Booking) -> None:
    """Give the booking's time back: delete its blocks."""
    session.exec(delete(BookingTimeBlock).where(col(BookingTimeBlock.booking_id) == booking.id))


def expire_hold(*, session: Session, booking: Booking) -> None:
    """A hold that lapsed or whose checkout was abandoned: the slot is free again."""
    set_status(booking, "expired")
    booking.hold_expires_at = None
    release(session, booking)
    session.add(booking)


def blocks_between(start: datetime, end: datetime) -> list[datetime]:
    """The start of each 5-minute block from `start` until `end`."""
    step = timedelta(minutes=BLOCK_MINUTES)
    blocks, moment = [], start
    while moment < end:
        blocks.append(moment)
        moment += step
    return blocks


def _expire_lapsed_holds_in_the_way(
    session: Session, *, booking: Booking, day: tuple[datetime, datetime] | None, now: datetime
) -> None:
    """Expire the lapsed holds overlapping the booking's time, and those of its type on `day`."""
    in_the_way = (col(Booking.occupies_until) > booking.occupies_from) & (
        col(Booking.occupies_from) < booking.occupies_until
    )
    if day is not None:
        in_the_way |= (
            (col(Booking.consultation_type_id) == booking.consultation_type_id)
            & (col(Booking.starts_at) >= day[0])
            & (col(Booking.starts_at) < day[1])
        )
    expire_lapsed_holds(session, where=in_the_way & (col(Booking.id) != booking.id), now=now)


def expire_lapsed_holds(session: Session, *, where: ColumnElement[bool], now: datetime) -> None:
    """Expire the lapsed holds that match `where`, so their time can be taken.

    Each is locked and re-read first, so one that a payment confirmed meanwhile is skipped
    rather than overwritten; in id order, so two requests lock them in the same order.
    """
    lapsed = session.exec(
        select(Booking)
        .where(Booking.status == "held", col(Booking.hold_expires_at) <= now, where)
        .order_by(col(Booking.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for other in lapsed:
        expire_hold(session=session, booking=other)
    session.flush()


def _others_on_day(session: Session, *, booking: Booking, day: tuple[datetime, datetime]) -> int:
    """The other held or confirmed bookings of the booking's type starting within `day`."""
    return session.exec(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.consultation_type_id == booking.consultation_type_id,
            col(Booking.id) != booking.id,
            col(Booking.status).in_(OCCUPYING_STATUSES),
            col(Booking.starts_at) >= day[0],
            col(Booking.starts_at) < day[1],
        )
    ).one()
