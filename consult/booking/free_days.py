"""The days and times the booking pages offer, in the guest's zone: the month calendar's days
with free times, and the move pages' stretch of days; each with the chosen day's times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.booking import slots
from consult.booking.models import ConsultationType
from consult.booking.month import MonthCalendar, month_calendar, months_between
from consult.booking.offered_times import (
    DaysWithSlots,
    calendar_of,
    guest_day_slots,
    guest_days_with_slots,
)

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class MonthOfTimes:
    """What the page shows: the month, its days with a free time, the chosen day and its times;
    `window_is_full` when no month of the booking window has a free time at all.
    """

    calendar: MonthCalendar
    free_days: frozenset[date]
    chosen_day: date | None
    times: list[datetime]
    window_is_full: bool = False


def bookable_days(
    consultation_type: ConsultationType, *, guest_time_zone: str, now: datetime
) -> tuple[date, date]:
    """The first and last guest-local days on which the type's booking window may hold a time."""
    zone = ZoneInfo(guest_time_zone)
    window_end = now + timedelta(days=consultation_type.booking_window_days)
    return now.astimezone(zone).date(), window_end.astimezone(zone).date()


def free_days_in_month(
    *,
    session: Session,
    consultation_type: ConsultationType,
    month: MonthCalendar,
    guest_time_zone: str,
    site_time_zone: ZoneInfo,
    now: datetime,
) -> frozenset[date]:
    """The guest-local days of the month with at least one free time.

    Only this month's days (within the window) are computed and their bookings read, so the
    work is one month's whatever the calendar holds.
    """
    earliest, latest = bookable_days(consultation_type, guest_time_zone=guest_time_zone, now=now)
    first, last = max(month.first_day, earliest), min(month.last_day, latest)
    if first > last:
        return frozenset()
    # The consultant-local days the guest's days can overlap, whatever the two zones; none before
    # the consultant's today, which no free time precedes (past days off and time off stay unread).
    consultant_today = now.astimezone(site_time_zone).date()
    consultant_first, consultant_last = max(first - ONE_DAY, consultant_today), last + ONE_DAY
    return frozenset(
        slots.days_with_free_slots(
            **calendar_of(
                session,
                consultation_type=consultation_type,
                site_time_zone=site_time_zone,
                now=now,
                first_day=consultant_first,
                last_day=consultant_last,
            ),
            first_day=first,
            last_day=last,
            guest_time_zone=guest_time_zone,
        )
    )


def month_of_times(
    *,
    session: Session,
    consultation_type: ConsultationType,
    guest_time_zone: str,
    site_time_zone: ZoneInfo,
    now: datetime,
    month: date | None,
    chosen_day: date | None,
) -> MonthOfTimes:
    """The month asked for (else the chosen day's), with the chosen day's times; with neither,
    the first month that has a free time (months wholly booked are passed over), its first free
    day chosen.
    """
    earliest, latest = bookable_days(consultation_type, guest_time_zone=guest_time_zone, now=now)
    asked = month or chosen_day
    for candidate in [asked] if asked else months_between(earliest, latest):
        shown = month_calendar(candidate, earliest=earliest, latest=latest)
        free_days = free_days_in_month(
            session=session,
            consultation_type=consultation_type,
            month=shown,
            guest_time_zone=guest_time_zone,
            site_time_zone=site_time_zone,
            now=now,
        )
        if free_days or asked:
            break
    else:
        return MonthOfTimes(
            month_calendar(earliest, earliest=earliest, latest=latest),
            frozenset(),
            None,
            [],
            window_is_full=True,
        )
    day = chosen_day or (min(free_days) if free_days else None)
    times = (
        guest_day_slots(
            session=session,
            consultation_type=consultation_type,
            guest_day=day,
            guest_time_zone=guest_time_zone,
            site_time_zone=site_time_zone,
            now=now,
        )
        if day is not None
        else []
    )
    return MonthOfTimes(shown, free_days, day, times)


@dataclass(frozen=True)
class MoveChoices:
    """What a move page shows: a stretch of days with free times, the chosen day and its times,
    all as if the booking being moved were not there.
    """

    stretch: DaysWithSlots
    chosen_day: date | None
    times: list[datetime]


def move_choices(
    *,
    session: Session,
    consultation_type: ConsultationType,
    moving_booking_id: int,
    guest_time_zone: str,
    site_time_zone: ZoneInfo,
    now: datetime,
    from_day: date | None,
    chosen_day: date | None,
) -> MoveChoices:
    """The guest's and the consultant's move pages: the stretch from `from_day`, and the chosen
    day's times (the stretch's first free day when none is chosen).
    """
    stretch = guest_days_with_slots(
        session=session,
        consultation_type=consultation_type,
        guest_time_zone=guest_time_zone,
        site_time_zone=site_time_zone,
        now=now,
        from_day=from_day,
        moving_booking_id=moving_booking_id,
    )
    day = chosen_day or (stretch.days[0] if stretch.days else None)
    times = (
        guest_day_slots(
            session=session,
            consultation_type=consultation_type,
            guest_day=day,
            guest_time_zone=guest_time_zone,
            site_time_zone=site_time_zone,
            now=now,
            moving_booking_id=moving_booking_id,
        )
        if day is not None
        else []
    )
    return MoveChoices(stretch, day, times)
