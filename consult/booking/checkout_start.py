"""Sending a guest to pay for a held booking, and filling the details form again for a guest
who abandoned a payment.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlmodel import select

from consult.booking.models import Booking, ConsultationType
from consult.db import get_session
from consult.payments.provider import (
    CHECKOUT_SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    PaymentError,
    PaymentProviderUnavailable,
)
from consult.payments.selection import current_provider
from consult.urls import absolute_url

log = logging.getLogger("consult.booking")


def answers_again(public_id: str | None) -> dict[str, Any]:
    """What a guest typed for a booking whose payment they abandoned, to fill the form again
    (its unguessable id is in the link of the page that offers it, and only there).
    """
    if request.method != "GET" or not public_id or len(public_id) > 32 or not public_id.isascii():
        return {}
    if not public_id.replace("-", "").replace("_", "").isalnum():
        return {}  # not an id this site makes (token_urlsafe)
    booking = get_session().exec(select(Booking).where(Booking.public_id == public_id)).first()
    if booking is None or booking.status != "expired" or booking.guest_data_erased_at:
        return {}
    answers = {f"intake_{key}": value for key, value in booking.intake_answers.items()}
    return answers | {
        "name": booking.guest_name,
        "email": booking.guest_email,
        "organisation": booking.organisation,
        "role": booking.role,
        "phone": booking.phone,
    }


def start_payment(
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
