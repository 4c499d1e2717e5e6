"""The private bookings feed's iCalendar text, read back with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from consult.calendars.bookings_ics import FeedEvent, build_bookings_calendar

START = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("America/Chicago"))


def event(**changes) -> FeedEvent:
    values = {
        "uid": "abc.bookings-feed@consult",
        "sequence": 0,
        "summary": "Discovery call: Ana Reyes (Riverside Clinic)",
        "description": "Guest: Ana Reyes <ana@clinic.example>\nWhat matters?\nNight staff; nurses.",
        "location": "Video call: https://meet.example.org/irons",
        "url": "https://meet.example.org/irons",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=30),
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
    }
    return FeedEvent(**{**values, **changes})


def test_events_round_trip_in_utc_with_their_uid_sequence_and_text():
    text = build_bookings_calendar(
        [event(), event(uid="def.bookings-feed@consult", sequence=2, cancelled=True)],
        calendar_name="Irons Consulting Group: bookings",
        now=datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
    )
    calendar = Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Irons Consulting Group: bookings"
    confirmed, cancelled = calendar.walk("VEVENT")
    assert confirmed.start == START and confirmed.start.utcoffset() == timedelta(0)
    assert "DTSTART:20261201T150000Z" in text
    assert confirmed.end - confirmed.start == timedelta(minutes=30)
    assert str(confirmed["DESCRIPTION"]) == event().description
    assert str(confirmed["LOCATION"]) == "Video call: https://meet.example.org/irons"
    assert str(confirmed["URL"]) == "https://meet.example.org/irons"
    assert (str(confirmed["STATUS"]), str(confirmed["TRANSP"])) == ("CONFIRMED", "OPAQUE")
    assert str(cancelled["UID"]) == "def.bookings-feed@consult" and cancelled["SEQUENCE"] == 2
    assert (str(cancelled["STATUS"]), str(cancelled["TRANSP"])) == ("CANCELLED", "TRANSPARENT")
    assert "DTSTAMP:20261125T150000Z" in text and "REFRESH-INTERVAL;VALUE=DURATION:PT15M" in text


def test_an_event_without_a_location_has_no_location_line():
    text = build_bookings_calendar(
        [event(location="", url="")],
        calendar_name="Bookings",
        now=datetime(2026, 11, 25, tzinfo=UTC),
    )
    assert "LOCATION" not in text
