"""The fake Stripe's state: Checkout Sessions, PaymentIntents, refunds, saved answers, events."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.stripe_wire import StripeApiError, integer_param, new_id


class FakeStripeAccount:
    """What Stripe keeps for one account, and test controls that move it on as Stripe would.

    `now` gives the account's clock in epoch seconds (for expires_at checks and timestamps).
    `refund_status` is the status new refunds get ("succeeded", or "pending" to test that path).
    The HTTP server answers from several threads: it holds the lock around each API request,
    and the test controls take it too.
    """

    def __init__(self, *, now: Callable[[], float] = time.time):
        self.now = now
        self.refund_status = "succeeded"
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[tuple[str, str], tuple[str, list[tuple[str, str]], dict]] = {}
        self._lock = threading.RLock()

    # -- test controls ----------------------------------------------------------------------

    def complete_session(
        self, session_id: str, payment_status: str = "paid", *, discount_minor: int = 0
    ) -> dict[str, Any]:
        """The guest finished Checkout: status complete, a PaymentIntent, and `payment_status`.

        `payment_status` is "unpaid" for a delayed payment method. `discount_minor` is what a
        promotion code the guest entered took off: as on Stripe, `amount_total` is then less
        than `amount_subtotal`, `total_details.amount_discount` says by how much, and the
        PaymentIntent is for `amount_total`; a discount of everything leaves no PaymentIntent
        and `payment_status` "no_payment_required".
        """
        with self._lock:
            session = self.sessions[session_id]
            if not 0 <= discount_minor <= session["amount_subtotal"]:
                raise ValueError("a discount is between nothing and the whole subtotal")
            amount_total = session["amount_subtotal"] - discount_minor
            payment_intent = None
            if amount_total:
                payment_intent = new_id("pi")
                self.payment_intents[payment_intent] = {
                    "amount": amount_total,
                    "currency": session["currency"],
                }
            session.update(
                status="complete",
                payment_status=payment_status if amount_total else "no_payment_required",
                payment_intent=payment_intent,
                amount_total=amount_total,
                total_details={**session["total_details"], "amount_discount": discount_minor},
                url=None,
            )
            return copy.deepcopy(session)

    def async_session_result(self, session_id: str, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment settled: "paid" if it succeeded, still "unpaid" if it failed.

        The session stays complete either way.
        """
        with self._lock:
            session = self.sessions[session_id]
            if succeeded:
                session["payment_status"] = "paid"
            return copy.deepcopy(session)

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """Stripe expired an open session at its expires_at (`checkout.session.expired`)."""
        with self._lock:
            self.sessions[session_id].update(status="expired", url=None)
            return copy.deepcopy(self.sessions[session_id])

    def set_refund_status(self, refund_id: str, status: str) -> dict[str, Any]:
        """A refund moved on (to "succeeded", "failed", "canceled"...).

        This is what `refund.updated` and `refund.failed` report.
        """
        with self._lock:
            self.refunds[refund_id]["status"] = status
            return copy.deepcopy(self.refunds[refund_id])

    def event(self, type: str, session_id: str) -> dict[str, Any]:
        """A Stripe Event of `type` carrying a snapshot of the session.

        Given a "re_" id, the event carries that refund instead.
        """
        with self._lock:
            source = self.refunds if session_id.startswith("re_") else self.sessions
            return {
                "id": new_id("evt"),
                "object": "event",
                "type": type,
                "created": int(self.now()),
                "api_version": "2026-10-28.endive",
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "data": {"object": copy.deepcopy(source[session_id])},
            }

    # -- what the API does ------------------------------------------------------------------

    def answer_once(
        self,
        api_key: str,
        idempotency_key: str,
        path: str,
        pairs: list[tuple[str, str]],
        answer: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The saved answer for an idempotency key, or `answer()` saved under it."""
        # Like Stripe: the first successful answer for a key is replayed; the same key with
        # another endpoint or other parameters is an idempotency_error. Failed validation is
        # not saved, so a corrected retry with the same key can still succeed.
        saved = self._idempotent.get((api_key, idempotency_key))
        if saved is not None:
            saved_path, saved_pairs, body = saved
            if saved_path != path or sorted(saved_pairs) != sorted(pairs):
                raise StripeApiError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    type="idempotency_error",
                )
            return copy.deepcopy(body)
        body = answer()
        self._idempotent[(api_key, idempotency_key)] = (path, list(pairs), copy.deepcopy(body))
        return body

    def retrieve_session(self, session_id: str) -> dict[str, Any]:
        """A copy of the Checkout Session, or Stripe's 404."""
        return copy.deepcopy(self._find(self.sessions, session_id, "checkout.session"))

    def expire_open_session(self, session_id: str) -> dict[str, Any]:
        """The API's expire: only an open session can be expired."""
        session = self._find(self.sessions, session_id, "checkout.session")
        if session["status"] != "open":
            raise StripeApiError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{session["status"]}".',
            )
        session.update(status="expired", url=None)
        return copy.deepcopy(session)

    def retrieve_refund(self, refund_id: str) -> dict[str, Any]:
        """A copy of the refund, or Stripe's 404."""
        return copy.deepcopy(self._find(self.refunds, refund_id, "refund"))

    @staticmethod
    def _find(store: dict[str, dict], object_id: str, kind: str) -> dict[str, Any]:
        if object_id not in store:
            raise StripeApiError(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        return store[object_id]

    def create_session(self, params: dict[str, Any], *, pay_page_base: str) -> dict[str, Any]:
        """A new open Checkout Session, paid through the hosted page at `<pay_page_base>/<id>`."""
        for name in ("mode", "line_items", "success_url"):
            if name not in params:
                raise StripeApiError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        now = int(self.now())
        expires_at = integer_param("expires_at", params.get("expires_at", now + 86400))
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        amount_total, currency = 0, None
        for index, item in enumerate(params["line_items"]):
            price = item.get("price_data") or {}
            if (
                "currency" not in price
                or "unit_amount" not in price
                or "name" not in (price.get("product_data") or {})
            ):
                raise StripeApiError(
                    400,
                    "line_items need price_data with currency, unit_amount and product_data[name].",
                    param=f"line_items[{index}][price_data]",
                )
            currency = price["currency"]
            amount_total += integer_param("unit_amount", price["unit_amount"]) * integer_param(
                "quantity", item.get("quantity", 1)
            )
        session_id = new_id("cs_test")
        self.sessions[session_id] = session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{pay_page_base}/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": params["mode"],
            "amount_subtotal": amount_total,
            "amount_total": amount_total,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "currency": currency,
            "created": now,
            "expires_at": expires_at,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "customer_email": params.get("customer_email"),
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "allow_promotion_codes": params.get("allow_promotion_codes") == "true",
            "payment_intent": None,
            "livemode": False,
        }
        return copy.deepcopy(session)

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new refund of `amount` (all that is left by default) of a PaymentIntent."""
        payment_intent = params.get("payment_intent")
        if payment_intent not in self.payment_intents:
            raise StripeApiError(
                400,
                f"No such payment_intent: '{payment_intent}'",
                code="resource_missing",
                param="payment_intent",
            )
        paid = self.payment_intents[payment_intent]["amount"]
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == payment_intent and r["status"] not in ("failed", "canceled")
        )
        amount = integer_param("amount", params.get("amount", paid - refunded))
        if amount <= 0 or amount > paid - refunded:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({paid - refunded})",
                param="amount",
            )
        refund_id = new_id("re")
        self.refunds[refund_id] = refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "currency": self.payment_intents[payment_intent]["currency"],
            "payment_intent": payment_intent,
            "status": self.refund_status,
            "created": int(self.now()),
            "metadata": params.get("metadata") or {},
        }
        return copy.deepcopy(refund)
