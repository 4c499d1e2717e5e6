"""The booking's own page once booked: its status, "Add to Google Calendar" and "Add to
Outlook", the invitation to download, and the private link to manage it for the browser that
booked it.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template

from consult.booking.calendar_links import (
    CalendarEvent,
    google_calendar_link,
    outlook_calendar_link,
)
from consult.booking.emails import invite_ics, invite_title
from consult.booking.locations import describe_meeting, invite_location
from consult.booking.manage import booking_or_404
from consult.booking.manage_links import remembered_manage_link
from consult.booking.models import Booking, ConsultationType
from consult.booking.routes import blueprint
from consult.clock import app_now
from consult.db import get_session


def calendar_event(booking: Booking, consultation_type: ConsultationType) -> CalendarEvent:
    """The booking as an event for the guest's calendar; where it happens once it is fixed."""
    location, video_link = invite_location(booking.meeting_kind, booking.meeting_location)
    confirmed = booking.status == "confirmed"
    details = f"{consultation_type.name} for {booking.organisation}."
    if confirmed and booking.meeting_kind and booking.meeting_location:
        details += " " + describe_meeting(booking.meeting_kind, booking.meeting_location) + "."
    return CalendarEvent(
        title=invite_title(consultation_type),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        details=details + " Manage this booking from your confirmation e-mail.",
        location=(video_link or location) if confirmed else "",
    )


@blueprint.get("/booking/<public_id>/")
def booking_status(public_id: str) -> str:
    booking = booking_or_404(public_id)
    consultation_type = get_session().get_one(ConsultationType, booking.consultation_type_id)
    event = calendar_event(booking, consultation_type)
    return render_template(
        "booking/status.html",
        booking=booking,
        consultation_type=consultation_type,
        start_local=booking.starts_at.astimezone(ZoneInfo(booking.guest_time_zone)),
        hold_minutes_left=max(
            0, int(((booking.hold_expires_at or app_now()) - app_now()) / timedelta(minutes=1))
        ),
        manage_token=remembered_manage_link(booking),
        google_link=google_calendar_link(event),
        outlook_link=outlook_calendar_link(event),
        outlook_personal_link=outlook_calendar_link(event, personal=True),
    )


@blueprint.get("/booking/<public_id>/consultation.ics")
def booking_invite(public_id: str) -> Response:
    """The confirmed booking's invitation, as the e-mails carry it; nothing before it is
    confirmed.
    """
    booking = booking_or_404(public_id)
    if booking.status != "confirmed":
        abort(404)
    consultation_type = get_session().get_one(ConsultationType, booking.consultation_type_id)
    return Response(
        invite_ics(booking, consultation_type),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="consultation.ics"'},
    )
