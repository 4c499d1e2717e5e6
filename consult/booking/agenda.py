"""The consultant's week at a glance: open hours, bookings, holds, time off and external busy
times per day, with bookings that now overlap a busy time flagged. No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consult.booking.availability import Schedule, TimeRange

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Span:
    """Something on the calendar: a booking or hold (with its id), time off, or a busy time."""

    kind: str  # "booking", "hold", "time_off" or "busy"
    starts_at: datetime
    ends_at: datetime
    title: str
    public_id: str | None = None


@dataclass(frozen=True)
class AgendaEntry:
    span: Span
    starts_at: datetime  # in the consultant's zone, cut to the day
    ends_at: datetime
    overlaps: tuple[str, ...]  # the names of the calendars whose busy times it overlaps


@dataclass(frozen=True)
class AgendaDay:
    day: date
    open_hours: tuple[TimeRange, ...]
    entries: tuple[AgendaEntry, ...]


def week_monday(value: str | None, *, today: date) -> date:
    """The Monday of an ISO week written `2026-W48` (this week when empty); ValueError when the
    text is not such a week of the years 2000 to 2999.
    """
    if not value:
        return today - timedelta(days=today.weekday())
    match = _ISO_WEEK.match(value)
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise ValueError(f"{value!r} is not a week like 2026-W48")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def build_week(
    *,
    monday: date,
    zone: ZoneInfo,
    schedule: Schedule,
    spans: Sequence[Span],
    busy: Sequence[tuple[Span, str]],
) -> list[AgendaDay]:
    """Seven days from `monday`, each with its open hours and what falls on it, earliest first.

    `busy` pairs each external busy time with its calendar's name. A booking or hold is flagged
    with every calendar whose busy time overlaps its own time.
    """
    busy_spans = [span for span, _ in busy]
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start = datetime.combine(day, time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        entries = [
            AgendaEntry(
                span=span,
                starts_at=max(span.starts_at, start).astimezone(zone),
                ends_at=min(span.ends_at, end).astimezone(zone),
                overlaps=_overlapping_calendars(span, busy),
            )
            for span in [*spans, *busy_spans]
            if span.starts_at < end and span.ends_at > start
        ]
        entries.sort(key=lambda entry: (entry.starts_at, entry.ends_at, entry.span.kind))
        days.append(AgendaDay(day, schedule.ranges_on(day), tuple(entries)))
    return days


def _overlapping_calendars(span: Span, busy: Sequence[tuple[Span, str]]) -> tuple[str, ...]:
    if span.kind not in ("booking", "hold"):
        return ()
    names = {
        name
        for other, name in busy
        if other.starts_at < span.ends_at and other.ends_at > span.starts_at
    }
    return tuple(sorted(names))
