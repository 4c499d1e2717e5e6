"""Booking pages: types, days and times in the guest's zone, details, payment hand-off and the
result.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import nh3
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markdown import markdown
from markupsafe import Markup
from sqlmodel import select

from consult.booking import service
from consult.booking.changes import (
    ChangeNotAllowed,
    cancel_booking,
    guest_refund_quote,
    reschedule_booking,
)
from consult.booking.emails import format_money
from consult.booking.forms import details_form_for
from consult.booking.fulfilment import fulfil_checkout
from consult.booking.models import Booking, ConsultationType
from consult.clock import app_now
from consult.db import begin_as_writer, get_session
from consult.payments.provider import (
    CHECKOUT_SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    PaymentError,
    PaymentProviderUnavailable,
)
from consult.payments.selection import current_provider
from consult.urls import absolute_url

blueprint = Blueprint("booking", __name__, url_prefix="/book")
log = logging.getLogger("consult.booking")
TIME_ZONES = sorted(
    zone
    for zone in available_timezones()
    if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
)


def _site_zone() -> ZoneInfo:
    return current_app.extensions["consult.site"].time_zone


def _guest_zone(value: str | None) -> str | None:
    """The zone name if it is a real IANA zone, else None."""
    if not value:
        return _site_zone().key
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


@blueprint.get("/")
def index():
    return render_template("booking/index.html", types=service.active_types(get_session()))


@blueprint.get("/<slug>/")
def choose_time(slug: str):
    consultation_type = _active_type_or_404(slug)
    guest_zone = _guest_zone(request.args.get("tz")) or _site_zone().key
    now = app_now()
    db = get_session()
    days = service.guest_days_with_slots(
        session=db,
        consultation_type=consultation_type,
        guest_time_zone=guest_zone,
        site_time_zone=_site_zone(),
        now=now,
    )
    chosen_day = _parse_day(request.args.get("date")) or (days[0] if days else None)
    times = []
    if chosen_day is not None:
        times = service.guest_day_slots(
            session=db,
            consultation_type=consultation_type,
            guest_day=chosen_day,
            guest_time_zone=guest_zone,
            site_time_zone=_site_zone(),
            now=now,
        )
    return render_template(
        "booking/choose_time.html",
        consultation_type=consultation_type,
        days=days,
        chosen_day=chosen_day,
        times=times,
        guest_zone=guest_zone,
        time_zones=TIME_ZONES,
    )


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@blueprint.get("/<slug>/slots.json")
def slots_json(slug: str):
    consultation_type = _active_type_or_404(slug)
    guest_zone = _guest_zone(request.args.get("tz"))
    if guest_zone is None:
        return jsonify(
            error=(
                f"Unknown time zone {request.args.get('tz')!r}; use a name such as America/Chicago."
            )
        ), 400
    day = _parse_day(request.args.get("date"))
    if day is None:
        return jsonify(error="date must be a day written YYYY-MM-DD, e.g. 2027-01-05."), 400
    times = service.guest_day_slots(
        session=get_session(),
        consultation_type=consultation_type,
        guest_day=day,
        guest_time_zone=guest_zone,
        site_time_zone=_site_zone(),
        now=app_now(),
    )
    return jsonify(
        date=day.isoformat(), tz=guest_zone, slots=[moment.isoformat() for moment in times]
    )


def _chosen_start(form) -> datetime | None:
    try:
        start = datetime.fromisoformat(form.start.data or "")
    except ValueError:
        return None
    return start if start.tzinfo else None


@blueprint.route("/<slug>/details", methods=["GET", "POST"])
def details(slug: str):
    if request.method == "POST":
        begin_as_writer(
            get_session()
        )  # before any read: the check and the hold must see one calendar
    consultation_type = _active_type_or_404(slug)
    form = details_form_for(
        consultation_type, start=request.args.get("start"), tz=request.args.get("tz")
    )
    start = _chosen_start(form)
    guest_zone = _guest_zone(form.tz.data)
    if start is None or guest_zone is None:
        return redirect(url_for("booking.choose_time", slug=slug))
    context = {
        "consultation_type": consultation_type,
        "form": form,
        "start_local": start.astimezone(ZoneInfo(guest_zone)),
        "guest_zone": guest_zone,
    }
    if not form.validate_on_submit():
        return render_template("booking/details.html", **context), 200 if not form.errors else 422
    db = get_session()
    guest = service.GuestDetails(
        name=form.name.data,
        email=form.email.data,
        organisation=form.organisation.data,
        role=form.role.data,
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
            site_time_zone=_site_zone(),
            now=app_now(),
        )
    except (service.SlotTaken, service.SlotNotOffered) as refusal:
        db.rollback()
        return render_template("booking/details.html", **context, slot_problem=str(refusal)), 409
    db.commit()
    if consultation_type.is_free:
        return redirect(url_for("booking.booking_status", public_id=booking.public_id), 303)
    return _start_payment(booking, consultation_type, context)


def _start_payment(booking: Booking, consultation_type: ConsultationType, context: dict):
    """Send the guest to pay; if the provider cannot be reached, release the hold and say so."""
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
        db.delete(db.get(Booking, booking.id))
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


@blueprint.get("/return")
def payment_return():
    """Where the provider sends the guest after paying: confirm now rather than wait for the
    webhook.
    """
    session_id = request.args.get("session_id", "")
    db = get_session()
    begin_as_writer(db)
    try:
        booking = fulfil_checkout(
            session=db, provider=current_provider(), checkout_session_id=session_id, now=app_now()
        )
        db.commit()
    except (
        PaymentProviderUnavailable,
        PaymentError,
    ):  # the webhook will confirm it; the status page says so
        log.exception("could not read checkout %s", session_id)
        db.rollback()
        booking = db.exec(select(Booking).where(Booking.checkout_session_id == session_id)).first()
    if booking is None:
        abort(404)
    return redirect(url_for("booking.booking_status", public_id=booking.public_id), 303)


@blueprint.get("/booking/<public_id>/payment-cancelled")
def payment_cancelled(public_id: str):
    booking = _booking_or_404(public_id)
    return render_template(
        "booking/payment_cancelled.html",
        booking=booking,
        consultation_type=get_session().get(ConsultationType, booking.consultation_type_id),
    )


def _booking_or_404(public_id: str) -> Booking:
    booking = get_session().exec(select(Booking).where(Booking.public_id == public_id)).first()
    if booking is None:
        abort(404)
    return booking


@blueprint.get("/booking/<public_id>/")
def booking_status(public_id: str):
    booking = _booking_or_404(public_id)
    consultation_type = get_session().get(ConsultationType, booking.consultation_type_id)
    return render_template(
        "booking/status.html",
        booking=booking,
        consultation_type=consultation_type,
        start_local=booking.starts_at.astimezone(ZoneInfo(booking.guest_time_zone)),
        hold_minutes_left=max(
            0, int(((booking.hold_expires_at or app_now()) - app_now()) / timedelta(minutes=1))
        ),
    )


def _managed_booking_or_404(token: str) -> Booking:
    """The booking behind a guest's secret link (only its hash is stored)."""
    booking = service.find_by_access_token(get_session(), token)
    if booking is None:
        abort(404)
    return booking


