"""The slot engine: hours, overrides, notice, window, buffers, daily caps, DST and guests' time zones."""

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.booking.slots import (
    Availability,
    DateOverride,
    Occupied,
    SlotRules,
    TimeRange,
    WeeklyHours,
    compute_free_slots,
    days_with_free_slots,
    free_slots_for_guest_day,
    occupied_span,
    validate_availability,
    validate_rules,
)

UTC = UTC
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


def test_spring_forward_keeps_wall_clock_times_and_the_lost_hour_offers_nothing():
    day, now = date(2026, 3, 8), datetime(2026, 3, 1, tzinfo=UTC)
    offered = availability(overrides=[(day, hours("01:00-04:00"))], step=30)
    half_hours = free(offered, rules(duration_minutes=30), now=now, first=day)
    assert [slot.isoformat() for slot in half_hours] == [
        "2026-03-08T07:00:00+00:00",
        "2026-03-08T07:30:00+00:00",
        "2026-03-08T08:00:00+00:00",
        "2026-03-08T08:30:00+00:00",
    ]
    assert clocks(half_hours) == ["01:00", "01:30", "03:00", "03:30"]
    assert clocks(free(offered, now=now, first=day)) == [
        "01:00",
        "01:30",
        "03:00",
    ]  # 01:30 CST + 1 h = 03:30 CDT
    weekdays = availability({4: hours("09:00-10:00"), 0: hours("09:00-10:00")})
    around = free(weekdays, now=now, first=date(2026, 3, 6), last=date(2026, 3, 9))
    assert [slot.isoformat() for slot in around] == [
        "2026-03-06T15:00:00+00:00",
        "2026-03-09T14:00:00+00:00",
    ]
    ends_in_gap = availability(overrides=[(day, hours("00:00-02:30"))], step=30)
    assert clocks(free(ends_in_gap, now=now, first=day)) == [
        "00:00",
        "00:30",
        "01:00",
    ]  # must end by the jump


def test_fall_back_offers_the_repeated_hour_once_and_measures_in_real_time():
    day, now = date(2026, 11, 1), datetime(2026, 10, 25, tzinfo=UTC)
    offered = availability(overrides=[(day, hours("01:00-04:00"))], step=60)
    slots = free(offered, now=now, first=day)
    assert [slot.isoformat() for slot in slots] == [
        "2026-11-01T06:00:00+00:00",
        "2026-11-01T08:00:00+00:00",
        "2026-11-01T09:00:00+00:00",
    ]
    assert [slot.astimezone(CHICAGO).isoformat() for slot in slots][
        0
    ] == "2026-11-01T01:00:00-05:00"  # the first 01:00
    half_hours = free(
        availability(overrides=[(day, hours("01:00-04:00"))], step=30),
        rules(duration_minutes=30),
        now=now,
        first=day,
    )
    assert clocks(half_hours) == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    ends_when_ambiguous = availability(overrides=[(day, hours("00:00-01:30"))], step=30)
    assert clocks(free(ends_when_ambiguous, now=now, first=day)) == [
        "00:00",
        "00:30",
    ]  # ends at the first 01:30


def test_europe_london_transitions():
    london = ZoneInfo("Europe/London")
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    offered = availability(
        overrides=[(spring, hours("00:00-03:00")), (autumn, hours("00:00-03:00"))],
        step=30,
        zone="Europe/London",
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)
    spring_slots = free(offered, rules(duration_minutes=30), now=now, first=spring)
    assert clocks(spring_slots, london) == [
        "00:00",
        "00:30",
        "02:00",
        "02:30",
    ]  # 01:00–02:00 never happens
    autumn_slots = free(offered, rules(booking_window_days=365), now=now, first=autumn)
    assert [slot.isoformat() for slot in autumn_slots][
        0
    ] == "2026-10-24T23:00:00+00:00"  # local date 25 October
    assert clocks(autumn_slots, london) == ["00:00", "00:30", "01:00", "01:30", "02:00"]
    assert [slot.astimezone(london).utcoffset() for slot in autumn_slots][-1] == timedelta(0)


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


