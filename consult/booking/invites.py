"""Calendar invitations (.ics) for bookings, built with icalendar. No Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Invite:
    uid: str
    sequence: int  # raise it when the time changes, so calendars update the event
    title: str
    description: str
    location: str  # one line for LOCATION; empty when there is none
    url: str  # the video link for URL; empty when there is none
    starts_at: datetime
    ends_at: datetime
    time_zone: str  # the guest's, so their calendar shows the time they chose
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str
    created_at: datetime
    cancelled: bool = False


def build_ics(invite: Invite) -> str:
    """An iCalendar file (METHOD:REQUEST, or CANCEL for a cancelled booking) with the event in the
    guest's zone.
    """
    zone = ZoneInfo(invite.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//consult//booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.created_at)
    event.add("dtstart", invite.starts_at.astimezone(zone))
    event.add("dtend", invite.ends_at.astimezone(zone))
    event.add("summary", invite.title)
    event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
    if invite.url:
        event.add("url", invite.url)
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{invite.organizer_email}")
    organizer.params["cn"] = vText(invite.organizer_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{invite.attendee_email}")
    attendee.params["cn"] = vText(invite.attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics.decode("utf-8")
