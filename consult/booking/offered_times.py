"""The free times a booking page offers a guest, read from the database: one guest-local day's
times, and the move pages' stretches of days with free times. Only the days shown are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.booking import slots
from consult.booking.calendar import load_availability, occupancy, rules_for
from consult.booking.models import ConsultationType
from consult.db import id_of

# The days a move page lists at a time ("other days with free times"), and so computes.
DAYS_PER_STRETCH = 28


def guest_day_slots(
    *,
    session: Session,
    consultation_type: ConsultationType,
    guest_day: date,
    guest_time_zone: str,
    site_time_zone: ZoneInfo,
    now: datetime,
    moving_booking_id: int | None = None,
) -> list[datetime]:
    """Free start times on `guest_day` in the guest's zone (for a move: as if the moving booking
    were not there).
    """
    # The consultant-local days a guest's day can overlap, whatever the two zones.
    first_day, last_day = guest_day - timedelta(days=1), guest_day + timedelta(days=1)
    return slots.free_slots_for_guest_day(
        **calendar_of(
            session,
            consultation_type=consultation_type,
            site_time_zone=site_time_zone,
            now=now,
            first_day=first_day,
            last_day=last_day,
            moving_booking_id=moving_booking_id,
        ),
        guest_day=guest_day,
        guest_time_zone=guest_time_zone,
    )


def calendar_of(
    session: Session,
    *,
    consultation_type: ConsultationType,
    site_time_zone: ZoneInfo,
    now: datetime,
    first_day: date,
    last_day: date,
    moving_booking_id: int | None = None,
    overrides_beyond: timedelta = timedelta(0),
) -> dict[str, Any]:
    """What the slot engine needs of the calendar for the consultant-local days [first_day,
    last_day], as its keyword arguments: the hours (with the date overrides of `overrides_beyond`
    more days either side), the type's rules, the time taken and the bookings per day (for a
    move: as if the moving booking were not there), and `now`.
    """
    occupied, per_day = occupancy(
        session,
        consultation_type_id=id_of(consultation_type),
        first_day=first_day,
        last_day=last_day,
        time_zone=site_time_zone,
        now=now,
        moving_booking_id=moving_booking_id,
    )
    availability = load_availability(
        session,
        site_time_zone.key,
        first_day=first_day - overrides_beyond,
        last_day=last_day + overrides_beyond,
    )
    return {
        "availability": availability,
        "rules": rules_for(consultation_type),
        "occupied": occupied,
        "bookings_per_day": per_day,
        "now": now,
    }


@dataclass(frozen=True)
class DaysWithSlots:
    """One stretch of the booking window: its first day, its guest-local days with a free
    time, and the first days of the stretches before and after it, where there are such.
    """

    first_day: date
    days: list[date]
    earlier_from: date | None
    later_from: date | None


def guest_days_with_slots(
    *,
    session: Session,
    consultation_type: ConsultationType,
    guest_time_zone: str,
    site_time_zone: ZoneInfo,
    now: datetime,
    from_day: date | None = None,
    moving_booking_id: int | None = None,
) -> DaysWithSlots:
    """Days with at least one free slot in the first stretch of DAYS_PER_STRETCH days, from
    `from_day` (default today), that has any; stretches wholly booked are passed over (for a
    move: as if the moving booking were not there).

    Only the days shown are computed (and their bookings read), however long the window is.
    """
    today = now.astimezone(site_time_zone).date()
    window_end = today + timedelta(days=consultation_type.booking_window_days + 1)
    first_day = min(max(from_day or today, today), window_end)
    while True:
        last_day = min(first_day + timedelta(days=DAYS_PER_STRETCH - 1), window_end)
        days = slots.days_with_free_slots(
            **calendar_of(
                session,
                consultation_type=consultation_type,
                site_time_zone=site_time_zone,
                now=now,
                first_day=first_day,
                last_day=last_day,
                moving_booking_id=moving_booking_id,
                # The overrides of the days either side a guest's day overlaps, too.
                overrides_beyond=timedelta(days=1),
            ),
            first_day=first_day,
            last_day=last_day,
            guest_time_zone=guest_time_zone,
        )
        later_from = last_day + timedelta(days=1) if last_day < window_end else None
        if days or later_from is None:
            earlier = max(today, first_day - timedelta(days=DAYS_PER_STRETCH))
            return DaysWithSlots(
                first_day, days, earlier if first_day > today else None, later_from
            )
        first_day = later_from
