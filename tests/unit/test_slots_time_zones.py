"""The slot engine across time zones: DST in the consultant's zone, and guests in other zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.unit.slot_fixtures import (
    CHICAGO,
    MONDAY,
    availability,
    clocks,
    free,
    guest_day,
    guest_days,
    hours,
    rules,
)


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


def test_a_time_zone_name_too_long_for_a_file_name_is_unknown_not_an_error():
    from consult.booking.availability import is_known_time_zone

    assert not is_known_time_zone("x" * 300)
    assert not is_known_time_zone("../../etc/passwd")
    assert is_known_time_zone("America/Chicago")
