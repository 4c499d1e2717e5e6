"""The private feed of bookings at /calendar/<secret>.ics: no cookie, no cache, 404 if wrong."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from consult.calendars.bookings_ics import build_bookings_calendar
from consult.calendars.private_feed import bookings_for_feed, feed_events, secret_matches
from consult.clock import app_now
from consult.db import get_session
from consult.urls import absolute_url

blueprint = Blueprint("calendars", __name__, url_prefix="/calendar")


@blueprint.get("/<secret>.ics")
def bookings_feed(secret: str) -> Response:
    session = get_session()
    settings = current_app.extensions["consult.settings"]
    if not secret_matches(session=session, secret=secret, secret_key=settings.secret_key):
        abort(404)
    now = app_now()
    events = feed_events(
        bookings_for_feed(session, now=now),
        admin_link=lambda booking: absolute_url(
            "admin.booking_detail", public_id=booking.public_id
        ),
    )
    site = current_app.extensions["consult.site"]
    body = build_bookings_calendar(events, calendar_name=f"{site.practice_name}: bookings", now=now)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Content-Disposition"] = 'inline; filename="bookings.ics"'
    return response


def private_feed_url(secret: str) -> str:
    """The full address a calendar app subscribes to."""
    return absolute_url("calendars.bookings_feed", secret=secret)
