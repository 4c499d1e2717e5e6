"""The slot engine: free consultation start times from hours, overrides, bookings and rules. No
Flask, no database.

The hours and rules it takes, and their validation, live in booking.availability; `__all__`
offers them here too, with the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consult.booking.availability import (
    Availability,
    DateOverride,
    Schedule,
    SlotRules,
    TimeRange,
    WeeklyHours,
    validate_availability,
    validate_rules,
)
from consult.booking.slot_grid import (
    EPOCH,
    MICROSECONDS_PER_MINUTE,
    NAIVE_EPOCH,
    ONE_MICROSECOND,
    Occupied,
    OccupiedIndex,
    StartWindow,
    as_utc,
    microseconds,
    starts_across_a_clock_change,
    steady_offset,
)

__all__ = [
    "Availability",
    "DateOverride",
    "Occupied",
    "SlotRules",
    "TimeRange",
    "WeeklyHours",
    "compute_free_slots",
    "days_with_free_slots",
    "free_slots_for_guest_day",
    "occupied_span",
    "validate_availability",
    "validate_rules",
]

ONE_DAY = timedelta(days=1)


def occupied_span(start: datetime, rules: SlotRules) -> Occupied:
    """The UTC span a booking starting at `start` occupies: [start - buffer before, start + duration
    + buffer after).
    """
    start = as_utc(start)
    after_start = timedelta(minutes=rules.duration_minutes + rules.buffer_after_minutes)
    return Occupied(start - timedelta(minutes=rules.buffer_before_minutes), start + after_start)


def _require_valid(availability: Availability, rules: SlotRules) -> None:
    problems = validate_availability(availability) + validate_rules(rules)
    if problems:
        raise ValueError(" ".join(problems))


def _occupied_near(
    occupied: Sequence[Occupied], zone: ZoneInfo, rules: SlotRules, first_day: date, last_day: date
) -> list[Occupied]:
    """The spans that can touch a start time on the local days [first_day, last_day], buffers
    and a day of slack for clock changes included: the index is built from these alone.
    """
    reach = timedelta(
        minutes=rules.duration_minutes + rules.buffer_before_minutes + rules.buffer_after_minutes
    )
    lower = datetime.combine(first_day - ONE_DAY, time(0), tzinfo=zone).astimezone(UTC) - reach
    upper = datetime.combine(last_day + 2 * ONE_DAY, time(0), tzinfo=zone).astimezone(UTC) + reach
    return [span for span in occupied if span.end > lower and span.start < upper]


def _free_slots_utc(
    availability: Availability,
    rules: SlotRules,
    occupied: Sequence[Occupied],
    bookings_per_day: Mapping[date, int],
    now: datetime,
    first_day: date,
    last_day: date,
) -> list[datetime]:
    zone = ZoneInfo(availability.time_zone)
    now_utc = as_utc(now)
    earliest = now_utc + timedelta(hours=rules.minimum_notice_hours)
    latest = now_utc + timedelta(days=rules.booking_window_days)  # exclusive
    # Days wholly outside notice..window cannot hold a slot; one day of slack covers a clock set
    # back over midnight.
    first_day = max(first_day, earliest.astimezone(zone).date() - ONE_DAY)
    last_day = min(last_day, latest.astimezone(zone).date() + ONE_DAY)
    schedule = Schedule.build(availability)
    window = StartWindow(
        index=OccupiedIndex.build(_occupied_near(occupied, zone, rules, first_day, last_day)),
        earliest=microseconds(earliest),
        latest=microseconds(latest),
        step=availability.slot_step_minutes * MICROSECONDS_PER_MINUTE,
        duration=rules.duration_minutes * MICROSECONDS_PER_MINUTE,
        before=rules.buffer_before_minutes * MICROSECONDS_PER_MINUTE,
        after=rules.buffer_after_minutes * MICROSECONDS_PER_MINUTE,
    )
    slots: list[int] = []
    day = first_day
    while day <= last_day:
        if rules.max_per_day is None or bookings_per_day.get(day, 0) < rules.max_per_day:
            for hours in schedule.ranges_on(day):
                first, last = datetime.combine(day, hours.start), datetime.combine(day, hours.end)
                offset = steady_offset(first, last, zone)
                if offset is None:
                    slots.extend(starts_across_a_clock_change(first, last, zone, window))
                else:
                    range_start = (first - offset - NAIVE_EPOCH) // ONE_MICROSECOND
                    range_end = (last - offset - NAIVE_EPOCH) // ONE_MICROSECOND
                    slots.extend(window.free_starts(range_start, range_end))
        day += ONE_DAY
    return [EPOCH + start * ONE_MICROSECOND for start in sorted(set(slots))]


def compute_free_slots(
    *,
    availability: Availability,
    rules: SlotRules,
    occupied: Sequence[Occupied],
    bookings_per_day: Mapping[date, int],
    now: datetime,
    first_day: date,
    last_day: date,
) -> list[datetime]:
    """Every free start time (aware, UTC, sorted) whose consultant-local date lies in [first_day,
    last_day].
    """
    _require_valid(availability, rules)
    return _free_slots_utc(
        availability, rules, occupied, bookings_per_day, now, first_day, last_day
    )


def _guest_slots(
    availability: Availability,
    rules: SlotRules,
    occupied: Sequence[Occupied],
    bookings_per_day: Mapping[date, int],
    now: datetime,
    first_day: date,
    last_day: date,
    guest_time_zone: str,
) -> list[datetime]:
    """Free slots in the guest's zone whose guest-local date lies in [first_day, last_day]."""
    _require_valid(availability, rules)
    zone, guest_zone = ZoneInfo(availability.time_zone), ZoneInfo(guest_time_zone)

    def consultant_day(guest_midnight: date) -> date:
        return datetime.combine(guest_midnight, time(0), tzinfo=guest_zone).astimezone(zone).date()

    # The consultant days overlapping the guest's days, with a day of slack for midnight DST
    # changes.
    slots = _free_slots_utc(
        availability,
        rules,
        occupied,
        bookings_per_day,
        now,
        consultant_day(first_day) - ONE_DAY,
        consultant_day(last_day + ONE_DAY) + ONE_DAY,
    )
    in_guest_zone = (slot.astimezone(guest_zone) for slot in slots)
    return [slot for slot in in_guest_zone if first_day <= slot.date() <= last_day]


def free_slots_for_guest_day(
    *,
    availability: Availability,
    rules: SlotRules,
    occupied: Sequence[Occupied],
    bookings_per_day: Mapping[date, int],
    now: datetime,
    guest_day: date,
    guest_time_zone: str,
) -> list[datetime]:
    """The free start times on the guest's local `guest_day`, sorted, as aware datetimes in the
    guest's zone.
    """
    return _guest_slots(
        availability, rules, occupied, bookings_per_day, now, guest_day, guest_day, guest_time_zone
    )


def days_with_free_slots(
    *,
    availability: Availability,
    rules: SlotRules,
    occupied: Sequence[Occupied],
    bookings_per_day: Mapping[date, int],
    now: datetime,
    first_day: date,
    last_day: date,
    guest_time_zone: str,
) -> list[date]:
    """The guest-local dates in [first_day, last_day] with at least one free start time, sorted."""
    slots = _guest_slots(
        availability, rules, occupied, bookings_per_day, now, first_day, last_day, guest_time_zone
    )
    return sorted({slot.date() for slot in slots})
