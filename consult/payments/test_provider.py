"""The local test provider: a "Test payment" page in the app itself, used when no Stripe key is set.

It keeps its checkouts in the database and answers like Stripe, so the booking code cannot
tell the difference: the same fulfilment runs after "Pay" as after a Stripe payment.
"""

from __future__ import annotations

import secrets

from flask import url_for
from sqlmodel import Session, select

from consult.payments.models import TestCheckout
from consult.payments.provider import (
    CHECKOUT_SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    CheckoutStarted,
    CheckoutState,
    PaymentError,
    PaymentNotFound,
    RefundState,
)


class LocalTestProvider:
    name = "test"

    def __init__(self, session: Session):
        self.session = session

    def _find(self, session_id: str) -> TestCheckout:
        # Locked and re-read: paying and expiring the same checkout at once, one wins.
        checkout = self.session.exec(
            select(TestCheckout)
            .where(TestCheckout.session_id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if checkout is None:
            raise PaymentNotFound(f"no test checkout {session_id}")
        return checkout

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStarted:
        checkout = TestCheckout(
            session_id=f"test_cs_{secrets.token_urlsafe(18)}",
            reference=request.reference,
            description=request.description,
            amount_minor=request.amount_minor,
            currency=request.currency,
            customer_email=request.customer_email,
            success_url=request.success_url,
            cancel_url=request.cancel_url,
            expires_at=request.expires_at,
        )
        self.session.add(checkout)
        self.session.flush()
        return CheckoutStarted(
            session_id=checkout.session_id,
            redirect_url=url_for("payments.test_checkout", session_id=checkout.session_id),
        )

    def retrieve_checkout(self, session_id: str) -> CheckoutState:
        checkout = self._find(session_id)
        return CheckoutState(
            session_id=checkout.session_id,
            status=checkout.status,
            payment_status=checkout.payment_status,
            reference=checkout.reference,
            amount_total=checkout.amount_minor,
            currency=checkout.currency,
            payment_reference=checkout.payment_reference,
        )

    def expire_checkout(self, session_id: str) -> None:
        checkout = self._find(session_id)
        if checkout.status == "open":
            checkout.status = "expired"
            self.session.add(checkout)

    def refund(
        self, *, payment_reference: str, amount_minor: int, idempotency_key: str
    ) -> RefundState:
        checkout = self.session.exec(
            select(TestCheckout).where(TestCheckout.payment_reference == payment_reference)
        ).first()
        if checkout is None or amount_minor > checkout.amount_minor - checkout.refunded_minor:
            raise PaymentError("refund larger than what was paid")
        checkout.refunded_minor += amount_minor
        self.session.add(checkout)
        return RefundState(
            refund_id=f"test_re_{idempotency_key}", status="succeeded", amount_minor=amount_minor
        )

    def pay(self, session_id: str) -> str:
        """The "Pay" button: the checkout completes as paid; returns the success URL to go to."""
        checkout = self._find(session_id)
        if checkout.status == "open":
            checkout.status = "complete"
            checkout.payment_status = "paid"
            checkout.payment_reference = f"test_pi_{secrets.token_urlsafe(12)}"
            self.session.add(checkout)
        return checkout.success_url.replace(CHECKOUT_SESSION_ID_PLACEHOLDER, checkout.session_id)
