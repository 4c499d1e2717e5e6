"""The consultant's booking pages: lists by status, one booking with its intake answers, and its
actions.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from consult.admin.routes import blueprint
from consult.audit.web import PER_PAGE, audit, page_links, page_number
from consult.booking.changes import ChangeNotAllowed, cancel_booking
from consult.booking.emails import format_money
from consult.booking.models import Booking, ConsultationType
from consult.booking.policy import guest_moves_left
from consult.booking.status import TransitionNotAllowed, set_status
from consult.clock import app_now
from consult.db import begin_as_writer, get_session
from consult.payments.selection import current_provider
from consult.site.identity import SiteIdentity
from consult.site.kept_pages import kept_for_the_visitor

FILTERS = {
    "upcoming": "Upcoming",
    "held": "Waiting for payment",
    "past": "Past",
    "cancelled": "Cancelled",
    "expired": "Not completed",
}


def _query(view: str, now: datetime) -> Select[Booking, ConsultationType]:
    query = select(Booking, ConsultationType).join(
        ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id)
    )
    starts_at, number = col(Booking.starts_at), col(Booking.id)  # the id orders equal times
    if view == "upcoming":
        return query.where(Booking.status == "confirmed", starts_at > now).order_by(
            starts_at, number
        )
    if view == "held":
        return query.where(Booking.status == "held").order_by(starts_at, number)
    if view == "past":
        return query.where(
            col(Booking.status).in_(("confirmed", "completed", "no_show")), starts_at <= now
        ).order_by(starts_at.desc(), number.desc())
    return query.where(Booking.status == view).order_by(starts_at.desc(), number.desc())


@blueprint.get("/bookings/")
@kept_for_the_visitor
def bookings() -> str:
    view = request.args.get("view", "upcoming")
    if view not in FILTERS:
        abort(404)
    now = app_now()
    page = page_number()
    rows = (
        get_session()
        .exec(_query(view, now).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))
        .all()
    )
    site: SiteIdentity = current_app.extensions["consult.site"]
    site_zone = site.time_zone
    month_start = now.astimezone(site_zone).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    paid = (
        get_session()
        .exec(
            select(Booking.currency, func.sum(Booking.paid_minor - Booking.refunded_minor))
            .where(
                col(Booking.paid_at) >= month_start,
                col(Booking.payment_state).in_(("paid", "partially_refunded", "refund_pending")),
            )
            .group_by(Booking.currency)
        )
        .all()
    )
    return render_template(
        "admin/bookings.html",
        rows=rows[:PER_PAGE],
        page=page,
        links=page_links(page, has_next=len(rows) > PER_PAGE),
        view=view,
        filters=FILTERS,
        month_totals=[format_money(total or 0, currency) for currency, total in paid],
        month_start=month_start,
    )


def booking_or_404(public_id: str) -> Booking:
    booking = get_session().exec(select(Booking).where(Booking.public_id == public_id)).first()
    if booking is None:
        abort(404)
    return booking


def _can_cancel(booking: Booking) -> bool:
    return booking.status == "confirmed" and booking.starts_at > app_now()


@blueprint.get("/bookings/<public_id>/")
def booking_detail(public_id: str) -> str:
    booking = booking_or_404(public_id)
    return render_template(
        "admin/booking.html",
        booking=booking,
        consultation_type=get_session().get(ConsultationType, booking.consultation_type_id),
        can_cancel=_can_cancel(booking),
        amount=format_money(
            booking.paid_minor if booking.paid_at else booking.amount_minor, booking.currency
        ),
        refunded=format_money(booking.refunded_minor, booking.currency),
        guest_moves_left=guest_moves_left(
            moves_made=booking.reschedule_count,
            max_reschedules=current_app.extensions["consult.site"].max_reschedules,
        ),
    )


@blueprint.route("/bookings/<public_id>/cancel", methods=["GET", "POST"])
def cancel_booking_as_consultant(public_id: str) -> ResponseReturnValue:
    """GET asks the consultant to confirm, with or without a refund; POST cancels."""
    if request.method == "GET":
        booking = booking_or_404(public_id)
        if not _can_cancel(booking):
            return redirect(url_for("admin.booking_detail", public_id=public_id))
        return render_template(
            "admin/cancel_booking.html",
            booking=booking,
            consultation_type=get_session().get(ConsultationType, booking.consultation_type_id),
            refund=request.args.get("refund") == "full",
            amount=format_money(booking.amount_minor - booking.refunded_minor, booking.currency),
        )
    db = get_session()
    begin_as_writer(db)
    booking = booking_or_404(public_id)
    site: SiteIdentity = current_app.extensions["consult.site"]
    try:
        refunded = cancel_booking(
            session=db,
            provider=current_provider(),
            booking=booking,
            by="consultant",
            now=app_now(),
            tiers=site.refund_tiers,
            refund=request.form.get("refund") == "full",
        )
    except ChangeNotAllowed as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("admin.booking_detail", public_id=public_id), 303)
    audit("booking.cancelled_by_consultant", details=_cancellation(booking, refunded))
    db.commit()
    flash(
        f"Cancelled; {format_money(refunded, booking.currency)} refunded. The guest has been told.",
        "success",
    )
    return redirect(url_for("admin.booking_detail", public_id=public_id), 303)


@blueprint.post("/bookings/<public_id>/outcome")
def record_outcome(public_id: str) -> ResponseReturnValue:
    db = get_session()
    booking = booking_or_404(public_id)
    outcome = request.form.get("outcome")
    if outcome not in ("completed", "no_show") or booking.starts_at > app_now():
        flash("An outcome can be recorded once the consultation's time has come.", "error")
        return redirect(url_for("admin.booking_detail", public_id=public_id), 303)
    try:
        set_status(booking, outcome)
    except TransitionNotAllowed as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("admin.booking_detail", public_id=public_id), 303)
    db.add(booking)
    db.commit()
    flash("Saved.", "success")
    return redirect(url_for("admin.booking_detail", public_id=public_id), 303)


def _cancellation(booking: Booking, refunded_minor: int) -> dict[str, object]:
    return {
        "booking": booking.public_id,
        "starts_at": booking.starts_at,
        "refund": request.form.get("refund") == "full",
        "refunded_minor": refunded_minor,
        "currency": booking.currency,
    }
