"""Reading the calendar from the database: availability, rules and occupied time, for the pure slot
engine.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import Session, col, select

from consult.booking import slots
from consult.booking.models import (
    Booking,
    BookingSettings,
    ConsultationType,
    DateOverride,
    WeeklyHours,
)
from consult.booking.time_off import time_off_between
from consult.calendars.service import busy_between


def load_availability(
    session: Session, time_zone: str, *, first_day: date, last_day: date
) -> slots.Availability:
    """The consultant's weekly hours, slot step and the date overrides of the consultant-local
    days from `first_day` to `last_day` (three queries, whatever the data): the caller computes
    no day outside them.
    """
    weekly: dict[int, list[slots.TimeRange]] = {}
    for row in session.exec(
        select(WeeklyHours).order_by(col(WeeklyHours.weekday), col(WeeklyHours.start_time))
    ).all():
        weekly.setdefault(row.weekday, []).append(slots.TimeRange(row.start_time, row.end_time))
    overrides: dict[date, list[slots.TimeRange]] = {}
    for override in session.exec(
        select(DateOverride)
        .where(col(DateOverride.day) >= first_day, col(DateOverride.day) <= last_day)
        .order_by(col(DateOverride.day), col(DateOverride.start_time))
    ).all():
        ranges = overrides.setdefault(override.day, [])
        if override.start_time is not None and override.end_time is not None:  # else a day off
            ranges.append(slots.TimeRange(override.start_time, override.end_time))
    settings = session.get(BookingSettings, 1)
    return slots.Availability(
        time_zone=time_zone,
        weekly=tuple(
            slots.WeeklyHours(weekday, tuple(ranges)) for weekday, ranges in weekly.items()
        ),
        overrides=tuple(
            slots.DateOverride(day, tuple(ranges)) for day, ranges in overrides.items()
        ),
        slot_step_minutes=settings.slot_step_minutes if settings else 30,
    )


def rules_for(consultation_type: ConsultationType) -> slots.SlotRules:
    return slots.SlotRules(
        duration_minutes=consultation_type.duration_minutes,
        buffer_before_minutes=consultation_type.buffer_before_minutes,
        buffer_after_minutes=consultation_type.buffer_after_minutes,
        minimum_notice_hours=consultation_type.minimum_notice_hours,
        booking_window_days=consultation_type.booking_window_days,
        max_per_day=consultation_type.max_per_day,
    )


def occupying_bookings(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    moving_booking_id: int | None = None,
) -> list[Booking]:
    """Confirmed bookings and live holds whose occupied time (buffers included) overlaps [start,
    end), but for the booking being moved (its time is its own to leave).
    """
    query = (
        select(Booking)
        .where(Booking.occupies_until > start, Booking.occupies_from < end)
        .where(
            or_(
                col(Booking.status) == "confirmed",
                (col(Booking.status) == "held") & (col(Booking.hold_expires_at) > now),
            )
        )
    )
    if moving_booking_id is not None:
        query = query.where(col(Booking.id) != moving_booking_id)
    return list(session.exec(query).all())


def occupancy(
    session: Session,
    *,
    consultation_type_id: int,
    first_day: date,
    last_day: date,
    time_zone: ZoneInfo,
    now: datetime,
    moving_booking_id: int | None = None,
) -> tuple[list[slots.Occupied], dict[date, int]]:
    """What the slot engine needs to know of existing bookings between two consultant-local days.

    With `moving_booking_id`, that booking neither occupies time nor counts towards a day's
    maximum: a booking moving within its own day must not find the day full of itself.
    """
    start = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), tzinfo=time_zone)
    end = datetime.combine(last_day + timedelta(days=2), datetime.min.time(), tzinfo=time_zone)
    bookings = occupying_bookings(
        session, start=start, end=end, now=now, moving_booking_id=moving_booking_id
    )
    occupied = [
        slots.Occupied(booking.occupies_from, booking.occupies_until) for booking in bookings
    ]
    # External calendars' busy times: a slot and its type's buffers must stay clear of them.
    occupied.extend(
        slots.Occupied(busy.start, busy.end) for busy in busy_between(session, start=start, end=end)
    )
    occupied.extend(
        slots.Occupied(span.starts_at, span.ends_at)
        for span in time_off_between(session, start=start, end=end)
    )
    per_day = Counter(
        booking.starts_at.astimezone(time_zone).date()
        for booking in bookings
        if booking.consultation_type_id == consultation_type_id
    )
    return occupied, dict(per_day)
