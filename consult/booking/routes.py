"""Booking pages: types, days and times in the guest's zone, details and the payment hand-off."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import nh3
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
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
from consult.booking.forms import DetailsForm, details_form_for
from consult.booking.models import Booking, ConsultationType
from consult.booking.occupying import SlotTaken
from consult.clock import app_now
from consult.db import begin_as_writer, get_session
from consult.engagements.booking_options import (
    ChoiceNotAllowed,
    book_as_options,
    resolve_choice,
)
from consult.engagements.credits import NoCreditLeft
from consult.payments.provider import (
    CHECKOUT_SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    PaymentError,
    PaymentProviderUnavailable,
)
from consult.payments.selection import current_provider
from consult.site.caching import PageVersion, public_page
from consult.site.identity import SiteIdentity
from consult.urls import absolute_url

blueprint = Blueprint("booking", __name__, url_prefix="/book")
log = logging.getLogger("consult.booking")
TIME_ZONES = sorted(
    zone
    for zone in available_timezones()
    if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
)


def site_identity() -> SiteIdentity:
    site: SiteIdentity = current_app.extensions["consult.site"]
    return site


def site_zone() -> ZoneInfo:
    return site_identity().time_zone


def guest_zone_name(value: str | None) -> str | None:
    """The zone name if it is a real IANA zone (the site's when empty), else None."""
    if not value:
        return site_zone().key
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _active_type_or_404(slug: str) -> ConsultationType:
    consultation_type = service.find_active_type(get_session(), slug)
    if consultation_type is None:
        abort(404)
    return consultation_type


@blueprint.app_template_filter("zone")
def zone_filter(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@blueprint.app_template_filter("markdown_safe")
def markdown_safe(text: str) -> Markup:
    """Markdown the consultant typed in the admin, sanitised."""
    html = nh3.clean(markdown(text or "", extensions=["extra", "smarty"]))
    return Markup(html)  # noqa: S704  nh3 has just sanitised it


def _active_types() -> list[ConsultationType]:
    """The types /book/ lists, read once per request: its version and its page share them."""
    if "active_types" not in g:
        g.active_types = service.active_types(get_session())
    types: list[ConsultationType] = g.active_types
    return types


def _types_version() -> PageVersion:
    """What /book/ shows is the active types' rows: their digest is the page's version."""
    rows = [consultation_type.model_dump() for consultation_type in _active_types()]
    return PageVersion(hashlib.sha256(repr(rows).encode()).hexdigest())


@blueprint.get("/")
@public_page(_types_version)
def index() -> str:
    return render_template("booking/index.html", types=_active_types())


@blueprint.get("/<slug>/")
def choose_time(slug: str) -> str:
    consultation_type = _active_type_or_404(slug)
    guest_zone = guest_zone_name(request.args.get("tz")) or site_zone().key
    now = app_now()
    db = get_session()
    stretch = service.guest_days_with_slots(
        session=db,
        consultation_type=consultation_type,
        guest_time_zone=guest_zone,
        site_time_zone=site_zone(),
        now=now,
        from_day=parse_day(request.args.get("from")),
    )
    days = stretch.days
    chosen_day = parse_day(request.args.get("date")) or (days[0] if days else None)
    times: list[datetime] = []
    if chosen_day is not None:
        times = service.guest_day_slots(
            session=db,
            consultation_type=consultation_type,
            guest_day=chosen_day,
            guest_time_zone=guest_zone,
            site_time_zone=site_zone(),
            now=now,
        )
    return render_template(
        "booking/choose_time.html",
        consultation_type=consultation_type,
        days=days,
        stretch=stretch,
        chosen_day=chosen_day,
        times=times,
        guest_zone=guest_zone,
        time_zones=TIME_ZONES,
    )


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@blueprint.get("/<slug>/slots.json")
def slots_json(slug: str) -> ResponseReturnValue:
    consultation_type = _active_type_or_404(slug)
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
    times = service.guest_day_slots(
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


def _chosen_start(form: DetailsForm) -> datetime | None:
    try:
        start = datetime.fromisoformat(form.start.data or "")
    except ValueError:
        return None
    return start if start.tzinfo else None


@blueprint.route("/<slug>/details", methods=["GET", "POST"])
def details(slug: str) -> ResponseReturnValue:
    if request.method == "POST":
        # Before any read: the check and the hold must see one calendar.
        begin_as_writer(get_session())
    consultation_type = _active_type_or_404(slug)
    form = details_form_for(
        consultation_type, start=request.args.get("start"), tz=request.args.get("tz")
    )
    start = _chosen_start(form)
    guest_zone = guest_zone_name(form.tz.data)
    if start is None or guest_zone is None:
        return redirect(url_for("booking.choose_time", slug=slug))
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
    context = {
        "consultation_type": consultation_type,
        "form": form,
        "start_local": start.astimezone(ZoneInfo(guest_zone)),
        "guest_zone": guest_zone,
    }
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
        time_zone=guest_zone,
        intake_answers=form.intake_answers(),
    )
    try:
        booking = service.place_booking(
            session=db,
            consultation_type=consultation_type,
            starts_at=start,
            guest=guest,
            site_time_zone=site_zone(),
            now=app_now(),
            member=member,
        )
    except (SlotTaken, service.SlotNotOffered) as refusal:
        db.rollback()
        return render_template("booking/details.html", **context, slot_problem=str(refusal)), 409
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
    db.commit()
    if booking.status == "confirmed":
        return redirect(url_for("booking.booking_status", public_id=booking.public_id), 303)
    return _start_payment(booking, consultation_type, context)


def _start_payment(
    booking: Booking, consultation_type: ConsultationType, context: dict[str, Any]
) -> ResponseReturnValue:
    """Send the guest to pay; if the provider cannot be reached, release the hold and say so."""
    if booking.hold_expires_at is None:
        raise RuntimeError(f"booking {booking.public_id} is not held, so it cannot be paid for")
    db = get_session()
    provider = current_provider()
    guest_start = booking.starts_at.astimezone(ZoneInfo(booking.guest_time_zone))
    request_for_provider = CheckoutRequest(
        reference=booking.public_id,
        description=(
            f"{consultation_type.name}, {guest_start:%-d %B %Y %H:%M} ({booking.guest_time_zone})"
        ),
        amount_minor=booking.amount_minor,
        currency=booking.currency,
        customer_email=booking.guest_email,
        success_url=absolute_url("booking.payment_return")
        + f"?session_id={CHECKOUT_SESSION_ID_PLACEHOLDER}",
        cancel_url=absolute_url("booking.payment_cancelled", public_id=booking.public_id),
        expires_at=booking.hold_expires_at,
        idempotency_key=f"checkout-{booking.public_id}",
    )
    try:
        started = provider.start_checkout(request_for_provider)
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("could not start the checkout of booking %s", booking.public_id)
        db.rollback()
        db.delete(db.get_one(Booking, booking.id))
        db.commit()
        message = (
            "We could not reach our payment provider just now, so nothing was booked or charged. "
            "Please try again in a few minutes."
        )
        return render_template("booking/details.html", **context, slot_problem=message), 503
    booking.checkout_session_id = started.session_id
    booking.payment_provider = provider.name
    db.add(booking)
    db.commit()
    return redirect(started.redirect_url, 303)


# The guest's pages for a booking once made share this blueprint.
from consult.booking import manage  # noqa: E402, F401
