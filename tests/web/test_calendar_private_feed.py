"""The consultant's private feed of bookings, read back with icalendar as a calendar app would."""

import re
from datetime import timedelta

from icalendar import Calendar

from tests.conftest import csrf_token_from
from tests.web.booking_flow import book, bookings, free_slots, manage_path, paid_booking


def feed_path(runner, *options: str) -> str:
    result = runner.invoke(args=["calendar", "feed-url", *options])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert re.fullmatch(r"http://consult\.test/calendar/[A-Za-z0-9_-]{43}\.ics", url), url
    return url.removeprefix("http://consult.test")


def events(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.get_data())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_confirmed_bookings_with_the_guests_details_and_no_cookie_needed(
    booking_app, guest, runner
):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    book(guest, "discovery-call", start, intake_what_matters="Hearing our night staff.")
    held_start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    book(guest, "leadership-strategy-session", held_start)  # held, waiting for payment
    path = feed_path(runner)
    assert feed_path(runner) == path  # the same address each time it is printed

    reader = booking_app.test_client()  # a calendar app: no cookie, no session
    found = events(reader, path)
    confirmed = next(booking for booking in bookings(booking_app) if booking.status == "confirmed")
    [(uid, event)] = found.items()
    assert uid == f"{confirmed.public_id}.bookings-feed@consult"
    assert event["SEQUENCE"] == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.start == confirmed.starts_at and event.end == confirmed.ends_at
    assert str(event["SUMMARY"]) == "Discovery call: Ana Reyes (Riverside Clinic)"
    description = str(event["DESCRIPTION"])
    for expected in (
        "Ana Reyes <ana@clinic.example>",
        "Organisation: Riverside Clinic",
        "Role: Chief nursing officer",
        "What matters most to your organisation right now?\nHearing our night staff.",
        f"http://consult.test/admin/bookings/{confirmed.public_id}/",
    ):
        assert expected in description
    assert "/book/manage/" not in description  # no link that could cancel the booking
    assert str(event["LOCATION"]).startswith("Video call")


def test_a_moved_booking_keeps_its_uid_with_a_higher_sequence_and_a_cancelled_one_stays_a_while(
    booking_app, guest, runner, clock
):
    paid_booking(booking_app, guest)
    path = feed_path(runner)
    [uid] = events(guest, path)
    manage = manage_path(booking_app)
    page = guest.get(manage + "/move?tz=America/Chicago&date=2026-12-01").get_data(as_text=True)
    new_start = re.search(r'name="start" value="([^"]+)"', page).group(1)
    guest.post(
        manage + "/move?tz=America/Chicago&date=2026-12-01",
        data={"start": new_start, "csrf_token": csrf_token_from(page)},
    )
    moved = events(guest, path)[uid]
    assert moved["SEQUENCE"] == 1 and moved.start.isoformat().startswith("2026-12-01")

    page = guest.get(manage + "/cancel").get_data(as_text=True)
    guest.post(manage + "/cancel", data={"csrf_token": csrf_token_from(page)})
    cancelled = events(guest, path)[uid]
    assert cancelled["SEQUENCE"] == 2 and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"

    clock.advance(days=29)
    assert uid in events(guest, path)
    clock.advance(days=2)
    assert events(guest, path) == {}


def test_past_bookings_stay_for_ninety_days(booking_app, guest, runner, clock):
    start = free_slots(guest, "discovery-call", "2026-11-26")[0]
    book(guest, "discovery-call", start)
    path = feed_path(runner)
    clock.now = bookings(booking_app)[0].ends_at + timedelta(days=89)
    assert len(events(guest, path)) == 1
    clock.advance(days=2)
    assert events(guest, path) == {}


def test_a_wrong_or_rotated_secret_finds_nothing(booking_app, guest, runner):
    assert guest.get("/calendar/" + "a" * 43 + ".ics").status_code == 404  # no address yet
    old = feed_path(runner)
    assert guest.get(old.replace(old[-8], "A" if old[-8] != "A" else "B")).status_code == 404
    assert guest.get("/calendar/%C3%A9t%C3%A9.ics").status_code == 404
    new = feed_path(runner, "--rotate")
    assert new != old
    assert guest.get(old).status_code == 404 and guest.get(new).status_code == 200


def test_the_secret_depends_on_the_secret_key_so_the_database_alone_does_not_reveal_it(
    booking_app, make_app, runner
):
    path = feed_path(runner)
    other = make_app(SECRET_KEY="another-secret-key-that-is-long-enough-0123456789")
    assert other.test_client().get(path).status_code == 404
