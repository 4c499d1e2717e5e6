"""The payment-provider protocol and the plain data it speaks; no Flask, no provider SDK."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CHECKOUT_SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


class PaymentProviderUnavailable(Exception):
    """The provider could not be reached, or answered with a server error: try again later."""


class PaymentError(Exception):
    """The provider refused the request (a 4xx answer); the message is for the logs, not guests."""


class PaymentNotFound(PaymentError):
    """The provider has no such object (a checkout or payment this site's account did not make)."""


@dataclass(frozen=True)
class CheckoutRequest:
    """What we ask the provider to collect for one booking.

    `reference` is the booking's public id; `success_url` must contain the literal
    "{CHECKOUT_SESSION_ID}", which the provider replaces with the session's id.
    """

    reference: str
    description: str
    amount_minor: int
    currency: str
    customer_email: str
    success_url: str
    cancel_url: str
    expires_at: datetime
    idempotency_key: str

    def __post_init__(self) -> None:
        if CHECKOUT_SESSION_ID_PLACEHOLDER not in self.success_url:
            raise ValueError(f"success_url must contain {CHECKOUT_SESSION_ID_PLACEHOLDER}")
        if self.expires_at.tzinfo is None or self.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be an aware datetime")
        if (
            isinstance(self.amount_minor, bool)
            or not isinstance(self.amount_minor, int)
            or self.amount_minor <= 0
        ):
            raise ValueError("amount_minor must be a positive integer")
        if self.currency != self.currency.lower() or len(self.currency) != 3:
            raise ValueError("currency must be a lower-case ISO 4217 code")
        if not self.idempotency_key or len(self.idempotency_key) > 255:
            raise ValueError("idempotency_key must be 1 to 255 characters")


@dataclass(frozen=True)
class CheckoutStarted:
    """A checkout the guest can now be sent to."""

    session_id: str
    redirect_url: str


@dataclass(frozen=True)
class CheckoutState:
    """A checkout as the provider sees it now.

    `status` is "open", "complete" or "expired"; `payment_status` is "paid", "unpaid" or
    "no_payment_required" (a complete session may still be unpaid while a delayed method
    settles). `payment_reference` is the provider's payment id, needed for refunds.
    """

    session_id: str
    status: str
    payment_status: str
    reference: str | None
    amount_total: int | None
    currency: str | None
    payment_reference: str | None

    @property
    def is_paid(self) -> bool:
        """True when the money is collected (or none was due): the booking may be fulfilled."""
        return self.status == "complete" and self.payment_status in ("paid", "no_payment_required")


@dataclass(frozen=True)
class RefundState:
    """A refund as the provider sees it: "pending", "succeeded", "failed", "canceled" or
    "requires_action".
    """

    refund_id: str
    status: str
    amount_minor: int


class PaymentProvider(Protocol):
    """What booking needs from a payment provider; every call may raise the two errors above."""

    name: str

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStarted:
        """Create a hosted checkout; the same idempotency key returns the same checkout."""
        ...

    def retrieve_checkout(self, session_id: str) -> CheckoutState:
        """Read a checkout's current state from the provider (never trust an event's copy)."""
        ...

    def expire_checkout(self, session_id: str) -> None:
        """Close an open checkout so it can no longer be paid; already expired or complete is no
        error.
        """
        ...

    def refund(
        self, *, payment_reference: str, amount_minor: int, idempotency_key: str
    ) -> RefundState:
        """Refund all or part of a payment; the same idempotency key returns the same refund."""
        ...
