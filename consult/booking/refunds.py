"""Giving money back for a booking through its payment provider: never more than was paid (the
booking's `paid_minor`, after promotion codes, not its list price), never twice. Each request to
the provider and each outcome it reports is in the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from consult.audit.events import SYSTEM
from consult.audit.service import record_event
from consult.booking.models import Booking
from consult.payments.provider import PaymentError, PaymentProvider, PaymentProviderUnavailable

log = logging.getLogger("consult.booking")
REFUNDABLE_STATES = ("paid", "partially_refunded", "refund_pending")


def issue_refund(
    *,
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    amount_minor: int,
    now: datetime,
) -> None:
    """Ask the provider to refund `amount_minor` more (capped at what is left of what was paid).

    The request is recorded first; if the provider cannot be reached the booking stays
    `refund_pending` and `retry_pending_refunds` asks again with the same idempotency key,
    so a refund that did go through is never made twice.
    """
    amount = min(amount_minor, booking.paid_minor - booking.refund_requested_minor)
    reference = booking.payment_reference
    if amount <= 0 or booking.payment_state not in REFUNDABLE_STATES or not reference:
        return
    booking.refund_requested_minor += amount
    _record(session, "refund.requested", booking, now, amount_minor=amount)
    _ask_provider(session, provider, booking, reference, now)


def _ask_provider(
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    payment_reference: str,
    now: datetime,
) -> None:
    amount = booking.refund_requested_minor - booking.refunded_minor
    booking.payment_state = "refund_pending"
    session.add(booking)
    try:
        refund = provider.refund(
            payment_reference=payment_reference,
            amount_minor=amount,
            idempotency_key=f"refund-{booking.public_id}-{booking.refund_requested_minor}",
        )
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("refund of booking %s failed; it stays refund_pending", booking.public_id)
        return
    record_refund_outcome(booking, status=refund.status, amount_minor=refund.amount_minor)
    session.add(booking)
    if refund.status == "succeeded":
        _record(session, "refund.succeeded", booking, now, amount_minor=refund.amount_minor)
    elif booking.payment_state == "refund_failed":
        _record(session, "refund.failed", booking, now, provider_status=refund.status)


def _record(
    session: Session, event_type: str, booking: Booking, now: datetime, **details: object
) -> None:
    """The system asks and the provider answers; whoever cancelled has an entry of their own."""
    record_event(
        session=session,
        event_type=event_type,
        actor=SYSTEM,
        now=now,
        details={"booking": booking.public_id, "currency": booking.currency, **details},
    )


def record_refund_outcome(booking: Booking, *, status: str, amount_minor: int) -> None:
    """Apply what the provider says of a refund (from its answer or a webhook)."""
    if status == "succeeded":
        booking.refunded_minor = min(booking.paid_minor, booking.refunded_minor + amount_minor)
        booking.payment_state = (
            "refunded" if booking.refunded_minor >= booking.paid_minor else "partially_refunded"
        )
    elif status in ("failed", "canceled"):
        booking.payment_state = "refund_failed"


def retry_pending_refunds(*, session: Session, provider: PaymentProvider, now: datetime) -> int:
    """Ask again for every refund the provider has not confirmed; returns how many were retried."""
    pending = session.exec(select(Booking).where(Booking.payment_state == "refund_pending")).all()
    for booking in pending:
        # Only a paid booking (which has a payment reference) is ever refund_pending.
        reference = booking.payment_reference
        if booking.refund_requested_minor > booking.refunded_minor and reference:
            _ask_provider(session, provider, booking, reference, now)
    return len(pending)


def reconcile_charge_refunded(
    *, session: Session, payment_reference: str, amount_refunded_minor: int, now: datetime
) -> bool:
    """Stripe's `charge.refunded`: the total refunded on the payment is now known for certain.

    Returns False when no booking was paid with `payment_reference`.
    """
    booking = session.exec(
        select(Booking).where(Booking.payment_reference == payment_reference).with_for_update()
    ).first()
    if booking is None:
        return False
    if amount_refunded_minor <= booking.refunded_minor:
        return True
    newly_refunded = min(booking.paid_minor, amount_refunded_minor) - booking.refunded_minor
    booking.refunded_minor += newly_refunded
    booking.refund_requested_minor = max(booking.refund_requested_minor, booking.refunded_minor)
    booking.payment_state = (
        "refunded" if booking.refunded_minor >= booking.paid_minor else "partially_refunded"
    )
    session.add(booking)
    _record(session, "refund.succeeded", booking, now, amount_minor=newly_refunded)
    return True


def reconcile_refund_failed(*, session: Session, payment_reference: str, now: datetime) -> bool:
    """Stripe's `refund.failed`: the consultant must step in.

    Returns False when no booking was paid with `payment_reference`.
    """
    booking = session.exec(
        select(Booking).where(Booking.payment_reference == payment_reference).with_for_update()
    ).first()
    if booking is None:
        return False
    booking.payment_state = "refund_failed"
    session.add(booking)
    _record(session, "refund.failed", booking, now, provider_status="failed")
    return True
