"""The busy-time reader: recurrences, exceptions, zones, daylight saving, all-day, free, cancelled.

The consultant works in Chicago (US daylight saving ends on 1 November 2026, Europe's on
25 October). Spans are compared as UTC instants, the clearest statement of what is blocked.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from consult.calendars import busy as busy_module
from consult.calendars.busy import (
    BusyInterval,
    CalendarUnreadable,
    merge_intervals,
    read_busy_times,
)
from tests.fakes.calendar_feeds import VTIMEZONE_BERLIN, WEEKLY_MEETING, vcalendar, vevent

CHICAGO = ZoneInfo("America/Chicago")
UTC_ZONE = ZoneInfo("UTC")
WINDOW_START = datetime(2026, 10, 1, tzinfo=UTC)
WINDOW_END = datetime(2027, 1, 1, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(text: str, *, zone: ZoneInfo = CHICAGO, start=WINDOW_START, end=WINDOW_END):
    """The busy spans as (start, end) UTC strings, for readable assertions."""
    result = read_busy_times(text, window_start=start, window_end=end, time_zone=zone)
    return [
        (span.start.strftime("%Y-%m-%d %H:%M"), span.end.strftime("%Y-%m-%d %H:%M"))
        for span in result.intervals
    ]


def test_a_weekly_meeting_skips_its_exception_date_and_follows_its_moved_instance():
    assert spans(vcalendar(*WEEKLY_MEETING)) == [
        ("2026-11-19 16:00", "2026-11-19 17:00"),
        ("2026-11-26 16:00", "2026-11-26 17:00"),
        # 3 December: EXDATE. 10 December: moved to Friday 11 December, 14:00-15:30 in Chicago.
        ("2026-12-11 20:00", "2026-12-11 21:30"),
        ("2026-12-17 16:00", "2026-12-17 17:00"),
        ("2026-12-24 16:00", "2026-12-24 17:00"),
    ]


def test_rdate_adds_an_instance_and_an_instance_cancelled_by_recurrence_id_frees_its_time():
    text = vcalendar(
        vevent(
            "UID:standup",
            "DTSTART:20261102T150000Z",
            "DURATION:PT30M",
            "RRULE:FREQ=DAILY;COUNT=3",
            "RDATE:20261110T150000Z",
        ),
        vevent(
            "UID:standup",
            "RECURRENCE-ID:20261103T150000Z",
            "DTSTART:20261103T150000Z",
            "DURATION:PT30M",
            "STATUS:CANCELLED",
        ),
    )
    assert spans(text) == [
        ("2026-11-02 15:00", "2026-11-02 15:30"),
        ("2026-11-04 15:00", "2026-11-04 15:30"),
        ("2026-11-10 15:00", "2026-11-10 15:30"),
    ]


def test_a_series_keeps_its_own_zones_wall_clock_across_daylight_saving_changes():
    berlin_mondays = vevent(
        "UID:berlin",
        "DTSTART;TZID=Europe/Berlin:20261019T090000",
        "DTEND;TZID=Europe/Berlin:20261019T100000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
    )
    chicago_fridays = vevent(
        "UID:chicago",
        "DTSTART;TZID=America/Chicago:20261023T090000",
        "DTEND;TZID=America/Chicago:20261023T093000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
    )
    assert spans(vcalendar(berlin_mondays, chicago_fridays)) == [
        ("2026-10-19 07:00", "2026-10-19 08:00"),  # 09:00 summer time in Berlin
        ("2026-10-23 14:00", "2026-10-23 14:30"),  # 09:00 summer time in Chicago
        ("2026-10-26 08:00", "2026-10-26 09:00"),  # 09:00 winter time in Berlin
        ("2026-10-30 14:00", "2026-10-30 14:30"),
        ("2026-11-02 08:00", "2026-11-02 09:00"),
        ("2026-11-06 15:00", "2026-11-06 15:30"),  # 09:00 winter time in Chicago
    ]


def test_a_feeds_own_vtimezone_defines_its_tzid():
    text = vcalendar(
        VTIMEZONE_BERLIN,
        vevent(
            "UID:custom",
            "DTSTART;TZID=Berlin Custom:20261019T090000",
            "DTEND;TZID=Berlin Custom:20261019T100000",
            "RRULE:FREQ=WEEKLY;COUNT=2",
        ),
    )
    assert spans(text) == [
        ("2026-10-19 07:00", "2026-10-19 08:00"),
        ("2026-10-26 08:00", "2026-10-26 09:00"),
    ]


def test_utc_times_are_taken_as_they_are():
    text = vcalendar(vevent("UID:u", "DTSTART:20261020T100000Z", "DTEND:20261020T104500Z"))
    assert spans(text) == [("2026-10-20 10:00", "2026-10-20 10:45")]


def test_floating_times_are_read_in_the_consultants_zone_across_daylight_saving():
    text = vcalendar(
        vevent(
            "UID:floating",
            "DTSTART:20261030T100000",
            "DTEND:20261030T110000",
            "RRULE:FREQ=DAILY;COUNT=4",
        )
    )
    assert spans(text) == [
        ("2026-10-30 15:00", "2026-10-30 16:00"),
        ("2026-10-31 15:00", "2026-10-31 16:00"),
        ("2026-11-01 16:00", "2026-11-01 17:00"),  # clocks went back that night
        ("2026-11-02 16:00", "2026-11-02 17:00"),
    ]
    assert spans(text, zone=ZoneInfo("Asia/Tokyo"))[0] == ("2026-10-30 01:00", "2026-10-30 02:00")


def test_floating_times_follow_the_zone_the_calendar_names():
    text = vcalendar(
        vevent("UID:f", "DTSTART:20261020T100000", "DTEND:20261020T110000"),
        extra=("X-WR-TIMEZONE:Europe/Berlin",),
    )
    assert spans(text) == [("2026-10-20 08:00", "2026-10-20 09:00")]


def test_all_day_events_block_whole_days_in_the_consultants_zone():
    text = vcalendar(
        vevent("UID:one-day", "DTSTART;VALUE=DATE:20261120"),
        vevent("UID:two-days", "DTSTART;VALUE=DATE:20261123", "DTEND;VALUE=DATE:20261125"),
        vevent("UID:long-day", "DTSTART;VALUE=DATE:20261101", "DTEND;VALUE=DATE:20261102"),
        vevent(
            "UID:recurring-day",
            "DTSTART;VALUE=DATE:20261207",
            "RRULE:FREQ=WEEKLY;COUNT=2",
        ),
    )
    assert spans(text) == [
        ("2026-11-01 05:00", "2026-11-02 06:00"),  # 25 hours: the day the clocks go back
        ("2026-11-20 06:00", "2026-11-21 06:00"),
        ("2026-11-23 06:00", "2026-11-25 06:00"),
        ("2026-12-07 06:00", "2026-12-08 06:00"),
        ("2026-12-14 06:00", "2026-12-15 06:00"),
    ]
    assert spans(vcalendar(vevent("UID:d", "DTSTART;VALUE=DATE:20261120")), zone=UTC_ZONE) == [
        ("2026-11-20 00:00", "2026-11-21 00:00")
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ("TRANSP:TRANSPARENT",),
        ("STATUS:CANCELLED",),
        ("X-MICROSOFT-CDO-BUSYSTATUS:FREE",),
        ("transp:transparent",),
    ],
)
def test_free_and_cancelled_events_do_not_block(lines):
    timed = vevent("UID:t", "DTSTART:20261020T100000Z", "DTEND:20261020T110000Z", *lines)
    all_day = vevent("UID:a", "DTSTART;VALUE=DATE:20261021", *lines)
    series = vevent(
        "UID:s", "DTSTART:20261022T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3", *lines
    )
    assert spans(vcalendar(timed, all_day, series)) == []


def test_tentative_and_opaque_events_block_and_the_sites_own_bookings_do_not():
    text = vcalendar(
        vevent("UID:t", "DTSTART:20261020T100000Z", "DTEND:20261020T110000Z", "STATUS:TENTATIVE"),
        vevent("UID:o", "DTSTART:20261021T100000Z", "DTEND:20261021T110000Z", "TRANSP:OPAQUE"),
        vevent("UID:abc123@consult", "DTSTART:20261022T100000Z", "DTEND:20261022T110000Z"),
        vevent(
            "UID:abc123.bookings-feed@consult",
            "DTSTART:20261023T100000Z",
            "DTEND:20261023T110000Z",
        ),
    )
    assert spans(text) == [
        ("2026-10-20 10:00", "2026-10-20 11:00"),
        ("2026-10-21 10:00", "2026-10-21 11:00"),
    ]


def test_durations_and_events_without_an_end():
    text = vcalendar(
        vevent("UID:d", "DTSTART:20261020T100000Z", "DURATION:PT45M"),
        vevent("UID:instant", "DTSTART:20261021T100000Z"),  # a moment, not a span: no time taken
    )
    assert spans(text) == [("2026-10-20 10:00", "2026-10-20 10:45")]


def test_busy_times_are_clipped_to_the_window_and_merged():
    text = vcalendar(
        vevent("UID:1", "DTSTART:20261020T090000Z", "DTEND:20261020T100000Z"),
        vevent("UID:2", "DTSTART:20261020T093000Z", "DTEND:20261020T110000Z"),
        vevent("UID:3", "DTSTART:20261020T110000Z", "DTEND:20261020T120000Z"),  # touches: joins
        vevent("UID:4", "DTSTART:20260920T000000Z", "DTEND:20261002T000000Z"),  # starts before
        vevent("UID:5", "DTSTART:20270105T000000Z", "DTEND:20270106T000000Z"),  # after the window
        vevent("UID:6", "DTSTART;VALUE=DATE:20261231", "DTEND;VALUE=DATE:20270103"),
    )
    assert spans(text) == [
        ("2026-10-01 00:00", "2026-10-02 00:00"),
        ("2026-10-20 09:00", "2026-10-20 12:00"),
        ("2026-12-31 06:00", "2027-01-01 00:00"),
    ]


def test_merge_intervals_drops_empty_spans_and_joins_overlaps_in_any_order():
    a = BusyInterval(utc("2026-10-20T09:00"), utc("2026-10-20T10:00"))
    b = BusyInterval(utc("2026-10-20T09:15"), utc("2026-10-20T09:45"))
    c = BusyInterval(utc("2026-10-20T12:00"), utc("2026-10-20T12:00"))
    assert merge_intervals([c, b, a]) == (a,)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<html><body>Please sign in</body></html>",
        '{"events": []}',
        "BEGIN:VCALENDAR\x00\x01\x02binary",
        "just some words",
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261020T100000Z\r\nEND:VEVENT\r\n",
    ],
)
def test_text_that_is_not_a_calendar_is_refused_with_a_reason(text):
    with pytest.raises(CalendarUnreadable) as refusal:
        read_busy_times(text, window_start=WINDOW_START, window_end=WINDOW_END, time_zone=CHICAGO)
    assert "not an iCalendar file" in str(refusal.value)


def test_events_that_cannot_be_read_are_left_out_and_named():
    text = vcalendar(
        vevent("UID:good", "DTSTART:20261020T100000Z", "DTEND:20261020T110000Z"),
        vevent("UID:bad-rule", "DTSTART:20261021T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=XX"),
        vevent("UID:bad-date", "DTSTART:not-a-date"),
        vevent("UID:no-start", "SUMMARY:Lunch"),
    )
    result = read_busy_times(
        text, window_start=WINDOW_START, window_end=WINDOW_END, time_zone=CHICAGO
    )
    assert result.intervals == (BusyInterval(utc("2026-10-20T10:00"), utc("2026-10-20T11:00")),)
    assert result.problem.startswith("Some events could not be read and were left out")
    assert "1 event(s) without a start time" in result.problem
    assert (
        read_busy_times(
            vcalendar(WEEKLY_MEETING[0]),
            window_start=WINDOW_START,
            window_end=WINDOW_END,
            time_zone=CHICAGO,
        ).problem
        is None
    )


def test_unrelated_events_that_reuse_a_uid_all_block():
    text = vcalendar(
        vevent("UID:reused", "DTSTART:20261102T150000Z", "DURATION:PT1H"),
        vevent("UID:reused", "DTSTART:20261103T150000Z", "DURATION:PT1H"),
        vevent("UID:reused", "DTSTART:20261104T150000Z", "DURATION:PT1H"),
        vevent("UID:x@consult", "DTSTART:20261105T150000Z", "DURATION:PT1H"),
        vevent("UID:x@consult", "DTSTART:20261106T150000Z", "DURATION:PT1H"),
    )
    assert spans(text) == [
        ("2026-11-02 15:00", "2026-11-02 16:00"),
        ("2026-11-03 15:00", "2026-11-03 16:00"),
        ("2026-11-04 15:00", "2026-11-04 16:00"),
    ]


def test_events_repeating_every_minute_or_second_are_left_out_and_named():
    text = vcalendar(
        vevent("UID:ok", "DTSTART:20261102T150000Z", "DURATION:PT1H"),
        vevent("UID:m", "DTSTART:20261002T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"),
        vevent("UID:s", "DTSTART:20261002T000000Z", "RRULE:FREQ=DAILY", "RRULE:FREQ=secondly"),
        vevent("UID:h", "DTSTART:20261103T000000Z", "DURATION:PT5M", "RRULE:FREQ=HOURLY;COUNT=2"),
    )
    result = read_busy_times(
        text, window_start=WINDOW_START, window_end=WINDOW_END, time_zone=CHICAGO
    )
    assert len(result.intervals) == 3
    assert "2 event(s) repeating every minute or second" in result.problem


def test_a_feed_with_too_many_busy_times_is_refused(monkeypatch):
    monkeypatch.setattr(busy_module, "MAX_INTERVALS", 2)
    text = vcalendar(
        vevent("UID:d", "DTSTART:20261020T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3")
    )
    with pytest.raises(CalendarUnreadable, match="more than 2"):
        spans(text)


def test_the_window_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        read_busy_times(
            vcalendar(),
            window_start=datetime(2026, 10, 1),  # noqa: DTZ001  the naive time under test
            window_end=WINDOW_END,
            time_zone=CHICAGO,
        )
