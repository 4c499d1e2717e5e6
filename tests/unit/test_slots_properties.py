"""Properties of the slot engine: every slot satisfies every rule, checked independently.

The checks do not share the engine's own method: they work by brute force.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.booking.slots import (
    Occupied,
    SlotRules,
    TimeRange,
    compute_free_slots,
    days_with_free_slots,
    free_slots_for_guest_day,
)
from tests.unit.slot_fixtures import availability

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
    # Marks pair up into ranges; with an odd count the last mark has no partner and is dropped.
    pairs = zip(marks[::2], marks[1::2], strict=False)
    return tuple(TimeRange(clock(start), clock(end)) for start, end in pairs)


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
    """Each rule a slot breaks, judged by brute force.

    The clock is read every 5 minutes and the slot is compared with every occupied span.
    """
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
    # The meeting must be over before the clock first reads the range's end
    # (transitions fall on 5-minute marks).
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
