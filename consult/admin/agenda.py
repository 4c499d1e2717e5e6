"""The consultant's agenda, week by week: a fixed number of queries whatever the week holds."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request
from sqlalchemy import or_
from sqlmodel import Session, col, select

from consult.admin.routes import blueprint
from consult.booking.agenda import Span, build_week, iso_week, week_monday
from consult.booking.availability import Schedule
from consult.booking.calendar import load_availability
from consult.booking.models import Booking, ConsultationType
from consult.booking.time_off import time_off_between
from consult.calendars.models import CalendarBusyInterval, CalendarFeed
from consult.clock import app_now
from consult.db import get_session


@blueprint.get("/agenda")
def agenda() -> str:
    zone: ZoneInfo = current_app.extensions["consult.site"].time_zone
    now = app_now()
    try:
        monday = week_monday(request.args.get("week"), today=now.astimezone(zone).date())
    except ValueError:
        abort(404)
    start = datetime.combine(monday, time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=zone)
    db = get_session()
    days = build_week(
        monday=monday,
        zone=zone,
        schedule=Schedule.build(
            load_availability(db, zone.key, first_day=monday, last_day=monday + timedelta(days=6))
        ),
        spans=[
            *_booking_spans(db, start=start, end=end, now=now),
            *(
                Span("time_off", row.starts_at, row.ends_at, row.reason or "Time off")
                for row in time_off_between(db, start=start, end=end)
            ),
        ],
        busy=_busy_spans(db, start=start, end=end),
    )
    return render_template(
        "admin/agenda.html",
        days=days,
        week=iso_week(monday),
        previous_week=iso_week(monday - timedelta(days=7)),
        next_week=iso_week(monday + timedelta(days=7)),
        this_week=iso_week(now.astimezone(zone).date()),
    )


def _booking_spans(db: Session, *, start: datetime, end: datetime, now: datetime) -> list[Span]:
    """Confirmed bookings and live holds in the week, with their type's name (one query)."""
    rows = db.exec(
        select(Booking, ConsultationType.name)
        .join(ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id))
        .where(col(Booking.ends_at) > start, col(Booking.starts_at) < end)
        .where(
            or_(
                col(Booking.status) == "confirmed",
                (col(Booking.status) == "held") & (col(Booking.hold_expires_at) > now),
            )
        )
    ).all()
    return [
        Span(
            "booking" if booking.status == "confirmed" else "hold",
            booking.starts_at,
            booking.ends_at,
            f"{type_name}: {booking.guest_name} ({booking.organisation})",
            booking.public_id,
        )
        for booking, type_name in rows
    ]


def _busy_spans(db: Session, *, start: datetime, end: datetime) -> list[tuple[Span, str]]:
    """The other calendars' busy times in the week, each with its calendar's name (one query)."""
    rows = db.exec(
        select(CalendarBusyInterval.starts_at, CalendarBusyInterval.ends_at, CalendarFeed.name)
        .join(CalendarFeed, col(CalendarFeed.id) == col(CalendarBusyInterval.feed_id))
        .where(col(CalendarBusyInterval.ends_at) > start, col(CalendarBusyInterval.starts_at) < end)
    ).all()
    return [(Span("busy", starts_at, ends_at, name), name) for starts_at, ends_at, name in rows]
