"""Busy times from iCalendar text: the spans of a window its events block. No Flask, no database.

Recurrences (RRULE, RDATE, EXDATE, moved or cancelled instances by RECURRENCE-ID) are expanded
by `recurring_ical_events`; times with a TZID (or a VTIMEZONE of the feed's own) or in UTC keep
their zone. Floating times are read in the zone the calendar names in X-WR-TIMEZONE, if any, else
in the consultant's; all-day events block whole days in the consultant's zone. Both follow that
zone's daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

MAX_INTERVALS = 20_000
# The site's own invitations and bookings feed use UIDs ending so: a booking that comes back
# through an external calendar must not block itself.
OWN_UID_SUFFIX = "@consult"
# The library reads a naive window in each event's own zone: widen it, then clip in UTC.
WINDOW_MARGIN = timedelta(days=2)
TOO_FREQUENT = ("SECONDLY", "MINUTELY")


class CalendarUnreadable(ValueError):
    """The text is not an iCalendar file, or its events cannot be read at all."""


@dataclass(frozen=True)
class BusyInterval:
    """A span the consultant is busy: aware UTC datetimes, start inclusive, end exclusive."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class BusyTimes:
    """What a feed blocks in the window, and a note on events that had to be left out."""

    intervals: tuple[BusyInterval, ...]
    problem: str | None = None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _parse(text: str) -> Any:
    if "\x00" in text:
        raise CalendarUnreadable("This is not an iCalendar file: it contains binary data.")
    try:
        calendar = Calendar.from_ical(text)
    except Exception as error:  # icalendar raises ValueError, and others on odd input
        raise CalendarUnreadable(f"This is not an iCalendar file: {_short(error)}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise CalendarUnreadable("This is not an iCalendar file: it has no VCALENDAR.")
    return calendar


def _repeats_every_minute_or_second(event: Any) -> bool:
    rules = event.get("RRULE")
    try:
        for rule in rules if isinstance(rules, list) else [rules]:
            frequencies = rule.get("FREQ", []) if hasattr(rule, "get") else []
            if any(str(frequency).upper() in TOO_FREQUENT for frequency in frequencies):
                return True
    except Exception:  # a broken rule: the expansion reports it
        return False
    return False


def _set_aside_unusable_events(calendar: Any) -> list[str]:
    """Remove the VEVENTs that cannot be expanded sensibly; name what was removed.

    One without DTSTART names no time (and stops the library); one repeating every minute or
    second would take minutes to expand into a window of months.
    """
    kept, without_start, too_frequent = [], 0, 0
    for component in calendar.subcomponents:
        if component.name == "VEVENT" and "DTSTART" not in component:
            without_start += 1
        elif component.name == "VEVENT" and _repeats_every_minute_or_second(component):
            too_frequent += 1
        else:
            kept.append(component)
    calendar.subcomponents[:] = kept
    problems = []
    if without_start:
        problems.append(f"{without_start} event(s) without a start time")
    if too_frequent:
        problems.append(f"{too_frequent} event(s) repeating every minute or second")
    return problems


def _separate_reused_uids(calendar: Any) -> None:
    """Give each further event that reuses a UID (without RECURRENCE-ID) a UID of its own.

    The UID joins a series with its changed instances; a feed that reuses one for unrelated
    events would otherwise lose all but one of them, and with them real busy time.
    """
    seen: dict[str, int] = {}
    for component in calendar.subcomponents:
        if component.name != "VEVENT" or "RECURRENCE-ID" in component:
            continue
        uid = str(component.get("UID", ""))
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:
            component["UID"] = f"{seen[uid]}#{uid}"  # the end stays: OWN_UID_SUFFIX still tells


def _expand(calendar: Any, start: datetime, end: datetime, *, lenient: bool) -> list[Any]:
    query = recurring_ical_events.of(calendar, skip_bad_series=lenient)
    return list(query.between(start, end))


def _blocks(event: Any) -> bool:
    """Whether the event makes the consultant busy: not cancelled, not free, not the site's own."""
    if str(event.get("UID", "")).strip().endswith(OWN_UID_SUFFIX):
        return False
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return False
    if str(event.get("TRANSP", "")).strip().upper() == "TRANSPARENT":
        return False
    # Outlook's "Free" events (usually TRANSPARENT as well, but not in every export).
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper() != "FREE"


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An event time in UTC: a date is midnight in `zone`, a floating time is read in `zone`."""
    if not isinstance(value, datetime):
        # In a gap at midnight, fold=0 lands on the jump itself: the first instant of that day.
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def merge_intervals(intervals: Iterable[BusyInterval]) -> tuple[BusyInterval, ...]:
    """Sorted, disjoint intervals covering the same time; touching spans join, empty ones go."""
    merged: list[BusyInterval] = []
    for interval in sorted(intervals, key=lambda item: (item.start, item.end)):
        if interval.end <= interval.start:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = BusyInterval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return tuple(merged)


def _aware_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(UTC)


def read_busy_times(
    text: str, *, window_start: datetime, window_end: datetime, time_zone: ZoneInfo
) -> BusyTimes:
    """The busy spans in [window_start, window_end) of an iCalendar text, merged and clipped.

    `time_zone` is the consultant's: floating times and all-day events are read in it.
    Cancelled (STATUS:CANCELLED), free (TRANSP:TRANSPARENT) and the site's own events do not
    block. Events that cannot be read are left out and named in `problem`; a text that is
    not a calendar at all raises CalendarUnreadable, so the caller can keep its last good copy.
    """
    start, end = _aware_utc(window_start, "window_start"), _aware_utc(window_end, "window_end")
    calendar = _parse(text)
    problems = _set_aside_unusable_events(calendar)
    _separate_reused_uids(calendar)
    naive_start = (start - WINDOW_MARGIN).replace(tzinfo=None)
    naive_end = (end + WINDOW_MARGIN).replace(tzinfo=None)
    try:
        events = _expand(calendar, naive_start, naive_end, lenient=False)
    except Exception as error:  # any failure is this file's problem, not the caller's
        problems.append(_short(error))
        try:
            events = _expand(calendar, naive_start, naive_end, lenient=True)
        except Exception as second:
            raise CalendarUnreadable(f"The events could not be read: {_short(second)}") from None
    intervals = []
    for event in events:
        if not _blocks(event):
            continue
        try:
            span = BusyInterval(_instant(event.start, time_zone), _instant(event.end, time_zone))
        except Exception as error:  # a single odd event is left out, and said so
            problems.append(_short(error))
            continue
        clipped = BusyInterval(max(span.start, start), min(span.end, end))
        if clipped.start < clipped.end:
            intervals.append(clipped)
    merged = merge_intervals(intervals)
    if len(merged) > MAX_INTERVALS:
        raise CalendarUnreadable(
            f"The feed has more than {MAX_INTERVALS} separate busy times in the booking window."
        )
    problem = None
    if problems:
        problem = "Some events could not be read and were left out: " + "; ".join(problems[:3])
    return BusyTimes(merged, problem)
