"""Booking pages: types, days and times in the guest's zone, details and the payment hand-off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import nh3
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markdown import markdown
from markupsafe import Markup

from consult.booking import service
from consult.booking.checkout_start import answers_again, start_payment
from consult.booking.forms import DetailsForm, details_form_for
from consult.booking.locations import describe_meeting
from consult.booking.manage_links import remember_manage_link
from consult.booking.models import ConsultationType
from consult.booking.occupying import SlotTaken
from consult.clock import app_now
from consult.db import begin_as_writer, get_session, looks_like_identifier
from consult.engagements.booking_options import (
    ChoiceNotAllowed,
    book_as_options,
    resolve_choice,
)
from consult.engagements.credits import NoCreditLeft
from consult.extensions import limiter
from consult.form_validators import day_from, known_time_zone, moment_from
from consult.rate_limits import BOOKING_PER_CLIENT, refusal_page
from consult.site.caching import RowsVersion, public_page
from consult.site.identity import SiteIdentity

blueprint = Blueprint("booking", __name__, url_prefix="/book")


def site_identity() -> SiteIdentity:
    site: SiteIdentity = current_app.extensions["consult.site"]
    return site


def site_zone() -> ZoneInfo:
    return site_identity().time_zone


def guest_zone_name(value: str | None) -> str | None:
    """The zone name if it is a real IANA zone (the site's when empty), else None."""
    if not value:
        return site_zone().key
    return known_time_zone(value)


def requested_zone(value: str | None) -> str:
    """A page's `tz`: the site's zone when absent; a zone that does not exist is a 400."""
    zone = guest_zone_name(value)
    if zone is None:
        abort(400, description="That time zone is not one we know; choose one from the list.")
    return zone


def requested_day(value: str | None) -> date | None:
    """A page's `date`: None when absent; anything but a day written YYYY-MM-DD is a 400."""
    day = parse_day(value)
    if value and day is None:
        abort(400, description="That date could not be read; choose a day from the calendar.")
    return day


def active_type_or_404(slug: str) -> ConsultationType:
    consultation_type = service.find_active_type(get_session(), slug)
    if consultation_type is None:
        abort(404)
    return consultation_type


@blueprint.app_template_filter("zone")
def zone_filter(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@blueprint.app_template_filter("meeting_where")
def meeting_where_filter(location: str, kind: str) -> str:
    return describe_meeting(kind, location)


@blueprint.app_template_filter("markdown_safe")
def markdown_safe(text: str) -> Markup:
    """Markdown the consultant typed in the admin, sanitised."""
    html = nh3.clean(markdown(text or "", extensions=["extra", "smarty"]))
    return Markup(html)  # noqa: S704  nh3 has just sanitised it


@blueprint.get("/")
@public_page(RowsVersion("booking.index"))
def index() -> str:
    return render_template("booking/index.html", types=service.active_types(get_session()))


def _organisation_asked_for() -> str | None:
    """The organisation a member came to book for (`org`, from their plan), carried to the
    details step, which offers that organisation's credit first; anything malformed is dropped.
    """
    value = request.args.get("org")
    return value if value and looks_like_identifier(value) else None


def parse_day(value: str | None) -> date | None:
    return day_from(value)


def _chosen_start(form: DetailsForm) -> datetime | None:
    return moment_from(form.start.data)


def _details_page(slug: str) -> tuple[DetailsForm, dict[str, Any]] | None:
    """The details form for the chosen time and what its page shows; None without a usable time
    or zone in the address.
    """
    consultation_type = active_type_or_404(slug)
    form = details_form_for(
        consultation_type,
        start=request.args.get("start"),
        tz=request.args.get("tz"),
        **answers_again(request.args.get("again")),
    )
    start = _chosen_start(form)
    guest_zone = guest_zone_name(form.tz.data)
    if start is None or guest_zone is None:
        return None
    return form, {
        "consultation_type": consultation_type,
        "form": form,
        "start": start,
        "start_local": start.astimezone(ZoneInfo(guest_zone)),
        "guest_zone": guest_zone,
        "organisation_id": _organisation_asked_for(),
    }


def _details_refused(message: str) -> ResponseReturnValue:
    slug = str((request.view_args or {}).get("slug", ""))
    page = _details_page(slug)
    if page is None:
        return redirect(url_for("booking.choose_time", slug=slug))
    return render_template("booking/details.html", **page[1], slot_problem=message)


@blueprint.route("/<slug>/details", methods=["GET", "POST"])
@limiter.limit(BOOKING_PER_CLIENT, methods=["POST"], on_breach=refusal_page(_details_refused))
def details(slug: str) -> ResponseReturnValue:
    if request.method == "POST":
        # Before any read: the check and the hold must see one calendar.
        begin_as_writer(get_session())
    page = _details_page(slug)
    if page is None:
        return redirect(url_for("booking.choose_time", slug=slug))
    form, context = page
    consultation_type, start = context["consultation_type"], context["start"]
    signed_in = current_user if current_user.is_authenticated else None
    options = book_as_options(
        get_session(), user=signed_in, consultation_type=consultation_type, starts_at=start
    )
    if options:
        form.offer_member_choices(
            options,
            name=current_user.name,
            email=current_user.email,
            organisation_id=request.args.get("org"),
        )
    if not form.validate_on_submit():
        return render_template("booking/details.html", **context), 200 if not form.errors else 422
    db = get_session()
    try:
        member = resolve_choice(db, user=current_user, value=form.book_as.data) if options else None
    except ChoiceNotAllowed as problem:
        form.book_as.errors = [str(problem)]
        return render_template("booking/details.html", **context), 422
    # Required fields: validated, so never empty here.
    guest = service.GuestDetails(
        name=form.name.data or "",
        email=form.email.data or "",
        organisation=form.organisation.data or "",
        role=form.role.data or "",
        phone=form.phone.data,
        time_zone=context["guest_zone"],
        intake_answers=form.intake_answers(),
    )
    try:
        booking = service.place_booking(
            session=db,
            consultation_type=consultation_type,
            starts_at=start,
            guest=guest,
            site_time_zone=site_zone(),
            practice_name=site_identity().practice_name,
            now=app_now(),
            member=member,
            client_address=request.remote_addr,
        )
    except (SlotTaken, service.SlotNotOffered, service.TooManyHolds) as refusal:
        db.rollback()
        status = 429 if isinstance(refusal, service.TooManyHolds) else 409
        return render_template("booking/details.html", **context, slot_problem=str(refusal)), status
    except NoCreditLeft as refusal:
        db.rollback()
        # The choices again, as they are now: the credit that was just taken is gone.
        options = book_as_options(
            db, user=signed_in, consultation_type=consultation_type, starts_at=start
        )
        form.offer_member_choices(options, name="", email="", organisation_id=None)
        form.book_as.data = (form.book_as.data or "").replace("credit:", "org:", 1)
        form.book_as.errors = [str(refusal)]
        return render_template("booking/details.html", **context), 409
    remember_manage_link(
        booking, service.issue_access_token(session=db, booking=booking, now=app_now())
    )
    db.commit()
    if booking.status == "confirmed":
        return redirect(url_for("booking.booking_status", public_id=booking.public_id), 303)
    return start_payment(booking, consultation_type, context)


# The pages offering times, and the guest's pages for a booking once made, share this blueprint.
from consult.booking import confirmation, manage, times  # noqa: E402, F401