def test_a_guest_in_kolkata_sees_one_chicago_day_across_two_of_theirs():
    offered = availability({0: hours("09:00-12:00", "13:00-17:00")})
    monday = [slot.isoformat() for slot in guest_day("Asia/Kolkata", MONDAY, offered)]
    assert monday == [
        "2027-01-04T20:30:00+05:30",
        "2027-01-04T21:30:00+05:30",
        "2027-01-04T22:30:00+05:30",
    ]
    tuesday = [
        slot.isoformat() for slot in guest_day("Asia/Kolkata", MONDAY + timedelta(days=1), offered)
    ]
    assert tuesday == [
        "2027-01-05T00:30:00+05:30",
        "2027-01-05T01:30:00+05:30",
        "2027-01-05T02:30:00+05:30",
        "2027-01-05T03:30:00+05:30",
    ]
    assert guest_days(
        "Asia/Kolkata", MONDAY - timedelta(days=3), MONDAY + timedelta(days=3), offered
    ) == [MONDAY, MONDAY + timedelta(days=1)]


def test_a_guest_on_the_chatham_islands_is_a_day_ahead_with_quarter_hour_offsets():
    january = guest_day("Pacific/Chatham", MONDAY + timedelta(days=1))
    assert [slot.isoformat() for slot in january] == [
        "2027-01-05T04:45:00+13:45",
        "2027-01-05T05:45:00+13:45",
        "2027-01-05T06:45:00+13:45",
    ]
    assert guest_day("Pacific/Chatham", MONDAY) == []
    july_monday = date(2027, 7, 5)
    july = guest_day(
        "Pacific/Chatham", july_monday + timedelta(days=1), now=datetime(2027, 6, 20, tzinfo=UTC)
    )
    assert july[0].isoformat() == "2027-07-06T02:45:00+12:45"


def test_a_guest_in_los_angeles_sees_an_early_chicago_morning_on_the_evening_before():
    tuesday = MONDAY + timedelta(days=1)
    offered = availability(
        {}, overrides=[(tuesday, hours("00:00-02:00")), (MONDAY, hours("09:00-10:00"))]
    )
    assert [slot.isoformat() for slot in guest_day("America/Los_Angeles", MONDAY, offered)] == [
        "2027-01-04T07:00:00-08:00",
        "2027-01-04T22:00:00-08:00",
        "2027-01-04T23:00:00-08:00",
    ]
    assert guest_day("America/Los_Angeles", tuesday, offered) == []
    week_either_side = (MONDAY - timedelta(days=7), MONDAY + timedelta(days=7))
    assert guest_days("America/Los_Angeles", *week_either_side, offered) == [MONDAY]
    assert guest_days("Asia/Kolkata", MONDAY, MONDAY + timedelta(days=7), offered) == [
        MONDAY,
        tuesday,
    ]


def test_a_guest_in_the_consultants_zone_gets_iso_times_with_the_local_offset():
    tuesday_hours = availability({1: hours("09:00-10:00")})
    slots = guest_day("America/Chicago", date(2027, 1, 5), tuesday_hours)
    assert [slot.isoformat() for slot in slots] == ["2027-01-05T09:00:00-06:00"]


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
        free(availability(), now=datetime(2027, 1, 1))
    assert free(availability(), first=MONDAY, last=MONDAY - timedelta(days=1)) == []


