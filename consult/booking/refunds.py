"""Giving money back for a booking through its payment provider: never more than was paid (the
booking's `paid_minor`, after promotion codes, not its list price), never twice. Each request to
the provider and each outcome it reports is in the audit log.

The ledger arithmetic is shared with programmes in payments/refunds.py; this module finds the
bookings it applies to.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from consult.booking.models import Booking
from consult.payments.provider import PaymentProvider
from consult.payments.refunds import (
    apply_refunded_total,
    ask_again,
    record_refund_event,
    request_refund,
)

KIND = "booking"


def issue_refund(
    *,
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    amount_minor: int,
    now: datetime,
) -> None:
    """Ask the provider to refund `amount_minor` more of the booking (capped at what is left of
    what was paid).

    The request is recorded first; if the provider cannot be reached the booking stays
    `refund_pending` and `retry_pending_refunds` asks again with the same idempotency key,
    so a refund that did go through is never made twice.
    """
    request_refund(
        session=session,
        provider=provider,
        record=booking,
        kind=KIND,
        amount_minor=amount_minor,
        now=now,
    )


def retry_pending_refunds(*, session: Session, provider: PaymentProvider, now: datetime) -> int:
    """Ask again for every refund the provider has not confirmed; returns how many were retried."""
    pending = session.exec(select(Booking).where(Booking.payment_state == "refund_pending")).all()
    for booking in pending:
        ask_again(session=session, provider=provider, record=booking, kind=KIND, now=now)
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
    newly_refunded = apply_refunded_total(booking, amount_refunded_minor=amount_refunded_minor)
    session.add(booking)
    if newly_refunded:
        record_refund_event(
            session, "refund.succeeded", booking, KIND, now, amount_minor=newly_refunded
        )
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
    record_refund_event(session, "refund.failed", booking, KIND, now, provider_status="failed")
    return True
