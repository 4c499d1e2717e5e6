"""The slot engine: free consultation start times from hours, overrides, bookings and rules. No
Flask, no database.

The hours and rules it takes, and their validation, live in booking.availability; `__all__`
offers them here too, with the engine.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Occupied:
    """Time taken by a confirmed booking or live hold, its own buffers included (aware datetimes,
    half-open).
    """

    start: datetime
    end: datetime


@dataclass(frozen=True)
class OccupiedIndex:
    """Occupied time merged into sorted, disjoint UTC spans, so an overlap test is one bisection."""

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]

    @classmethod
    def build(cls, occupied: Sequence[Occupied]) -> OccupiedIndex:
        """Sort and merge the spans once; empty spans take no time and are dropped."""
        spans = sorted((as_utc(span.start), as_utc(span.end)) for span in occupied)
        starts: list[datetime] = []
        ends: list[datetime] = []  # ends stay sorted too, since merged spans are disjoint
        for start, end in spans:
            if end <= start:
                continue
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        return cls(tuple(starts), tuple(ends))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) shares any instant with the occupied time; touching is not
        overlapping.
        """
        position = bisect_right(self.ends, start)  # the first span ending after `start`
        return position < len(self.starts) and self.starts[position] < end


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused, since its zone would be a guess."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{moment.isoformat()} has no time zone; the slot engine only takes aware datetimes."
        )
    return moment.astimezone(UTC)


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


def _existing_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant the naive local `wall` names (its first occurrence when ambiguous), None in a
    DST gap.
    """
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _first_instant_reading(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock reads `wall` or later: in a DST gap, the jump
    itself.
    """
    instant = _existing_instant(wall, zone)
    if instant is not None:
        return instant
    low, high = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    while high - low > ONE_SECOND:  # the clock reads < wall at `low` and > wall at `high`
        middle = low + ((high - low) // 2 // ONE_SECOND) * ONE_SECOND
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


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
    index = OccupiedIndex.build(occupied)
    step = timedelta(minutes=availability.slot_step_minutes)
    duration = timedelta(minutes=rules.duration_minutes)
    before = timedelta(minutes=rules.buffer_before_minutes)
    after = timedelta(minutes=rules.buffer_after_minutes)
    slots = []
    day = first_day
    while day <= last_day:
        if rules.max_per_day is None or bookings_per_day.get(day, 0) < rules.max_per_day:
            for hours in schedule.ranges_on(day):
                range_end = _first_instant_reading(datetime.combine(day, hours.end), zone)
                wall, wall_end = (
                    datetime.combine(day, hours.start),
                    datetime.combine(day, hours.end),
                )
                while wall < wall_end:
                    start = _existing_instant(wall, zone)
                    wall += step
                    if start is None or start < earliest:
                        continue
                    if start >= latest or start + duration > range_end:
                        break  # later starts on this grid are later instants: they fail too
                    if not index.overlaps(start - before, start + duration + after):
                        slots.append(start)
        day += ONE_DAY
    return sorted(set(slots))


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