def test_the_slot_engine_loads_neither_flask_nor_the_database_layer():
    code = (
        "import sys, consult.booking.slots\n"
        "print([name for name in ('flask', 'sqlmodel', 'sqlalchemy') if name in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- Properties: every slot satisfies every rule, checked independently of the engine's own method ----------------

ZONES = [
    "America/Chicago",
    "Europe/London",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "UTC",
]
FIRST_DAYS = [
    date(2026, 3, 6),
    date(2026, 3, 27),
    date(2026, 4, 3),
    date(2026, 10, 2),
    date(2026, 10, 23),
    date(2026, 10, 30),
    date(2027, 1, 4),
]
DAYS = 4


@st.composite
def day_ranges(draw):
    marks = sorted(draw(st.sets(st.integers(0, 287), max_size=4)))
    clock = lambda mark: time(mark * 5 // 60, mark * 5 % 60)  # noqa: E731
    return tuple(TimeRange(clock(start), clock(end)) for start, end in zip(marks[::2], marks[1::2]))


@st.composite
def scenarios(draw):
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from(FIRST_DAYS))
    weekly = {day: draw(day_ranges()) for day in range(7)}
    overrides = [(first + timedelta(days=draw(st.integers(0, DAYS - 1))), draw(day_ranges()))]
    overrides = overrides if draw(st.booleans()) else []
    offered = availability(
        weekly, overrides, step=draw(st.sampled_from([5, 10, 15, 30, 60])), zone=zone
    )
    five = lambda low, high: st.integers(low, high).map(lambda n: n * 5)  # noqa: E731
    slot_rules = SlotRules(
        draw(five(1, 24)),
        draw(five(0, 6)),
        draw(five(0, 6)),
        draw(st.integers(0, 48)),
        draw(st.integers(1, 6)),
        draw(st.none() | st.integers(1, 3)),
    )
    base = datetime.combine(first, time(0), tzinfo=UTC)
    now = base + timedelta(minutes=draw(st.integers(-36 * 60, 72 * 60)))
    occupied = [
        Occupied(start, start + timedelta(minutes=length))
        for start, length in draw(
            st.lists(
                st.tuples(
                    st.integers(-288, 288 * (DAYS + 1)).map(
                        lambda n: base + timedelta(minutes=5 * n)
                    ),
                    five(1, 72),
                ),
                max_size=12,
            )
        )
    ]
    per_day = {first + timedelta(days=n): draw(st.integers(0, 3)) for n in range(DAYS)}
    return dict(
        availability=offered,
        rules=slot_rules,
        occupied=occupied,
        bookings_per_day=per_day,
        now=now,
        first_day=first,
        last_day=first + timedelta(days=DAYS - 1),
    )


def ranges_on(offered, day):
    overrides = {override.day: override.ranges for override in offered.overrides}
    return overrides.get(
        day, next((w.ranges for w in offered.weekly if w.weekday == day.weekday()), ())
    )


def rule_violations(slot, case):
    """Each rule a slot breaks, judged by brute force: clock readings every 5 minutes, every occupied span."""
    offered, slot_rules, zone = (
        case["availability"],
        case["rules"],
        ZoneInfo(case["availability"].time_zone),
    )
    local, duration = slot.astimezone(zone), timedelta(minutes=slot_rules.duration_minutes)
    naive, day = local.replace(tzinfo=None), local.date()
    problems = []
    step = timedelta(minutes=offered.slot_step_minutes)
    on_grid = [
        r
        for r in ranges_on(offered, day)
        if r.start <= local.time() < r.end
        and (naive - datetime.combine(day, r.start)) % step == timedelta(0)
    ]
    # The meeting must be over before the clock first reads the range's end (transitions fall on 5-minute marks).
    readings = [
        (slot + timedelta(minutes=m)).astimezone(zone).replace(tzinfo=None)
        for m in range(0, slot_rules.duration_minutes, 5)
    ]
    if (
        local.fold
        or not on_grid
        or any(reading >= datetime.combine(day, on_grid[0].end) for reading in readings)
    ):
        problems.append("outside availability")
    if not case["first_day"] <= day <= case["last_day"]:
        problems.append("outside the requested days")
    if slot < case["now"] + timedelta(hours=slot_rules.minimum_notice_hours):
        problems.append("too soon")
    if slot >= case["now"] + timedelta(days=slot_rules.booking_window_days):
        problems.append("beyond the window")
    padded = (
        slot - timedelta(minutes=slot_rules.buffer_before_minutes),
        slot + duration + timedelta(minutes=slot_rules.buffer_after_minutes),
    )
    if any(span.start < padded[1] and padded[0] < span.end for span in case["occupied"]):
        problems.append("overlaps a booking")
    if (
        slot_rules.max_per_day is not None
        and case["bookings_per_day"].get(day, 0) >= slot_rules.max_per_day
    ):
        problems.append("day is full")
    return problems


def grid_candidates(case):
    """Every existing wall-clock grid time of every range on the requested days, as UTC instants."""
    offered, zone = case["availability"], ZoneInfo(case["availability"].time_zone)
    day, found = case["first_day"], set()
    while day <= case["last_day"]:
        for item in ranges_on(offered, day):
            wall = datetime.combine(day, item.start)
            while wall < datetime.combine(day, item.end):
                instant = wall.replace(tzinfo=zone).astimezone(UTC)
                if instant.astimezone(zone).replace(tzinfo=None) == wall:
                    found.add(instant)
                wall += timedelta(minutes=offered.slot_step_minutes)
        day += timedelta(days=1)
    return found


@settings(max_examples=150, deadline=None)
@given(case=scenarios())
def test_the_slots_are_exactly_the_grid_times_that_break_no_rule(case):
    slots = compute_free_slots(**case)
    assert slots == sorted(set(slots))
    assert all(slot.tzinfo is UTC for slot in slots)
    for slot in slots:
        assert rule_violations(slot, case) == [], slot
    assert set(slots) == {c for c in grid_candidates(case) if not rule_violations(c, case)}


@settings(max_examples=100, deadline=None)
@given(case=scenarios(), start=st.integers(0, 288 * 4), length=st.integers(1, 48))
def test_another_occupied_span_never_adds_a_slot(case, start, length):
    begins = datetime.combine(case["first_day"], time(0), tzinfo=UTC) + timedelta(minutes=5 * start)
    more = dict(
        case, occupied=[*case["occupied"], Occupied(begins, begins + timedelta(minutes=5 * length))]
    )
    assert set(compute_free_slots(**more)) <= set(compute_free_slots(**case))


@settings(max_examples=60, deadline=None)
@given(case=scenarios(), guest_zone=st.sampled_from(ZONES + ["America/Los_Angeles"]))
def test_guest_days_partition_the_consultants_slots(case, guest_zone):
    zone, guest = ZoneInfo(case["availability"].time_zone), ZoneInfo(guest_zone)
    wide = dict(
        case,
        first_day=case["first_day"] - timedelta(days=3),
        last_day=case["last_day"] + timedelta(days=3),
    )
    everything = compute_free_slots(**wide)
    inner = [
        slot
        for slot in everything
        if case["first_day"] <= slot.astimezone(zone).date() <= case["last_day"]
    ]
    guest_dates = sorted({slot.astimezone(guest).date() for slot in inner})
    common = {
        key: case[key] for key in ("availability", "rules", "occupied", "bookings_per_day", "now")
    }
    for day in guest_dates:
        shown = free_slots_for_guest_day(**common, guest_day=day, guest_time_zone=guest_zone)
        assert all(slot.tzinfo is guest and slot.date() == day for slot in shown)
        same_day = [
            slot.astimezone(guest).isoformat()
            for slot in everything
            if slot.astimezone(guest).date() == day
        ]
        assert [slot.isoformat() for slot in shown] == same_day
    if guest_dates:
        first, last = guest_dates[0], guest_dates[-1]
        guest_dates_all = {slot.astimezone(guest).date() for slot in everything}
        expected = sorted(day for day in guest_dates_all if first <= day <= last)
        assert (
            days_with_free_slots(
                **common, first_day=first, last_day=last, guest_time_zone=guest_zone
            )
            == expected
        )
