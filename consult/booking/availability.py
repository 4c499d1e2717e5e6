"""The consultant's hours and a consultation type's slot rules as plain data, and their validation
in words an admin can act on. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
class Schedule:
    """The hours per weekday and per overridden date, each sorted by start (repeated entries are
    combined).
    """

    weekly: Mapping[int, tuple[TimeRange, ...]]
    overrides: Mapping[date, tuple[TimeRange, ...]]

    @classmethod
    def build(cls, availability: Availability) -> Schedule:
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
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a key too long
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
    schedule = Schedule.build(availability)
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
