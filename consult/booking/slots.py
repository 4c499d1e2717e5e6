"""The slot engine: free consultation start times from hours, overrides, bookings and rules. No
Flask, no database.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ONE_DAY = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class TimeRange:
    """Consultant-local wall-clock hours on one day: start inclusive, end exclusive, start < end."""

    start: time
    end: time


@dataclass(frozen=True)
class WeeklyHours:
    """The hours offered every week on one weekday (0 = Monday … 6 = Sunday)."""

    weekday: int
    ranges: tuple[TimeRange, ...]


@dataclass(frozen=True)
class DateOverride:
    """Hours that replace the weekly hours on one date; no ranges means a day off."""

    day: date
    ranges: tuple[TimeRange, ...]


@dataclass(frozen=True)
class Availability:
    """When the consultant can be booked, in their own IANA time zone."""

    time_zone: str
    weekly: tuple[WeeklyHours, ...]
    overrides: tuple[DateOverride, ...]
    slot_step_minutes: int


@dataclass(frozen=True)
class SlotRules:
    """What one consultation type asks of a free slot."""

    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_hours: int
    booking_window_days: int
    max_per_day: int | None


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


@dataclass(frozen=True)
class _Schedule:
    """The hours per weekday and per overridden date, each sorted by start (repeated entries are
    combined).
    """

    weekly: Mapping[int, tuple[TimeRange, ...]]
    overrides: Mapping[date, tuple[TimeRange, ...]]

    @classmethod
    def build(cls, availability: Availability) -> _Schedule:
        weekly: dict[int, list[TimeRange]] = {}
        overrides: dict[date, list[TimeRange]] = {}
        for hours in availability.weekly:
            weekly.setdefault(hours.weekday, []).extend(hours.ranges)
        for override in availability.overrides:
            overrides.setdefault(override.day, []).extend(override.ranges)

        def by_start(ranges: list[TimeRange]) -> tuple[TimeRange, ...]:
            return tuple(sorted(ranges, key=lambda item: (item.start, item.end)))

        return cls(
            {k: by_start(v) for k, v in weekly.items()},
            {k: by_start(v) for k, v in overrides.items()},
        )

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def _range_problems(label: str, ranges: tuple[TimeRange, ...]) -> list[str]:
    problems = [
        f"{label}: {_clock(item.start)}–{_clock(item.end)} must start before it ends."
        for item in ranges
        if item.start >= item.end
    ]
    ordered = [item for item in ranges if item.start < item.end]
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            problems.append(
                f"{label}: {_clock(earlier.start)}–{_clock(earlier.end)} overlaps "
                f"{_clock(later.start)}–{_clock(later.end)}."
            )
    return problems


def is_known_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def validate_availability(availability: Availability) -> list[str]:
    """Problems with the hours, in words an admin can act on; empty when the hours are usable."""
    problems = []
    if not is_known_time_zone(availability.time_zone):
        problems.append(
            f"“{availability.time_zone}” is not a known time zone "
            "(use a name like America/Chicago)."
        )
    step = availability.slot_step_minutes
    if step <= 0 or step % 5:
        problems.append(f"The slot step must be a positive multiple of 5 minutes, not {step}.")
    schedule = _Schedule.build(availability)
    for weekday, ranges in sorted(schedule.weekly.items()):
        if weekday in range(7):
            problems.extend(_range_problems(WEEKDAY_NAMES[weekday], ranges))
        else:
            problems.append(f"Weekday {weekday} is not one of 0 (Monday) to 6 (Sunday).")
    for day, ranges in sorted(schedule.overrides.items()):
        problems.extend(_range_problems(day.isoformat(), ranges))
    return problems


def validate_rules(rules: SlotRules) -> list[str]:
    """Problems with a consultation type's slot rules, in words an admin can act on; empty when
    usable.
    """
    problems = []
    if rules.duration_minutes <= 0:
        problems.append("The duration must be more than 0 minutes.")
    elif rules.duration_minutes % 5:
        problems.append(
            f"The duration must be a multiple of 5 minutes, not {rules.duration_minutes}."
        )
    for label, minutes in (
        ("before", rules.buffer_before_minutes),
        ("after", rules.buffer_after_minutes),
    ):
        if minutes < 0:
            problems.append(f"The buffer {label} cannot be negative.")
        elif minutes % 5:
            problems.append(f"The buffer {label} must be a multiple of 5 minutes, not {minutes}.")
    if rules.minimum_notice_hours < 0:
        problems.append("The minimum notice cannot be negative.")
    if rules.booking_window_days < 1:
        problems.append("The booking window must be at least 1 day.")
    if rules.max_per_day is not None and rules.max_per_day < 1:
        problems.append("The daily maximum must be at least 1, or left empty for no maximum.")
    return problems


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
    schedule = _Schedule.build(availability)
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
