"""The payment hand-off of a held booking: start the provider's checkout, or release the hold."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from flask import redirect, render_template
from flask.typing import ResponseReturnValue

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
