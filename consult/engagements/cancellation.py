"""Ending a programme early and giving money back: by the stated policy (engagements/policy.py),
in full or not at all when the consultant chooses, and never more than was paid.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from consult.engagements.credits import balances
from consult.engagements.models import ProgrammePurchase
from consult.engagements.policy import ProgrammeRefundQuote, programme_refund_quote
from consult.engagements.purchases import PurchaseError, set_status
from consult.payments.provider import PaymentProvider
from consult.payments.refunds import (
    apply_refunded_total,
    ask_again,
    record_refund_event,
    request_refund,
)

KIND = "programme"  # how the audit log names a programme purchase's refunds

REFUND_CHOICES = ("policy", "full", "none")


def refund_quote(
    session: Session, purchase: ProgrammePurchase, *, now: datetime
) -> ProgrammeRefundQuote:
    """What cancelling `purchase` now refunds by the policy."""
    if purchase.starts_at is None or purchase.ends_at is None or purchase.status != "active":
        return ProgrammeRefundQuote(0, "Only a running programme can be cancelled.")
    credits = balances(session, [purchase.id] if purchase.id is not None else []).get(
        purchase.id or 0, []
    )
    return programme_refund_quote(
        paid_minor=purchase.paid_minor,
        refunded_minor=purchase.refund_requested_minor,
        sessions_included=sum(balance.included for balance in credits),
        sessions_used=sum(balance.used for balance in credits),
        starts_at=purchase.starts_at,
        ends_at=purchase.ends_at,
        full_refund_days=purchase.full_refund_days,
        now=now,
    )


def cancel_purchase(
    *,
    session: Session,
    provider: PaymentProvider,
    purchase: ProgrammePurchase,
    by: str,
    refund: str,
    now: datetime,
) -> int:
    """End a running programme now: its unused credits can no longer be used, and sessions
    already booked with credits stay booked. Returns the amount asked of the provider.

    `refund` is "policy" (the owner always gets this), or for the consultant "full" (all that
    is left of what was paid) or "none". Lock the purchase (`find_purchase_for_update`) first.
    """
    if refund not in REFUND_CHOICES or (by != "consultant" and refund != "policy"):
        raise PurchaseError("Choose how much to refund.")
    if purchase.status != "active":
        raise PurchaseError("Only a running programme can be cancelled.")
    if refund == "policy":
        amount = refund_quote(session, purchase, now=now).amount_minor
    elif refund == "full":
        amount = purchase.paid_minor - purchase.refund_requested_minor
    else:
        amount = 0
    set_status(purchase, "cancelled")
    purchase.cancelled_at = now
    purchase.cancelled_by = by
    session.add(purchase)
    if amount > 0:
        request_refund(
            session=session,
            provider=provider,
            record=purchase,
            kind=KIND,
            amount_minor=amount,
            now=now,
        )
    session.flush()
    return amount


def retry_pending_purchase_refunds(
    *, session: Session, provider: PaymentProvider, now: datetime
) -> int:
    """Ask again for every programme refund the provider has not confirmed; returns how many."""
    pending = session.exec(
        select(ProgrammePurchase)
        .where(ProgrammePurchase.payment_state == "refund_pending")
        .order_by(col(ProgrammePurchase.id))
    ).all()
    for purchase in pending:
        ask_again(session=session, provider=provider, record=purchase, kind=KIND, now=now)
    return len(pending)


def reconcile_purchase_charge_refunded(
    *, session: Session, payment_reference: str, amount_refunded_minor: int, now: datetime
) -> bool:
    """Stripe's `charge.refunded` for a programme; False when no purchase was paid with it."""
    purchase = session.exec(
        select(ProgrammePurchase)
        .where(ProgrammePurchase.payment_reference == payment_reference)
        .with_for_update()
    ).first()
    if purchase is None:
        return False
    newly_refunded = apply_refunded_total(purchase, amount_refunded_minor=amount_refunded_minor)
    session.add(purchase)
    if newly_refunded:
        record_refund_event(
            session, "refund.succeeded", purchase, KIND, now, amount_minor=newly_refunded
        )
    return True


def reconcile_purchase_refund_failed(
    *, session: Session, payment_reference: str, now: datetime
) -> bool:
    """Stripe's `refund.failed` for a programme; False when no purchase was paid with it."""
    purchase = session.exec(
        select(ProgrammePurchase)
        .where(ProgrammePurchase.payment_reference == payment_reference)
        .with_for_update()
    ).first()
    if purchase is None:
        return False
    purchase.payment_state = "refund_failed"
    session.add(purchase)
    record_refund_event(session, "refund.failed", purchase, KIND, now, provider_status="failed")
    return True
