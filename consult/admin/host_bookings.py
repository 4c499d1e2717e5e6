"""The consultant's own changes to bookings: moving one for a guest and booking someone in, each
through the guests' rules and the same database guards.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlmodel import Session, col, select

from consult.admin.bookings import booking_or_404
from consult.admin.host_forms import BookForGuestForm
from consult.admin.routes import blueprint
from consult.audit.web import audit
from consult.booking import offered_times, service
from consult.booking.changes import ChangeNotAllowed, reschedule_booking
from consult.booking.free_days import move_choices
from consult.booking.models import Booking, ConsultationType
from consult.booking.occupying import SlotTaken
from consult.booking.policy import guest_moves_left
from consult.clock import app_now
from consult.db import begin_as_writer, get_session, id_of
from consult.form_validators import day_from, moment_from

NOT_FREE = "That time is not free for this consultation (outside your hours, too soon, or taken)."


def _zone() -> ZoneInfo:
    zone: ZoneInfo = current_app.extensions["consult.site"].time_zone
    return zone


def _free_times(session: Session, consultation_type: ConsultationType, day: date) -> str:
    """The free start times of the type on the consultant-local day, for the field's message."""
    times = offered_times.guest_day_slots(
        session=session,
        consultation_type=consultation_type,
        guest_day=day,
        guest_time_zone=_zone().key,
        site_time_zone=_zone(),
        now=app_now(),
    )
    listed = ", ".join(moment.strftime("%H:%M") for moment in times)
    return f"Free that day: {listed}." if listed else "Nothing is free that day."


@blueprint.route("/bookings/new", methods=["GET", "POST"])
def book_for_guest() -> ResponseReturnValue:
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    types = db.exec(
        select(ConsultationType).order_by(col(ConsultationType.position), col(ConsultationType.id))
    ).all()
    form = BookForGuestForm()
    form.consultation_type.choices = [(row.id, row.name) for row in types]
    if not form.is_submitted():
        form.time_zone.data = _zone().key
    if form.validate_on_submit() and form.starts_at.data is not None:
        consultation_type = db.get_one(ConsultationType, form.consultation_type.data)
        booking = _place(db, form, consultation_type)
        if booking is not None:
            audit(
                "booking.booked_by_consultant",
                details={
                    "booking": booking.public_id,
                    "starts_at": booking.starts_at,
                    "payment": booking.payment_state,
                },
            )
            db.commit()
            flash("Booked and confirmed. The guest has been sent the invitation.", "success")
            return redirect(url_for("admin.booking_detail", public_id=booking.public_id), 303)
    return render_template("admin/book_for_guest.html", form=form), 422 if form.errors else 200


def _place(
    db: Session, form: BookForGuestForm, consultation_type: ConsultationType
) -> Booking | None:
    """Place the booking, or put the reason on the form's field and return None."""
    if consultation_type.location_kind == "phone" and not (form.phone.data or "").strip():
        form.phone.errors = ["This is a phone call: enter the number to call."]
        return None
    starts_at = form.starts_at.data
    if starts_at is None:
        return None
    guest = service.GuestDetails(
        name=form.name.data or "",
        email=form.email.data or "",
        organisation=form.organisation.data or "",
        role=form.role.data or "",
        phone=form.phone.data,
        time_zone=form.time_zone.data or _zone().key,
        intake_answers={},
    )
    try:
        return service.place_booking(
            session=db,
            consultation_type=consultation_type,
            starts_at=starts_at,
            guest=guest,
            site_time_zone=_zone(),
            practice_name=current_app.extensions["consult.site"].practice_name,
            now=app_now(),
            consultant_payment=form.payment.data,
        )
    except (SlotTaken, service.SlotNotOffered):
        db.rollback()
        form.starts_at.errors = [
            f"{NOT_FREE} {_free_times(db, consultation_type, starts_at.date())}"
        ]
        return None


@blueprint.route("/bookings/<public_id>/move", methods=["GET", "POST"])
def move_booking_as_consultant(public_id: str) -> ResponseReturnValue:
    """Move a booking for the guest, who is e-mailed the new time with an updated invitation.

    The guest's limit on moves does not bind the consultant; the calendar's rules do.
    """
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    booking = booking_or_404(public_id)
    consultation_type = db.get_one(ConsultationType, booking.consultation_type_id)
    problem = None
    if request.method == "POST":
        problem = _move(db, booking)
        if problem is None:
            db.commit()
            flash("Moved. The guest has been sent the new time and invitation.", "success")
            return redirect(url_for("admin.booking_detail", public_id=public_id), 303)
        db.rollback()
        booking = booking_or_404(public_id)
    choices = move_choices(
        session=db,
        consultation_type=consultation_type,
        moving_booking_id=id_of(booking),
        guest_time_zone=_zone().key,
        site_time_zone=_zone(),
        now=app_now(),
        from_day=day_from(request.values.get("from")),
        chosen_day=day_from(request.values.get("date")),
    )
    return render_template(
        "admin/move_booking.html",
        booking=booking,
        consultation_type=consultation_type,
        stretch=choices.stretch,
        chosen_day=choices.chosen_day,
        times=choices.times,
        guest_moves_left=guest_moves_left(
            moves_made=booking.reschedule_count,
            max_reschedules=current_app.extensions["consult.site"].max_reschedules,
        ),
        problem=problem,
    ), 409 if problem else 200


def _move(db: Session, booking: Booking) -> str | None:
    """Move the booking to the posted time; returns why not, or None once moved."""
    old_start = booking.starts_at
    try:
        new_start = moment_from(request.form.get("start"))
        moves_seen = int(request.form.get("moves_made", "")[:9])
        if new_start is None:
            raise ValueError("not a time with its offset")
        reschedule_booking(
            session=db,
            booking=booking,
            new_start=new_start,
            site_time_zone=_zone(),
            now=app_now(),
            max_reschedules=None,
            manage_token=service.issue_access_token(session=db, booking=booking, now=app_now()),
            moves_seen=moves_seen,
        )
    except (ValueError, OverflowError):
        return "Please choose one of the times below."
    except (ChangeNotAllowed, SlotTaken, service.SlotNotOffered) as refusal:
        return str(refusal)
    audit(
        "booking.moved_by_consultant",
        details={"booking": booking.public_id, "from": old_start, "to": booking.starts_at},
    )
    return None
