""" "Add to Google Calendar" and "Add to Outlook" links for a booking: the calendars' own
event-template addresses, times in UTC. No Flask, no database.

The booking's private link is never put in them: these addresses go to another company's
servers, as the e-mailed invitation's description never carries it either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
# Outlook on the web for work and school accounts (Microsoft 365), where most practices'
# clients keep their calendars; personal Outlook.com accounts use outlook.live.com alike.
OUTLOOK_COMPOSE = "https://outlook.office.com/calendar/action/compose"
OUTLOOK_LIVE_COMPOSE = "https://outlook.live.com/calendar/action/compose"


@dataclass(frozen=True)
class CalendarEvent:
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    details: str
    location: str  # empty until the booking is confirmed and its place fixed


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a calendar link needs aware times")
    return moment.astimezone(UTC)


def google_calendar_link(event: CalendarEvent) -> str:
    """Google Calendar's event template, the times as `20261126T150000Z/20261126T153000Z`."""
    dates = "/".join(
        _utc(moment).strftime("%Y%m%dT%H%M%SZ") for moment in (event.starts_at, event.ends_at)
    )
    fields = {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": event.details}
    if event.location:
        fields["location"] = event.location
    return f"{GOOGLE_TEMPLATE}?{urlencode(fields)}"


def outlook_calendar_link(event: CalendarEvent, *, personal: bool = False) -> str:
    """Outlook on the web's new-event form, the times as `2026-11-26T15:00:00Z`; `personal` for
    Outlook.com rather than a work or school account.
    """
    fields = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": _utc(event.starts_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(event.ends_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": event.details,
    }
    if event.location:
        fields["location"] = event.location
    return f"{OUTLOOK_LIVE_COMPOSE if personal else OUTLOOK_COMPOSE}?{urlencode(fields)}"
