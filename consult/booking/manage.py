"""The guest's pages for a booking once made: the return from paying (or not), and, through the
secret link in their e-mails, cancelling it (with the policy's refund) or moving it.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask import abort, redirect, render_template, request, url_for
from flask import session as browser_session
from flask.typing import ResponseReturnValue
from sqlmodel import select

from consult.booking import service
from consult.booking.changes import (
    ChangeNotAllowed,
    cancel_booking,
    guest_refund_quote,
    reschedule_booking,
)
from consult.booking.emails import format_money
from consult.booking.free_days import move_choices
from consult.booking.fulfilment import abandon_checkout, fulfil_checkout
from consult.booking.models import Booking, ConsultationType
from consult.booking.occupying import SlotTaken
from consult.booking.policy import guest_moves_left
from consult.booking.routes import (
    blueprint,
    requested_day,
    requested_zone,
    site_identity,
    site_zone,
)
from consult.clock import app_now
from consult.db import begin_as_writer, get_session, id_of
from consult.engagements.policy import credit_given_back
from consult.form_validators import moment_from
from consult.payments.provider import PaymentError, PaymentProviderUnavailable
from consult.payments.selection import current_provider

log = logging.getLogger("consult.booking")
MOVES_SEEN_KEY = "booking_moves_seen"


@blueprint.get("/return")
def payment_return() -> ResponseReturnValue:
    """Where the provider sends the guest after paying: confirm now rather than wait for the
    webhook.
    """
    session_id = request.args.get("session_id", "")
    if not (0 < len(session_id) <= 255 and session_id.isascii() and session_id.isprintable()):
        abort(404)  # no checkout of ours has such an id
    db = get_session()
    begin_as_writer(db)
    try:
        booking = fulfil_checkout(
            session=db,
            provider=current_provider(),
            checkout_session_id=session_id,
            site_time_zone=site_zone(),
            practice_name=site_identity().practice_name,
            now=app_now(),
        )
        db.commit()
    except (PaymentProviderUnavailable, PaymentError):
        # The webhook will confirm it; the status page says so.
        log.exception("could not read checkout %s", session_id)
        db.rollback()
        booking = db.exec(select(Booking).where(Booking.checkout_session_id == session_id)).first()
    if booking is None:
        abort(404)
    return redirect(url_for("booking.booking_status", public_id=booking.public_id), 303)


@blueprint.get("/booking/<public_id>/payment-cancelled")
def payment_cancelled(public_id: str) -> str:
    """Where the provider sends a guest who left the payment page. The time is given back at once
    (the checkout is expired first, so it can no longer be paid), and the page offers the same
    time again with the guest's answers, in the guest's own zone.
    """
    db = get_session()
    begin_as_writer(db)
    booking = booking_or_404(public_id)
    try:
        booking = abandon_checkout(
            session=db,
            provider=current_provider(),
            booking=booking,
            site_time_zone=site_zone(),
            practice_name=site_identity().practice_name,
            now=app_now(),
        )
        db.commit()
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("could not expire the checkout of booking %s", public_id)
        db.rollback()
        booking = booking_or_404(public_id)
    consultation_type = db.get_one(ConsultationType, booking.consultation_type_id)
    zone = ZoneInfo(booking.guest_time_zone)
    return render_template(
        "booking/payment_cancelled.html",
        booking=booking,
        consultation_type=consultation_type,
        start_local=booking.starts_at.astimezone(zone),
        held_until=booking.hold_expires_at.astimezone(zone) if booking.hold_expires_at else None,
        again_url=url_for(
            "booking.details",
            slug=consultation_type.slug,
            start=booking.starts_at.isoformat(),
            tz=booking.guest_time_zone,
            again=booking.public_id,
        ),
    )


def booking_or_404(public_id: str) -> Booking:
    booking = get_session().exec(select(Booking).where(Booking.public_id == public_id)).first()
    if booking is None:
        abort(404)
    return booking


def _managed_booking_or_404(token: str) -> Booking:
    """The booking behind a guest's secret link (only its hash is stored)."""
    booking = service.find_by_access_token(get_session(), token)
    if booking is None:
        abort(404)
    return booking


def _can_change(booking: Booking) -> bool:
    return booking.status == "confirmed" and booking.starts_at > app_now()