def _manage_page(token: str, booking: Booking, *, problem: str | None = None, status: int = 200):
    site = current_app.extensions["consult.site"]
    refund_minor, refund_percent = guest_refund_quote(
        booking, now=app_now(), tiers=site.refund_tiers
    )
    return render_template(
        "booking/manage.html",
        token=token,
        booking=booking,
        consultation_type=get_session().get(ConsultationType, booking.consultation_type_id),
        start_local=booking.starts_at.astimezone(ZoneInfo(booking.guest_time_zone)),
        refund=format_money(refund_minor, booking.currency),
        refund_percent=refund_percent,
        can_change=booking.status == "confirmed" and booking.starts_at > app_now(),
        moves_left=max(0, site.max_reschedules - booking.reschedule_count),
        problem=problem,
    ), status


@blueprint.get("/manage/<token>")
def manage(token: str):
    """The guest's own page for a booking, reached from the secret link in their e-mails."""
    return _manage_page(token, _managed_booking_or_404(token))


@blueprint.post("/manage/<token>/cancel")
def cancel(token: str):
    db = get_session()
    begin_as_writer(db)
    booking = _managed_booking_or_404(token)
    try:
        cancel_booking(
            session=db,
            provider=current_provider(),
            booking=booking,
            by="guest",
            now=app_now(),
            tiers=current_app.extensions["consult.site"].refund_tiers,
        )
    except ChangeNotAllowed as refusal:
        return _manage_page(token, booking, problem=str(refusal), status=409)
    db.commit()
    return redirect(url_for("booking.manage", token=token), 303)


@blueprint.route("/manage/<token>/move", methods=["GET", "POST"])
def move(token: str):
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    booking = _managed_booking_or_404(token)
    consultation_type = db.get(ConsultationType, booking.consultation_type_id)
    guest_zone = _guest_zone(request.values.get("tz")) or booking.guest_time_zone
    problem = None
    if request.method == "POST":
        try:
            new_start = datetime.fromisoformat(request.form.get("start", ""))
            reschedule_booking(
                session=db,
                booking=booking,
                new_start=new_start,
                site_time_zone=_site_zone(),
                now=app_now(),
                max_reschedules=current_app.extensions["consult.site"].max_reschedules,
                manage_token=token,
            )
        except ValueError:
            problem = "Please choose one of the times below."
        except (ChangeNotAllowed, service.SlotTaken, service.SlotNotOffered) as refusal:
            problem = str(refusal)
        if problem is None:
            db.commit()
            return redirect(url_for("booking.manage", token=token), 303)
        db.rollback()
        booking = _managed_booking_or_404(token)
    now = app_now()
    days = service.guest_days_with_slots(
        session=db,
        consultation_type=consultation_type,
        guest_time_zone=guest_zone,
        site_time_zone=_site_zone(),
        now=now,
    )
    chosen_day = _parse_day(request.values.get("date")) or (days[0] if days else None)
    times = (
        service.guest_day_slots(
            session=db,
            consultation_type=consultation_type,
            guest_day=chosen_day,
            guest_time_zone=guest_zone,
            site_time_zone=_site_zone(),
            now=now,
        )
        if chosen_day
        else []
    )
    return render_template(
        "booking/move.html",
        token=token,
        booking=booking,
        consultation_type=consultation_type,
        days=days,
        chosen_day=chosen_day,
        times=times,
        guest_zone=guest_zone,
        problem=problem,
    ), 409 if problem else 200
