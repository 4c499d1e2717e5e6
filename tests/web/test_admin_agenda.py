"""The admin agenda, week by week: everything on the calendar per day, and bookings that now
overlap a busy time in another calendar flagged, in a fixed number of queries.
"""

from datetime import UTC, datetime, timedelta

import pytest

from consult.calendars.models import CalendarBusyInterval, CalendarFeed
from consult.db import get_session
from tests.conftest import signed_in_client, submit_form
from tests.web.booking_flow import book, bookings
from tests.web.render_work import statements_drawing


@pytest.fixture
def consultant(booking_app, make_user):
    return signed_in_client(booking_app, make_user(role="consultant"))


def add_busy(app, clock, start, end, name="Hospital board"):
    with app.app_context():
        session = get_session()
        feed = CalendarFeed(
            name=name, url="https://calendar.example/private.ics", created_at=clock()
        )
        session.add(feed)
        session.flush()
        session.add(CalendarBusyInterval(feed_id=feed.id, starts_at=start, ends_at=end))
        session.commit()


def queries(app, client, path):
    statements, html = statements_drawing(app, client, path)
    return len(statements), html


def test_the_week_shows_bookings_holds_time_off_busy_times_and_hours_and_flags_overlaps(
    booking_app, guest, consultant, clock
):
    book(guest, "discovery-call", "2026-11-30T10:00:00-06:00")
    book(guest, "leadership-strategy-session", "2026-12-01T13:00:00-06:00", email="bo@x.example")
    submit_form(
        consultant,
        "/admin/time-off/",
        {"starts_at": "2026-12-02T13:00", "ends_at": "2026-12-02T14:00", "reason": "Dentist"},
    )
    # The busy time arrives after the booking was made (a sync since): the booking is flagged.
    add_busy(
        booking_app,
        clock,
        datetime(2026, 11, 30, 16, 15, tzinfo=UTC),
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    )
    confirmed = bookings(booking_app)[0]
    _, html = queries(booking_app, consultant, "/admin/agenda?week=2026-W49")
    assert '<h2 id="day-2026-11-30">Monday 30 November</h2>' in html
    assert '<h2 id="day-2026-12-06">Sunday 6 December</h2>' in html
    assert "Open: 09:00–12:00, 13:00–16:30" in html and "closed" in html
    monday = html.split('id="day-2026-11-30"')[1].split('id="day-2026-12-01"')[0]
    assert f"/admin/bookings/{confirmed.public_id}/" in monday
    assert "10:00–10:30" in monday and "Discovery call: Ana Reyes (Riverside Clinic)" in monday
    assert "Overlaps a busy time in Hospital board" in monday
    assert "10:15–11:00" in monday and "Busy" in monday
    tuesday = html.split('id="day-2026-12-01"')[1].split('id="day-2026-12-02"')[0]
    assert "Held, waiting for payment" in tuesday and "Overlaps" not in tuesday
    wednesday = html.split('id="day-2026-12-02"')[1].split('id="day-2026-12-03"')[0]
    assert "13:00–14:00" in wednesday and "Time off" in wednesday and "Dentist" in wednesday
    assert 'href="/admin/agenda?week=2026-W48"' in html
    assert 'href="/admin/agenda?week=2026-W50"' in html
    # Without a week: this one (the clock is on 25 November 2026).
    assert "week of 23 November 2026" in consultant.get("/admin/agenda").get_data(as_text=True)


def test_the_number_of_queries_does_not_grow_with_the_week(booking_app, guest, consultant, clock):
    book(guest, "discovery-call", "2026-11-30T10:00:00-06:00")
    add_busy(
        booking_app,
        clock,
        datetime(2026, 11, 30, 16, tzinfo=UTC),
        datetime(2026, 11, 30, 17, tzinfo=UTC),
    )
    few, _ = queries(booking_app, consultant, "/admin/agenda?week=2026-W49")
    for index, day in enumerate(("2026-11-30", "2026-12-01", "2026-12-02")):
        book(guest, "discovery-call", f"{day}T13:00:00-06:00", email=f"g{index}@x.example")
        add_busy(
            booking_app,
            clock,
            datetime(2026, 12, 1, 15, tzinfo=UTC) + timedelta(days=index),
            datetime(2026, 12, 1, 16, tzinfo=UTC) + timedelta(days=index),
            name=f"Calendar {index}",
        )
    many, html = queries(booking_app, consultant, "/admin/agenda?week=2026-W49")
    assert html.count("Discovery call: ") == 4
    assert many == few


@pytest.mark.parametrize("week", ["2026-W54", "nonsense", "9999-W01", "2026-W4%00"])
def test_a_week_that_does_not_exist_is_not_found(consultant, week):
    assert consultant.get(f"/admin/agenda?week={week}").status_code == 404


def test_the_agenda_is_the_consultants_only(guest, booking_app, make_user):
    assert guest.get("/admin/agenda").status_code in (302, 303)
    member = signed_in_client(booking_app, make_user(role="client"))
    assert member.get("/admin/agenda").status_code in (403, 404)
