"""Helpers for the slot engine's tests: availability and rules in a line, slots read as wall clocks.

The consultant works in Chicago; MONDAY is 4 January 2027 and NOW is the start of that year.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from consult.booking.slots import (
    Availability,
    DateOverride,
    SlotRules,
    TimeRange,
    WeeklyHours,
    compute_free_slots,
    days_with_free_slots,
    free_slots_for_guest_day,
)

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2027, 1, 1, tzinfo=UTC)
MONDAY = date(2027, 1, 4)


def hours(*spans: str) -> tuple[TimeRange, ...]:
    """hours("09:00-12:00", …) as TimeRanges."""
    return tuple(
        TimeRange(*(time.fromisoformat(part) for part in span.split("-"))) for span in spans
    )


def availability(weekly=None, overrides=(), step=60, zone="America/Chicago"):
    weekly = {0: hours("09:00-12:00")} if weekly is None else weekly
    return Availability(
        zone,
        tuple(WeeklyHours(day, ranges) for day, ranges in weekly.items()),
        tuple(DateOverride(day, ranges) for day, ranges in overrides),
        step,
    )


def rules(**changes):
    values = dict(
        duration_minutes=60,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        minimum_notice_hours=0,
        booking_window_days=60,
        max_per_day=None,
    )
    return SlotRules(**(values | changes))


def free(
    hours_offered, slot_rules=None, *, occupied=(), per_day=None, now=NOW, first=MONDAY, last=None
):
    return compute_free_slots(
        availability=hours_offered,
        rules=slot_rules or rules(),
        occupied=occupied,
        bookings_per_day=per_day or {},
        now=now,
        first_day=first,
        last_day=last or first,
    )


def clocks(slots, zone=CHICAGO):
    return [slot.astimezone(zone).strftime("%H:%M") for slot in slots]


def chicago(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=CHICAGO)


def guest_day(zone, day, offered=None, **kwargs):
    return free_slots_for_guest_day(
        availability=offered or availability(),
        rules=kwargs.pop("slot_rules", rules()),
        occupied=(),
        bookings_per_day={},
        now=kwargs.pop("now", NOW),
        guest_day=day,
        guest_time_zone=zone,
    )


def guest_days(zone, first, last, offered=None, now=NOW):
    return days_with_free_slots(
        availability=offered or availability(),
        rules=rules(),
        occupied=(),
        bookings_per_day={},
        now=now,
        first_day=first,
        last_day=last,
        guest_time_zone=zone,
    )