def _manage_page(
    token: str,
    booking: Booking,
    *,
    problem: str | None = None,
    status: int = 200,
    template: str = "booking/manage.html",
) -> tuple[str, int]:
    site = site_identity()
    refund_minor, refund_percent = guest_refund_quote(
        booking, now=app_now(), tiers=site.refund_tiers
    )
    return render_template(
        template,
        token=token,
        booking=booking,
        consultation_type=get_session().get(ConsultationType, booking.consultation_type_id),
        start_local=booking.starts_at.astimezone(ZoneInfo(booking.guest_time_zone)),
        refund=format_money(refund_minor, booking.currency),
        refund_percent=refund_percent,
        can_change=_can_change(booking),
        moves_left=guest_moves_left(
            moves_made=booking.reschedule_count, max_reschedules=site.max_reschedules
        ),
        credit_back=credit_given_back(
            starts_at=booking.earliest_starts_at, now=app_now(), tiers=site.refund_tiers
        ),
        notice_counted_to=booking.earliest_starts_at.astimezone(ZoneInfo(booking.guest_time_zone))
        if booking.earliest_starts_at < booking.starts_at
        else None,
        problem=problem,
    ), status


@blueprint.get("/manage/<token>")
def manage(token: str) -> ResponseReturnValue:
    """The guest's own page for a booking, reached from the secret link in their e-mails."""
    booking = _managed_booking_or_404(token)
    _remember_moves_seen(booking)
    return _manage_page(token, booking)


def _remember_moves_seen(booking: Booking) -> None:
    """Note in the browser's session how often the booking had moved when this browser last
    showed it, for a move sent without the move form's own count (see `_moves_seen`).
    """
    browser_session[MOVES_SEEN_KEY] = [booking.public_id, booking.reschedule_count]


def _moves_seen(booking: Booking) -> int | None:
    """How often the booking had moved on the page the guest answered from: the move form's
    hidden count, else what this browser last showed of it, else unknown (None).
    """
    sent = request.form.get("moves_made", "")
    if sent.isascii() and sent.isdigit() and len(sent) <= 6:
        return int(sent)
    remembered = browser_session.get(MOVES_SEEN_KEY)
    if isinstance(remembered, list) and remembered[:1] == [booking.public_id]:
        count = remembered[1:2]
        return count[0] if count and isinstance(count[0], int) else None
    return None


@blueprint.route("/manage/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str) -> ResponseReturnValue:
    """GET asks the guest to confirm, saying what they get back; POST cancels."""
    if request.method == "GET":
        booking = _managed_booking_or_404(token)
        if not _can_change(booking):
            return redirect(url_for("booking.manage", token=token))
        return _manage_page(token, booking, template="booking/cancel.html")
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
            tiers=site_identity().refund_tiers,
        )
    except ChangeNotAllowed as refusal:
        return _manage_page(token, booking, problem=str(refusal), status=409)
    db.commit()
    return redirect(url_for("booking.manage", token=token), 303)


@blueprint.route("/manage/<token>/move", methods=["GET", "POST"])
def move(token: str) -> ResponseReturnValue:
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    booking = _managed_booking_or_404(token)
    consultation_type = db.get_one(ConsultationType, booking.consultation_type_id)
    guest_zone = (
        requested_zone(request.values["tz"])
        if request.values.get("tz")
        else booking.guest_time_zone
    )
    problem = None
    if request.method == "POST":
        try:
            new_start = moment_from(request.form.get("start"))
            if new_start is None:
                raise ValueError("not a moment")
            reschedule_booking(
                session=db,
                booking=booking,
                new_start=new_start,
                site_time_zone=site_zone(),
                now=app_now(),
                max_reschedules=site_identity().max_reschedules,
                manage_token=token,
                moves_seen=_moves_seen(booking),
            )
        except ValueError:
            problem = "Please choose one of the times below."
        except (ChangeNotAllowed, SlotTaken, service.SlotNotOffered) as refusal:
            problem = str(refusal)
        if problem is None:
            db.commit()
            return redirect(url_for("booking.manage", token=token), 303)
        db.rollback()
        booking = _managed_booking_or_404(token)
    _remember_moves_seen(booking)
    choices = move_choices(
        session=db,
        consultation_type=consultation_type,
        moving_booking_id=id_of(booking),
        guest_time_zone=guest_zone,
        site_time_zone=site_zone(),
        now=app_now(),
        from_day=requested_day(request.values.get("from")),
        chosen_day=requested_day(request.values.get("date")),
    )
    return render_template(
        "booking/move.html",
        token=token,
        booking=booking,
        consultation_type=consultation_type,
        stretch=choices.stretch,
        chosen_day=choices.chosen_day,
        times=choices.times,
        guest_zone=guest_zone,
        problem=problem,
    ), 409 if problem else 200
