"""The slot engine's rules: hours, overrides, notice, window, buffers, daily caps and validation."""

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from consult.booking.slots import (
    Availability,
    DateOverride,
    Occupied,
    WeeklyHours,
    occupied_span,
    validate_availability,
    validate_rules,
)
from tests.unit.slot_fixtures import (
    CHICAGO,
    MONDAY,
    availability,
    chicago,
    clocks,
    free,
    hours,
    rules,
)


def test_plain_weekday_hours_give_utc_starts_on_the_grid():
    slots = free(availability(), first=MONDAY, last=MONDAY + timedelta(days=6))
    assert [slot.isoformat() for slot in slots] == [
        "2027-01-04T15:00:00+00:00",
        "2027-01-04T16:00:00+00:00",
        "2027-01-04T17:00:00+00:00",
    ]
    assert all(slot.tzinfo is UTC for slot in slots)


def test_several_ranges_a_day_and_a_meeting_must_fit_inside_one():
    offered = availability({0: hours("13:00-17:00", "09:00-10:45")}, step=30)
    assert clocks(free(offered)) == [
        "09:00",
        "09:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    ]
    touching = availability({0: hours("09:00-10:00", "10:00-11:00")}, step=30)
    assert clocks(free(touching)) == ["09:00", "10:00"]  # 09:30 would straddle two ranges


def test_overrides_replace_the_weekly_hours_for_their_date():
    next_monday = MONDAY + timedelta(days=7)
    saturday = MONDAY + timedelta(days=5)
    changes = [(MONDAY, ()), (next_monday, hours("14:00-16:00")), (saturday, hours("10:00-11:00"))]
    slots = free(
        availability({0: hours("09:00-12:00")}, changes),
        first=MONDAY,
        last=MONDAY + timedelta(days=14),
    )
    assert [slot.astimezone(CHICAGO).strftime("%d %H:%M") for slot in slots] == [
        "09 10:00",
        "11 14:00",
        "11 15:00",
        "18 09:00",
        "18 10:00",
        "18 11:00",
    ]


def test_minimum_notice_counts_from_now_and_its_boundary_is_allowed():
    now = chicago(MONDAY, "08:00")
    assert clocks(free(availability(), rules(minimum_notice_hours=2), now=now)) == [
        "10:00",
        "11:00",
    ]
    assert clocks(
        free(availability(), rules(minimum_notice_hours=2), now=now + timedelta(minutes=1))
    ) == ["11:00"]
    assert clocks(free(availability(), now=chicago(MONDAY, "10:30"))) == ["11:00"]


def test_the_booking_window_is_whole_days_from_now_and_exclusive():
    offered = availability({day: hours("08:00-10:00") for day in range(7)}, step=30)
    slots = free(
        offered,
        rules(duration_minutes=30, booking_window_days=1),
        now=chicago(MONDAY, "09:00"),
        last=MONDAY + timedelta(days=3),
    )
    assert [slot.astimezone(CHICAGO).strftime("%a %H:%M") for slot in slots] == [
        "Mon 09:00",
        "Mon 09:30",
        "Tue 08:00",
        "Tue 08:30",
    ]


def test_buffers_on_both_sides_may_touch_an_occupied_span_but_not_overlap_it():
    offered = availability({0: hours("08:00-14:00")}, step=15)
    taken = [Occupied(chicago(MONDAY, "10:00"), chicago(MONDAY, "11:00"))]
    slots = clocks(
        free(offered, rules(buffer_before_minutes=15, buffer_after_minutes=15), occupied=taken)
    )
    assert slots[:4] == ["08:00", "08:15", "08:30", "08:45"] and slots[4] == "11:15"
    assert "09:00" not in slots and "11:00" not in slots and slots[-1] == "13:00"
    without_buffers = clocks(free(offered, rules(), occupied=taken))
    assert (
        "09:00" in without_buffers and "11:00" in without_buffers and "09:15" not in without_buffers
    )


def test_occupied_spans_may_overlap_each_other_and_come_in_any_order_or_zone():
    offered = availability({0: hours("08:00-14:00")}, step=60)
    taken = [
        Occupied(chicago(MONDAY, "11:00"), chicago(MONDAY, "12:00")),
        Occupied(datetime(2027, 1, 4, 14, 30, tzinfo=UTC), datetime(2027, 1, 4, 17, 0, tzinfo=UTC)),
        Occupied(chicago(MONDAY, "09:00"), chicago(MONDAY, "09:00")),
    ]  # empty: takes no time
    assert clocks(free(offered, occupied=taken)) == ["12:00", "13:00"]
    nested = [
        Occupied(chicago(MONDAY, "08:30"), chicago(MONDAY, "12:30")),
        Occupied(chicago(MONDAY, "09:00"), chicago(MONDAY, "09:30")),
    ]
    assert clocks(free(offered, occupied=nested)) == [
        "13:00"
    ]  # the inner span must not shorten the outer one


def test_occupied_span_adds_the_buffers_in_real_elapsed_time():
    span = occupied_span(
        chicago(date(2026, 3, 8), "01:30"), rules(buffer_before_minutes=10, buffer_after_minutes=20)
    )
    assert (span.start.isoformat(), span.end.isoformat()) == (
        "2026-03-08T07:20:00+00:00",
        "2026-03-08T08:50:00+00:00",
    )
    assert (
        span.end.astimezone(CHICAGO).strftime("%H:%M") == "03:50"
    )  # 80 real minutes across the lost hour


def test_a_full_day_offers_nothing_and_other_days_are_untouched():
    offered = availability({0: hours("09:00-12:00"), 1: hours("09:00-10:00")})
    slots = free(
        offered, rules(max_per_day=2), per_day={MONDAY: 2}, last=MONDAY + timedelta(days=1)
    )
    assert [slot.astimezone(CHICAGO).strftime("%a %H:%M") for slot in slots] == ["Tue 09:00"]
    assert len(free(offered, rules(max_per_day=3), per_day={MONDAY: 2})) == 3
    assert len(free(offered, rules(max_per_day=None), per_day={MONDAY: 50})) == 3


def test_validation_names_every_problem_for_the_admin():
    broken = Availability(
        "Mars/Olympus_Mons",
        (
            WeeklyHours(0, hours("09:00-12:00", "11:00-13:00", "12:00-09:00")),
            WeeklyHours(7, hours("09:00-10:00")),
        ),
        (DateOverride(date(2026, 12, 24), hours("10:00-12:00", "10:00-10:30")),),
        7,
    )
    assert validate_availability(broken) == [
        "“Mars/Olympus_Mons” is not a known time zone (use a name like America/Chicago).",
        "The slot step must be a positive multiple of 5 minutes, not 7.",
        "Monday: 12:00–09:00 must start before it ends.",
        "Monday: 09:00–12:00 overlaps 11:00–13:00.",
        "Weekday 7 is not one of 0 (Monday) to 6 (Sunday).",
        "2026-12-24: 10:00–10:30 overlaps 10:00–12:00.",
    ]
    assert validate_availability(availability({0: hours("09:00-12:00", "12:00-13:00")})) == []
    assert validate_availability(availability(step=0))[0].startswith(
        "The slot step must be a positive multiple"
    )
    assert validate_rules(rules()) == []
    assert validate_rules(
        rules(
            duration_minutes=0,
            buffer_before_minutes=-5,
            buffer_after_minutes=7,
            minimum_notice_hours=-1,
            booking_window_days=0,
            max_per_day=0,
        )
    ) == [
        "The duration must be more than 0 minutes.",
        "The buffer before cannot be negative.",
        "The buffer after must be a multiple of 5 minutes, not 7.",
        "The minimum notice cannot be negative.",
        "The booking window must be at least 1 day.",
        "The daily maximum must be at least 1, or left empty for no maximum.",
    ]
    assert validate_rules(rules(duration_minutes=52)) == [
        "The duration must be a multiple of 5 minutes, not 52."
    ]


def test_the_engine_refuses_invalid_input_rather_than_guessing():
    with pytest.raises(ValueError, match="slot step"):
        free(availability(step=0))
    with pytest.raises(ValueError, match="no time zone"):
        free(availability(), now=datetime(2027, 1, 1))  # noqa: DTZ001  naive on purpose: refused
    assert free(availability(), first=MONDAY, last=MONDAY - timedelta(days=1)) == []


def test_the_slot_engine_loads_neither_flask_nor_the_database_layer():
    code = (
        "import sys, consult.booking.slots\n"
        "print([name for name in ('flask', 'sqlmodel', 'sqlalchemy') if name in sys.modules])"
    )
    result = subprocess.run(  # noqa: S603  fixed argv: this interpreter and a literal script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
