"""Syncing external calendar feeds from a local HTTP server, on SQLite and PostgreSQL.

Each kind of feed is stored as the busy times it means; a feed that fails keeps its last good
copy; conditional requests keep the stored copy; a sync is safe on several servers at once.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from consult.calendars.fetch import Fetched
from consult.calendars.models import CalendarFeed
from consult.db import get_session
from tests.fakes.calendar_feeds import WEEKLY_MEETING, FeedServer, vcalendar, vevent
from tests.web.calendar_steps import add, feed, quick_fetch, stored, sync


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def test_every_kind_of_feed_is_stored_as_the_busy_times_it_means(booking_app, clock, server):
    clock.now = datetime(2026, 10, 19, 12, 0, tzinfo=UTC)  # the window spans both DST changes
    berlin_tuesdays = vevent(
        "UID:berlin",
        "DTSTART;TZID=Europe/Berlin:20261020T090000",
        "DTEND;TZID=Europe/Berlin:20261020T100000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
    )
    floating = vevent(
        "UID:f", "DTSTART:20261030T100000", "DTEND:20261030T110000", "RRULE:FREQ=DAILY;COUNT=4"
    )
    timed = ("DTSTART:20261021T150000Z", "DTEND:20261021T160000Z")
    feeds = {
        "weekly": vcalendar(*WEEKLY_MEETING),
        "dst": vcalendar(berlin_tuesdays),
        "floating": vcalendar(floating),
        "all-day": vcalendar(vevent("UID:a", "DTSTART;VALUE=DATE:20261102")),
        "transparent": vcalendar(vevent("UID:t", *timed, "TRANSP:TRANSPARENT")),
        "cancelled": vcalendar(vevent("UID:c", *timed, "STATUS:CANCELLED")),
    }
    ids = {
        name: add(booking_app, clock, server.serve(f"/{name}.ics", body), name)
        for name, body in feeds.items()
    }
    ids["slow"] = add(
        booking_app, clock, server.serve("/slow.ics", feeds["weekly"], delay_seconds=2), "slow"
    )
    ids["garbage"] = add(
        booking_app, clock, server.serve("/garbage.ics", "<html>Sign in</html>"), "garbage"
    )

    report = sync(booking_app, clock)

    assert report.read == 6
    assert sorted(report.failed) == [
        "garbage: This is not an iCalendar file: Content line could not be parsed into parts: "
        "'<html>Sign in</html>': <html>Signin</html>",
        "slow: No answer within 0.5 seconds.",
    ]
    assert stored(booking_app, ids["weekly"]) == [
        ("2026-11-19 10:00", "2026-11-19 11:00"),
        ("2026-11-26 10:00", "2026-11-26 11:00"),
        ("2026-12-11 14:00", "2026-12-11 15:30"),  # moved; 3 December is an exception date
        ("2026-12-17 10:00", "2026-12-17 11:00"),
        ("2026-12-24 10:00", "2026-12-24 11:00"),
    ]
    assert stored(booking_app, ids["dst"]) == [  # 09:00 in Berlin, seen from Chicago
        ("2026-10-20 02:00", "2026-10-20 03:00"),
        ("2026-10-27 03:00", "2026-10-27 04:00"),  # Berlin has left summer time, Chicago not
        ("2026-11-03 02:00", "2026-11-03 03:00"),
    ]
    assert stored(booking_app, ids["floating"]) == [
        (f"2026-{day} 10:00", f"2026-{day} 11:00") for day in ("10-30", "10-31", "11-01", "11-02")
    ]
    assert stored(booking_app, ids["all-day"]) == [("2026-11-02 00:00", "2026-11-03 00:00")]
    for name in ("transparent", "cancelled", "slow", "garbage"):
        assert stored(booking_app, ids[name]) == []
    assert feed(booking_app, ids["transparent"]).last_success_at == clock()
    garbage = feed(booking_app, ids["garbage"])
    assert garbage.last_success_at is None and "not an iCalendar file" in garbage.last_error


def test_conditional_requests_keep_the_stored_copy_and_it_follows_the_window(
    booking_app, clock, server
):
    mondays = vevent(
        "UID:m",
        "DTSTART;TZID=America/Chicago:20261130T090000",
        "DTEND;TZID=America/Chicago:20261130T093000",
        "RRULE:FREQ=WEEKLY",
    )
    url = server.serve("/mondays.ics", vcalendar(mondays), etag='"v1"')
    feed_id = add(booking_app, clock, url)
    sync(booking_app, clock)
    first = stored(booking_app, feed_id)
    assert first[0] == ("2026-11-30 09:00", "2026-11-30 09:30") and len(first) == 13
    assert feed(booking_app, feed_id).etag == '"v1"'

    clock.advance(hours=1)
    assert sync(booking_app, clock).read == 1
    assert server.seen("/mondays.ics")[-1].headers["If-None-Match"] == '"v1"'
    assert stored(booking_app, feed_id) == first
    assert feed(booking_app, feed_id).last_success_at == clock()

    clock.advance(days=14)  # a 304 again: the stored copy is read for the new window
    sync(booking_app, clock)
    later = stored(booking_app, feed_id)
    assert later[0][0] == "2026-12-14 09:00" and later[-1][0] == "2027-03-08 09:00"

    dated = server.serve(
        "/dated.ics", vcalendar(mondays), last_modified="Wed, 25 Nov 2026 09:00:00 GMT"
    )
    dated_id = add(booking_app, clock, dated)
    sync(booking_app, clock, feed_ids=[dated_id])
    sync(booking_app, clock, feed_ids=[dated_id])
    assert (
        server.seen("/dated.ics")[-1].headers["If-Modified-Since"]
        == "Wed, 25 Nov 2026 09:00:00 GMT"
    )
    assert stored(booking_app, dated_id) == later


def test_a_failing_feed_keeps_its_last_good_busy_times_and_says_why(booking_app, clock, server):
    good = vcalendar(vevent("UID:g", "DTSTART:20261201T160000Z", "DTEND:20261201T170000Z"))
    url = server.serve("/work.ics", good, etag='"v1"')
    feed_id = add(booking_app, clock, url)
    sync(booking_app, clock)
    kept = [("2026-12-01 10:00", "2026-12-01 11:00")]
    succeeded_at = clock()

    clock.advance(minutes=15)
    server.serve("/work.ics", "down", status=500)
    assert sync(booking_app, clock).failed == (
        "Work: The server answered 500 Internal Server Error.",
    )
    state = feed(booking_app, feed_id)
    assert stored(booking_app, feed_id) == kept
    assert state.last_success_at == succeeded_at and state.last_attempt_at == clock()

    clock.advance(minutes=15)
    server.serve("/work.ics", "not a calendar", etag='"v2"')
    sync(booking_app, clock)
    state = feed(booking_app, feed_id)
    assert "not an iCalendar file" in state.last_error and stored(booking_app, feed_id) == kept
    assert state.etag == '"v1"'  # the garbage's validator is not kept: it is asked for again

    sync(booking_app, clock)
    assert server.seen("/work.ics")[-1].headers["If-None-Match"] == '"v1"'

    fixed = vcalendar(vevent("UID:g", "DTSTART:20261202T160000Z", "DTEND:20261202T170000Z"))
    server.serve("/work.ics", fixed, etag='"v3"')
    assert sync(booking_app, clock).read == 1
    state = feed(booking_app, feed_id)
    assert state.last_error is None and state.etag == '"v3"'
    assert stored(booking_app, feed_id) == [("2026-12-02 10:00", "2026-12-02 11:00")]


def test_a_feed_leased_by_another_server_is_left_alone_until_the_lease_lapses(
    booking_app, clock, server
):
    url = server.serve("/work.ics", vcalendar(*WEEKLY_MEETING))
    feed_id = add(booking_app, clock, url)
    with booking_app.app_context():
        session = get_session()
        row = session.get(CalendarFeed, feed_id)
        row.lease_until, row.lease_token = clock() + timedelta(minutes=5), "other-server"
        session.commit()
    assert sync(booking_app, clock).read == 0 and server.seen("/work.ics") == []
    clock.advance(minutes=6)
    assert sync(booking_app, clock).read == 1 and len(server.seen("/work.ics")) == 1
    assert feed(booking_app, feed_id).lease_token is None


def test_a_result_is_not_stored_once_another_server_took_over_the_lease(booking_app, clock, server):
    url = server.serve("/work.ics", vcalendar(*WEEKLY_MEETING))
    feed_id = add(booking_app, clock, url)

    def fetch_while_the_lease_is_taken(address, *, etag, last_modified):
        with booking_app.app_context():
            session = get_session()
            session.get(CalendarFeed, feed_id).lease_token = "other-server"
            session.commit()
        return quick_fetch(address, etag=etag, last_modified=last_modified)

    assert sync(booking_app, clock, fetch=fetch_while_the_lease_is_taken).read == 0
    assert stored(booking_app, feed_id) == [] and feed(booking_app, feed_id).last_attempt_at is None


def test_syncs_running_at_once_fetch_each_feed_once(booking_app, clock, server):
    urls = [
        server.serve(f"/{n}.ics", vcalendar(*WEEKLY_MEETING), delay_seconds=0.3) for n in range(3)
    ]
    for url in urls:
        add(booking_app, clock, url)
    reports = []
    runs = [
        threading.Thread(target=lambda: reports.append(sync(booking_app, clock))) for _ in range(3)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sum(report.read for report in reports) == 3
    assert sorted(request.path for request in server.requests) == ["/0.ics", "/1.ics", "/2.ics"]


def test_an_unexpected_error_is_recorded_and_does_not_stop_the_other_feeds(
    booking_app, clock, server
):
    first = add(booking_app, clock, server.serve("/a.ics", vcalendar()))
    second = add(booking_app, clock, server.serve("/b.ics", vcalendar(*WEEKLY_MEETING)))

    def fetch(address, *, etag, last_modified):
        if address.endswith("/a.ics"):
            raise RuntimeError("surprise")
        return Fetched(vcalendar(*WEEKLY_MEETING))

    report = sync(booking_app, clock, fetch=fetch)
    assert report.read == 1 and feed(booking_app, first).last_error.startswith("An unexpected")
    assert len(stored(booking_app, second)) == 4  # 19 November is before the window
