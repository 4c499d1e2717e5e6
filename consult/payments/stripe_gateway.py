"""The Stripe implementation of PaymentProvider, and webhook verification: the only module that
imports stripe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import stripe

from consult.payments.provider import (
    CheckoutRequest,
    CheckoutStarted,
    CheckoutState,
    PaymentError,
    PaymentNotFound,
    PaymentProviderUnavailable,
    RefundState,
)

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

log = logging.getLogger(__name__)

# Every call to Stripe is bounded (the SDK's own default is 80 s). A slow or silent Stripe costs
# a guest's request at most 2 attempts x (3 s to connect + 8 s to answer) plus the SDK's 0.5 s
# pause: about 23 s, under gunicorn's 30 s worker timeout. The retry reuses the idempotency key,
# so a request Stripe did carry out is answered again, never repeated.
DEFAULT_CONNECT_TIMEOUT_SECONDS = 3.0
DEFAULT_READ_TIMEOUT_SECONDS = 8.0
DEFAULT_MAX_NETWORK_RETRIES = 1

Result = TypeVar("Result")


class WebhookSignatureInvalid(Exception):
    """A webhook body whose Stripe-Signature is missing, wrong or stale, or which is not a JSON
    event.
    """


class StripeGateway:
    """PaymentProvider over the official Stripe SDK, one StripeClient per instance (no global
    state).
    """

    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        api_base: str | None = None,
        *,
        connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        read_timeout_seconds: float = DEFAULT_READ_TIMEOUT_SECONDS,
        max_network_retries: int = DEFAULT_MAX_NETWORK_RETRIES,
    ) -> None:
        """`api_base` points the SDK at another server (the tests' fake Stripe); None means
        api.stripe.com. A connection or answer slower than its time-out is retried
        `max_network_retries` times, then reported as PaymentProviderUnavailable.
        """
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(
                timeout=(connect_timeout_seconds, read_timeout_seconds)
            ),
        )

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStarted:
        """Create a hosted Checkout Session for one booking; the idempotency key makes a retry
        return the same one.
        """
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": request.currency,
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.description},
                    },
                    "quantity": 1,
                }
            ],
            "metadata": {"booking": request.reference},
            "client_reference_id": request.reference,
            "customer_email": request.customer_email,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "expires_at": int(request.expires_at.timestamp()),
            "allow_promotion_codes": True,
            # No (allowed_)payment_method_types: every method enabled in the dashboard is offered.
        }
        session = _call(
            "create checkout",
            lambda: self._client.v1.checkout.sessions.create(
                params, options={"idempotency_key": request.idempotency_key}
            ),
        )
        if not session.url:
            raise PaymentError(f"checkout session {session.id} came back without a url")
        return CheckoutStarted(session_id=session.id, redirect_url=session.url)

    def retrieve_checkout(self, session_id: str) -> CheckoutState:
        """Read a Checkout Session's status, payment status, booking reference, PaymentIntent id."""
        session = _call(
            "retrieve checkout", lambda: self._client.v1.checkout.sessions.retrieve(session_id)
        )
        return checkout_state_from(session.to_dict())

    def expire_checkout(self, session_id: str) -> None:
        """Expire an open Checkout Session; one already expired or complete is left as it is."""
        try:
            _call("expire checkout", lambda: self._client.v1.checkout.sessions.expire(session_id))
        except PaymentError:
            # Stripe answers 400 for a session that is no longer open; the error's wording is not
            # a contract, so ask for the session's status instead of parsing the message.
            if self.retrieve_checkout(session_id).status == "open":
                raise

    def refund(
        self, *, payment_reference: str, amount_minor: int, idempotency_key: str
    ) -> RefundState:
        """Refund `amount_minor` of a PaymentIntent; the refund may stay "pending" (watch
        refund.updated).
        """
        refund = _call(
            "refund",
            lambda: self._client.v1.refunds.create(
                {"payment_intent": payment_reference, "amount": amount_minor},
                options={"idempotency_key": idempotency_key},
            ),
        )
        return RefundState(
            refund_id=refund.id, status=refund.status or "pending", amount_minor=refund.amount
        )


def checkout_state_from(session: dict[str, Any]) -> CheckoutState:
    """Build a CheckoutState from a Checkout Session as a plain dict (an API answer or an event's
    data.object).
    """
    metadata = session.get("metadata") or {}
    payment_intent = session.get("payment_intent")
    if isinstance(payment_intent, dict):  # expanded
        payment_intent = payment_intent.get("id")
    return CheckoutState(
        session_id=session["id"],
        status=session.get("status") or "open",
        payment_status=session.get("payment_status") or "unpaid",
        reference=session.get("client_reference_id") or metadata.get("booking"),
        amount_total=session.get("amount_total"),
        currency=session.get("currency"),
        payment_reference=payment_intent,
    )


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def verify_webhook(payload: bytes, signature_header: str | None, secret: str) -> dict[str, Any]:
    """Check a webhook's Stripe-Signature against the raw body (tolerance 300 s) and return the
    event as a dict.

    The dict has at least "id", "type" and "data" -> "object" (itself a plain dict).
    Raises WebhookSignatureInvalid for a missing, wrong or stale signature, or a body that
    is not a JSON Stripe event.
    """
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureInvalid(str(error)) from error
    except (ValueError, TypeError, AttributeError) as error:
        # Not UTF-8, not JSON, or JSON that is not an object: a signed body can still be junk.
        raise WebhookSignatureInvalid(f"webhook body is not a JSON event: {error}") from error
    values: dict[str, Any] = event.to_dict()
    if not isinstance(values.get("id"), str) or not isinstance(values.get("type"), str):
        raise WebhookSignatureInvalid("webhook body is not a Stripe event")
    data = values.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookSignatureInvalid("webhook event has no data.object")
    # A lone surrogate (\ud800) or NUL parses, but PostgreSQL cannot store either.
    stored_as = json.dumps(values, ensure_ascii=False)
    if "\\u0000" in stored_as or _has_lone_surrogate(stored_as):
        raise WebhookSignatureInvalid("webhook event holds text no database can store")
    return values


def _call(action: str, request: Callable[[], Result]) -> Result:
    """Run one SDK request, turning Stripe's errors into the protocol's two errors."""
    try:
        return request()
    except stripe.APIConnectionError as error:
        log.warning("Stripe unreachable during %s: %s", action, error.user_message or error)
        raise PaymentProviderUnavailable(f"Stripe could not be reached ({action})") from error
    except stripe.StripeError as error:
        status = error.http_status or 0
        if status >= 500 or status == 429:
            log.warning(
                "Stripe unavailable during %s: HTTP %s %s", action, status, error.user_message
            )
            raise PaymentProviderUnavailable(f"Stripe answered HTTP {status} ({action})") from error
        code = f" ({error.code})" if error.code else ""
        detail = f"HTTP {status} {type(error).__name__}{code}: {error.user_message or error}"
        if status == 404:
            log.warning("Stripe has no such object (%s): %s", action, detail)
            raise PaymentNotFound(f"Stripe has no such object ({action}): {detail}") from error
        log.error("Stripe refused %s: %s", action, detail)
        raise PaymentError(f"Stripe refused {action}: {detail}") from error
