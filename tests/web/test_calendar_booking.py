"""Busy times from external calendars refuse slots, when listed and when booked, buffers included.

The feeds come from a local HTTP server through `flask --app consult calendar …`, on SQLite and
PostgreSQL. The leadership strategy session lasts 90 minutes with 15 minutes' buffer before
and 30 after; the discovery call lasts 30 minutes with 15 minutes after.
"""

import re

import pytest

from consult.calendars.service import remove_feed
from consult.db import get_session
from tests.conftest import csrf_token_from
from tests.fakes.calendar_feeds import WEEKLY_MEETING, FeedServer, vcalendar, vevent
from tests.web.booking_flow import GUEST, book, bookings, free_slots, manage_path, paid_booking
from tests.web.calendar_steps import add, sync

STRATEGY = "leadership-strategy-session"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def chicago_event(uid: str, day: str, start: str, end: str) -> str:
    return vevent(
        f"UID:{uid}",
        f"DTSTART;TZID=America/Chicago:{day}T{start.replace(':', '')}00",
        f"DTEND;TZID=America/Chicago:{day}T{end.replace(':', '')}00",
    )


def wall_clocks(slots):
    return [slot[11:16] for slot in slots]


def test_a_busy_time_and_the_types_buffers_refuse_slots_in_listing_and_days(
    booking_app, guest, runner, server
):
    before = wall_clocks(free_slots(guest, STRATEGY, "2026-11-30"))
    assert before == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
    ]
    calendar = vcalendar(
        chicago_event("lunch", "20261130", "12:00", "13:00"),  # ends as 13:00 starts
        chicago_event("call", "20261130", "15:30", "16:00"),
        vevent("UID:away", "DTSTART;VALUE=DATE:20261201"),
    )
    url = server.serve("/work.ics", calendar)
    added = runner.invoke(args=["calendar", "add-feed", url, "--name", "Hospital board"])
    assert added.exit_code == 0 and "Hospital board" in added.output
    assert "/work.ics" not in added.output  # the address is shown masked
    synced = runner.invoke(args=["calendar", "sync"])
    assert synced.exit_code == 0 and "1 feed(s) read, 0 failed" in synced.output

    after = wall_clocks(free_slots(guest, STRATEGY, "2026-11-30"))
    # 10:30 ends at 12:00, but its 30 minutes after run into lunch; 13:00 needs 12:45-13:00
    # clear (buffer before); 14:00 and later run into 15:30 with the 30 minutes after; 13:30
    # ends at 15:00 and its buffer ends exactly as the call begins.
    assert after == ["09:00", "09:30", "10:00", "13:30"]
    assert free_slots(guest, STRATEGY, "2026-12-01") == []  # the all-day event
    page = f"/book/{STRATEGY}/?tz=America/Chicago"
    assert "date=2026-11-30" in guest.get(page).get_data(as_text=True)
    december = guest.get(f"{page}&month=2026-12").get_data(as_text=True)  # the month calendar
    assert "date=2026-12-01" not in december and "date=2026-12-02" in december


def test_the_booking_post_refuses_a_time_that_became_busy(booking_app, guest, clock, server):
    start = free_slots(guest, STRATEGY, "2026-12-02")[0]
    assert start == "2026-12-02T09:00:00-06:00"
    page = guest.get(f"/book/{STRATEGY}/details?start={start}&tz=America/Chicago")
    token = csrf_token_from(page.get_data(as_text=True))
    url = server.serve("/work.ics", vcalendar(chicago_event("late", "20261202", "10:45", "11:15")))
    add(booking_app, clock, url)
    sync(booking_app, clock)  # the slot was shown before; the buffer after now meets the event

    response = guest.post(
        f"/book/{STRATEGY}/details?start={start}&tz=America/Chicago",
        data={**GUEST, "start": start, "tz": "America/Chicago", "csrf_token": token},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "just taken" in page and GUEST["organisation"] in page  # answers kept
    assert bookings(booking_app) == []


def test_a_weekly_meeting_blocks_each_week_but_not_its_exception_date(
    booking_app, guest, clock, server
):
    add(booking_app, clock, server.serve("/board.ics", vcalendar(*WEEKLY_MEETING)))
    sync(booking_app, clock)
    discovery = "discovery-call"
    # Thursday 26 November: busy 10:00-11:00; 09:30 would end at 10:00 plus 15 minutes after.
    assert wall_clocks(free_slots(guest, discovery, "2026-11-26")) == [
        "09:00",
        "11:00",
        "11:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
    ]
    assert "10:00" in wall_clocks(free_slots(guest, discovery, "2026-12-03"))  # EXDATE
    assert "10:00" not in wall_clocks(free_slots(guest, discovery, "2026-12-17"))
    response = book(guest, discovery, "2026-11-26T10:00:00-06:00")
    assert response.status_code == 409 and bookings(booking_app) == []
    assert book(guest, discovery, "2026-12-03T10:00:00-06:00").status_code == 303


def test_a_guest_cannot_move_a_booking_into_a_busy_time(booking_app, guest, clock, server):
    paid_booking(booking_app, guest)
    manage = manage_path(booking_app)
    move = manage + "/move?tz=America/Chicago&date=2026-12-01"
    page = guest.get(move).get_data(as_text=True)
    first_offer = re.search(r'name="start" value="([^"]+)"', page).group(1)
    assert first_offer == "2026-12-01T09:00:00-06:00"
    add(
        booking_app,
        clock,
        server.serve("/w.ics", vcalendar(vevent("UID:a", "DTSTART;VALUE=DATE:20261201"))),
    )
    sync(booking_app, clock)
    refused = guest.post(move, data={"start": first_offer, "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 409
    [booking] = bookings(booking_app)
    assert booking.starts_at.isoformat().startswith("2026-11-30") and booking.reschedule_count == 0


def test_a_broken_or_unreachable_feed_never_breaks_booking(booking_app, guest, clock, server):
    add(booking_app, clock, server.serve("/garbage.ics", "\x00\x01 not a calendar"))
    add(booking_app, clock, server.serve("/slow.ics", vcalendar(), delay_seconds=2))
    report = sync(booking_app, clock)
    assert report.read == 0 and len(report.failed) == 2
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    assert book(guest, "discovery-call", start).status_code == 303


def test_removing_a_feed_frees_its_busy_times(booking_app, guest, clock, server):
    feed_id = add(booking_app, clock, server.serve("/board.ics", vcalendar(*WEEKLY_MEETING)))
    sync(booking_app, clock)
    assert "10:00" not in wall_clocks(free_slots(guest, "discovery-call", "2026-11-26"))
    with booking_app.app_context():
        remove_feed(session=get_session(), feed_id=feed_id)
        get_session().commit()
    assert "10:00" in wall_clocks(free_slots(guest, "discovery-call", "2026-11-26"))


def test_add_feed_refuses_an_address_it_cannot_read(booking_app, runner):
    result = runner.invoke(args=["calendar", "add-feed", "file:///etc/passwd"])
    assert result.exit_code == 1 and "Only http:// and https://" in result.output
