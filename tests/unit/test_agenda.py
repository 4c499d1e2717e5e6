"""The week's agenda: ISO weeks, days in the consultant's zone, and bookings over busy times."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from consult.booking.agenda import Span, build_week, iso_week, week_monday
from consult.booking.availability import Schedule, TimeRange

CHICAGO = ZoneInfo("America/Chicago")
SCHEDULE = Schedule({0: (TimeRange(time(9), time(12)),)}, {})


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=CHICAGO)


def test_weeks_are_iso_weeks_and_anything_else_is_refused():
    assert week_monday("2026-W49", today=date(2026, 1, 1)) == date(2026, 11, 30)
    assert week_monday(None, today=date(2026, 12, 3)) == date(2026, 11, 30)
    assert iso_week(date(2026, 12, 28)) == "2026-W53" and iso_week(date(2027, 1, 4)) == "2027-W01"
    for bad in ("2026-W54", "2026-W00", "W49", "9999-W52", "0001-W01", "2026-w49", "2026-W4"):
        with pytest.raises(ValueError):
            week_monday(bad, today=date(2026, 1, 1))


def test_each_day_lists_its_hours_and_entries_in_order_and_flags_bookings_over_busy_times():
    booking = Span("booking", at(30, 10), at(30, 11), "Discovery call: Ana", "b1")
    hold = Span("hold", at(30, 9), at(30, 9, 30), "Strategy: Bo", "b2")
    away = Span("time_off", at(30, 15), at(30, 16), "Dentist")
    busy = Span("busy", at(30, 10, 30), at(30, 12), "Work")
    all_day = Span(
        "busy", at(30, 0).replace(day=1, month=12), at(30, 0).replace(day=2, month=12), "Home"
    )
    days = build_week(
        monday=date(2026, 11, 30),
        zone=CHICAGO,
        schedule=SCHEDULE,
        spans=[booking, hold, away],
        busy=[(busy, "Work"), (all_day, "Home")],
    )
    assert [day.day for day in days] == [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
    monday = days[0]
    assert monday.open_hours == (TimeRange(time(9), time(12)),) and days[1].open_hours == ()
    assert [entry.span.kind for entry in monday.entries] == ["hold", "booking", "busy", "time_off"]
    flagged = {entry.span.public_id: entry.overlaps for entry in monday.entries}
    assert flagged == {"b2": (), "b1": ("Work",), None: ()}
    [whole_day] = days[1].entries
    assert whole_day.starts_at == at(30, 0).replace(day=1, month=12)
    assert whole_day.starts_at.tzinfo == CHICAGO


def test_a_span_over_midnight_shows_on_both_days_cut_to_each():
    late = Span(
        "booking",
        datetime(2026, 12, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 6, 30, tzinfo=UTC),
        "Late call",
        "b3",
    )
    days = build_week(
        monday=date(2026, 11, 30), zone=CHICAGO, schedule=SCHEDULE, spans=[late], busy=[]
    )
    assert days[0].entries[0].starts_at == at(30, 23, 30)
    assert days[0].entries[0].ends_at == at(30, 0).replace(day=1, month=12)
    assert days[1].entries[0].ends_at.astimezone(CHICAGO).hour == 0
    assert days[1].entries[0].ends_at == datetime(2026, 12, 1, 0, 30, tzinfo=CHICAGO)
