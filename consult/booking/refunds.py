"""Giving money back for a booking through its payment provider, never more than was paid."""

from __future__ import annotations

import logging

from sqlmodel import Session

from consult.booking.models import Booking
from consult.payments.provider import PaymentError, PaymentProvider, PaymentProviderUnavailable

log = logging.getLogger("consult.booking")


def issue_refund(*, session: Session, provider: PaymentProvider, booking: Booking, amount_minor: int, reason: str) -> None:
    """Refund `amount_minor` (capped at what is left); a refund the provider cannot take now stays `refund_pending`.

    The idempotency key names the booking and the reason, so a retry never refunds twice.
    """
    amount = min(amount_minor, booking.amount_minor - booking.refunded_minor)
    if amount <= 0 or booking.payment_state not in ("paid", "partially_refunded", "refund_pending") or not booking.payment_reference:
        return
    booking.payment_state = "refund_pending"
    session.add(booking)
    try:
        refund = provider.refund(payment_reference=booking.payment_reference, amount_minor=amount, idempotency_key=f"refund-{reason}-{booking.public_id}")
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("refund of booking %s failed; it stays refund_pending", booking.public_id)
        return
    if refund.status == "succeeded":
        booking.refunded_minor += refund.amount_minor
        booking.payment_state = "refunded" if booking.refunded_minor >= booking.amount_minor else "partially_refunded"
    elif refund.status in ("failed", "canceled"):
        booking.payment_state = "refund_failed"
    session.add(booking)
