"""The private feed of bookings as iCalendar text, built with icalendar. No Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

REFRESH_INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True)
class FeedEvent:
    """One booking as its calendar event; the UID stays the same for the booking's whole life."""

    uid: str
    sequence: int  # raised when the time changes or it is cancelled, so calendar apps update
    summary: str
    description: str
    location: str
    url: str  # the video link, or empty
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled: bool = False


def build_bookings_calendar(
    events: Sequence[FeedEvent], *, calendar_name: str, now: datetime
) -> str:
    """A published calendar (METHOD:PUBLISH) of the events, times in UTC, private to its reader."""
    calendar = Calendar()
    calendar.add("prodid", "-//consult//bookings feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    # How often subscribing apps should look again (RFC 7986, and Outlook's older name).
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    stamp = now.astimezone(UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("dtstamp", stamp)
        event.add("created", item.created_at.astimezone(UTC))
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        event.add("summary", item.summary)
        event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        # A cancelled booking frees the time; a confirmed one keeps the consultant busy.
        event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    text: str = calendar.to_ical().decode("utf-8")
    return text
