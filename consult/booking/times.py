"""The pages that offer times: the month calendar with the chosen day's times, and slots.json."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from consult.booking import offered_times
from consult.booking.free_days import month_of_times
from consult.booking.locations import LOCATION_KINDS
from consult.booking.month import first_of_month, month_from
from consult.booking.routes import (
    _organisation_asked_for,
    active_type_or_404,
    blueprint,
    guest_zone_name,
    parse_day,
    requested_day,
    requested_zone,
    site_zone,
)
from consult.booking.time_zones import zone_groups, zone_label
from consult.clock import app_now
from consult.db import get_session
from consult.site.caching import REVALIDATED_CACHE_CONTROL, RowsVersion, public_page


def requested_month(value: str | None) -> date | None:
    """A page's `month`: None when absent; anything but a month written YYYY-MM is a 400."""
    month = month_from(value)
    if value and month is None:
        abort(400, description="That month could not be read; choose one from the calendar.")
    return month


@blueprint.get("/<slug>/")
@public_page(
    RowsVersion("booking.choose_time", per_minute=True),
    cache_control=REVALIDATED_CACHE_CONTROL,
)
def choose_time(slug: str) -> str:
    """The month calendar, its days with free times as links, and the chosen day's times.

    `from=` (the day a page of four weeks began, in links made before the calendar) shows that
    day's month.
    """
    consultation_type = active_type_or_404(slug)
    guest_zone = requested_zone(request.args.get("tz"))
    from_day = requested_day(request.args.get("from"))
    month = requested_month(request.args.get("month")) or (
        first_of_month(from_day) if from_day else None
    )
    now = app_now()
    shown = month_of_times(
        session=get_session(),
        consultation_type=consultation_type,
        guest_time_zone=guest_zone,
        site_time_zone=site_zone(),
        now=now,
        month=month,
        chosen_day=requested_day(request.args.get("date")),
    )
    return render_template(
        "booking/choose_time.html",
        consultation_type=consultation_type,
        shown=shown,
        guest_zone=guest_zone,
        guest_zone_label=zone_label(guest_zone, now=now),
        zone_groups=zone_groups(now=now, including=guest_zone),
        meeting_kind=LOCATION_KINDS.get(consultation_type.location_kind),
        organisation_id=_organisation_asked_for(),
    )


@blueprint.get("/<slug>/slots.json")
@public_page(
    RowsVersion("booking.slots_json", per_minute=True),
    cache_control=REVALIDATED_CACHE_CONTROL,
)
def slots_json(slug: str) -> ResponseReturnValue:
    consultation_type = active_type_or_404(slug)
    guest_zone = guest_zone_name(request.args.get("tz"))
    if guest_zone is None:
        return jsonify(
            error=(
                f"Unknown time zone {request.args.get('tz')!r}; use a name such as America/Chicago."
            )
        ), 400
    day = parse_day(request.args.get("date"))
    if day is None:
        return jsonify(error="date must be a day written YYYY-MM-DD, e.g. 2027-01-05."), 400
    times = offered_times.guest_day_slots(
        session=get_session(),
        consultation_type=consultation_type,
        guest_day=day,
        guest_time_zone=guest_zone,
        site_time_zone=site_zone(),
        now=app_now(),
    )
    return jsonify(
        date=day.isoformat(), tz=guest_zone, slots=[moment.isoformat() for moment in times]
    )
