"""Refunds of anything paid through a provider (a booking, a programme): never more than was
paid, never twice.

Each paid thing keeps the same ledger (`PaidRecord`): what was actually paid, what refunds were
asked of the provider, what the provider has confirmed. The callers decide how much to give
back; this module caps it, asks the provider with an idempotency key derived from the ledger,
and applies what the provider answers or later reports by webhook. Each request to the provider
and each outcome it reports is in the audit log, naming the record by `kind` ("booking",
"programme") and public id.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from consult.audit.events import SYSTEM
from consult.audit.service import record_event
from consult.payments.provider import PaymentError, PaymentProvider, PaymentProviderUnavailable

log = logging.getLogger("consult.payments")
REFUNDABLE_STATES = ("paid", "partially_refunded", "refund_pending")


class PaidRecord(Protocol):
    """What a refund needs of a paid row: its public id, payment state and money ledger."""

    public_id: str
    currency: str
    payment_state: str
    payment_reference: str | None
    paid_minor: int
    refund_requested_minor: int
    refunded_minor: int


def request_refund(
    *,
    session: Session,
    provider: PaymentProvider,
    record: PaidRecord,
    kind: str,
    amount_minor: int,
    now: datetime,
) -> None:
    """Ask the provider to refund `amount_minor` more (capped at what is left of what was paid).

    The request is recorded first; if the provider cannot be reached the record stays
    `refund_pending` and `ask_again` (the sweep) asks again with the same idempotency key, so a
    refund that did go through is never made twice.
    """
    amount = min(amount_minor, record.paid_minor - record.refund_requested_minor)
    if amount <= 0 or record.payment_state not in REFUNDABLE_STATES or not record.payment_reference:
        return
    record.refund_requested_minor += amount
    record_refund_event(session, "refund.requested", record, kind, now, amount_minor=amount)
    ask_again(session=session, provider=provider, record=record, kind=kind, now=now)


def ask_again(
    *, session: Session, provider: PaymentProvider, record: PaidRecord, kind: str, now: datetime
) -> None:
    """Ask the provider for whatever was requested and not yet confirmed, with the same key."""
    amount = record.refund_requested_minor - record.refunded_minor
    reference = record.payment_reference
    if amount <= 0 or not reference:
        return
    record.payment_state = "refund_pending"
    session.add(record)
    try:
        refund = provider.refund(
            payment_reference=reference,
            amount_minor=amount,
            idempotency_key=f"refund-{record.public_id}-{record.refund_requested_minor}",
        )
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("refund of %s failed; it stays refund_pending", record.public_id)
        return
    record_refund_outcome(record, status=refund.status, amount_minor=refund.amount_minor)
    session.add(record)
    if refund.status == "succeeded":
        record_refund_event(
            session, "refund.succeeded", record, kind, now, amount_minor=refund.amount_minor
        )
    elif record.payment_state == "refund_failed":
        record_refund_event(
            session, "refund.failed", record, kind, now, provider_status=refund.status
        )


def record_refund_outcome(record: PaidRecord, *, status: str, amount_minor: int) -> None:
    """Apply what the provider says of a refund (from its answer or a webhook)."""
    if status == "succeeded":
        record.refunded_minor = min(record.paid_minor, record.refunded_minor + amount_minor)
        record.payment_state = (
            "refunded" if record.refunded_minor >= record.paid_minor else "partially_refunded"
        )
    elif status in ("failed", "canceled"):
        record.payment_state = "refund_failed"


def apply_refunded_total(record: PaidRecord, *, amount_refunded_minor: int) -> int:
    """Stripe's `charge.refunded`: the total refunded on the payment is now known for certain.

    Returns how much of it is newly confirmed.
    """
    if amount_refunded_minor <= record.refunded_minor:
        return 0
    newly_refunded = min(record.paid_minor, amount_refunded_minor) - record.refunded_minor
    record.refunded_minor += newly_refunded
    record.refund_requested_minor = max(record.refund_requested_minor, record.refunded_minor)
    record.payment_state = (
        "refunded" if record.refunded_minor >= record.paid_minor else "partially_refunded"
    )
    return newly_refunded


def record_refund_event(
    session: Session,
    event_type: str,
    record: PaidRecord,
    kind: str,
    now: datetime,
    **details: object,
) -> None:
    """The system asks and the provider answers; whoever cancelled has an entry of their own."""
    record_event(
        session=session,
        event_type=event_type,
        actor=SYSTEM,
        now=now,
        details={kind: record.public_id, "currency": record.currency, **details},
    )
