"""The consultant erases a guest's personal data from a booking that is over."""

from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask.typing import ResponseReturnValue

from consult.admin.bookings import booking_detail, booking_or_404
from consult.admin.routes import blueprint
from consult.audit.web import audit
from consult.booking.models import Booking
from consult.clock import app_now
from consult.db import get_session
from consult.privacy.erasure import ACTIVE_STATUSES, ErasureRefused, erase_guest_data
from consult.privacy.forms import EraseGuestForm


@blueprint.app_template_global("guest_data_erasable")
def guest_data_erasable(booking: Booking) -> bool:
    """Whether the booking is over (or will not happen), so its guest's data can be erased."""
    return booking.status not in ACTIVE_STATUSES or booking.ends_at <= app_now()


@blueprint.app_template_global("erase_guest_form")
def erase_guest_form() -> EraseGuestForm:
    return EraseGuestForm(formdata=None)


@blueprint.post("/bookings/<public_id>/erase")
def erase_guest_data_of_booking(public_id: str) -> ResponseReturnValue:
    booking = booking_or_404(public_id)
    form = EraseGuestForm()
    if form.validate_on_submit():
        try:
            erased = erase_guest_data(session=get_session(), booking=booking, now=app_now())
        except ErasureRefused as refusal:
            form.form_errors.extend(refusal.reasons)
        else:
            if erased:  # not when it was erased before
                audit("booking.guest_data_erased", details={"booking": booking.public_id})
            get_session().commit()
            flash("The guest's personal data is erased; the financial record stays.", "success")
            return redirect(url_for("admin.booking_detail", public_id=public_id), 303)
    g.erase_guest_form = form  # the booking page shows it with its message and the answers kept
    return booking_detail(public_id), 422
