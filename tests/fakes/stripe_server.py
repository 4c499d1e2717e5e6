"""A fake Stripe API on loopback that the real SDK talks to: Checkout Sessions, refunds, idempotency, outages."""

from __future__ import annotations

import copy
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SESSION_PATH = re.compile(r"^/v1/checkout/sessions/(?P<id>[^/]+)(?P<expire>/expire)?$")
REFUND_PATH = re.compile(r"^/v1/refunds/(?P<id>[^/]+)$")
PAY_PAGE_PATH = re.compile(r"^/pay/(?P<id>[^/]+)$")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; `params` is the form body (or query) rebuilt into nested dicts and lists."""

    method: str
    path: str
    params: dict[str, Any]
    headers: Message  # case-insensitive: headers["Idempotency-Key"]


class StripeApiError(Exception):
    """Answered as Stripe does: {"error": {"type", "message", "code", "param"}} with an HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                k: v
                for k, v in {"type": type, "message": message, "code": code, "param": param}.items()
                if v
            }
        }


def nest_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild Stripe's bracketed form keys (`line_items[0][price_data][unit_amount]`) into dicts and lists of strings."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key) or [key]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    """Dicts whose keys are all indexes become lists."""
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def _integer(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeApiError(400, f"Invalid integer: {value}", param=name) from None


class FakeStripeServer:
    """Stripe's API as far as consult uses it, with test controls as plain methods.

    `now` gives the server's clock in epoch seconds (for expires_at checks and timestamps).
    `refund_status` is the status new refunds get ("succeeded", or "pending" to test that path).
    """

    def __init__(self, *, now: Callable[[], float] = time.time, api_key: str | None = None):
        self.now = now
        self.api_key = api_key
        self.refund_status = "succeeded"
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[tuple[str, str], tuple[str, list[tuple[str, str]], dict]] = {}
        self._failures_left = 0
        self._lock = threading.RLock()
        self._port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base address to give the SDK (`api_base`)."""
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> FakeStripeServer:
        """Listen on a free loopback port (the same port again after a stop)."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections to the port are refused until start() is called again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> FakeStripeServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- test controls ----------------------------------------------------------------------

    def fail_next(self, count: int = 1) -> None:
        """Answer the next `count` API requests with 500 (the SDK retries 500s, so count its retries too)."""
        with self._lock:
            self._failures_left = count

    def complete_session(self, session_id: str, payment_status: str = "paid") -> dict[str, Any]:
        """The guest finished Checkout: status complete, a PaymentIntent, and `payment_status` ("unpaid" for a delayed method)."""
        with self._lock:
            session = self.sessions[session_id]
            payment_intent = _new_id("pi")
            self.payment_intents[payment_intent] = {
                "amount": session["amount_total"],
                "currency": session["currency"],
            }
            session.update(
                status="complete",
                payment_status=payment_status,
                payment_intent=payment_intent,
                url=None,
            )
            return copy.deepcopy(session)

    def async_session_result(self, session_id: str, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment settled: "paid" if it succeeded, still "unpaid" if it failed (the session stays complete)."""
        with self._lock:
            session = self.sessions[session_id]
            if succeeded:
                session["payment_status"] = "paid"
            return copy.deepcopy(session)

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """Stripe expired an open session at its expires_at (what `checkout.session.expired` reports)."""
        with self._lock:
            self.sessions[session_id].update(status="expired", url=None)
            return copy.deepcopy(self.sessions[session_id])

    def set_refund_status(self, refund_id: str, status: str) -> dict[str, Any]:
        """A refund moved on (to "succeeded", "failed", "canceled"...): what `refund.updated` / `refund.failed` report."""
        with self._lock:
            self.refunds[refund_id]["status"] = status
            return copy.deepcopy(self.refunds[refund_id])

    def event(self, type: str, session_id: str) -> dict[str, Any]:
        """A Stripe Event of `type` carrying a snapshot of the session (or, given a "re_" id, the refund)."""
        with self._lock:
            source = self.refunds if session_id.startswith("re_") else self.sessions
            return {
                "id": _new_id("evt"),
                "object": "event",
                "type": type,
                "created": int(self.now()),
                "api_version": "2026-10-28.endive",
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "data": {"object": copy.deepcopy(source[session_id])},
            }

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """The recorded requests with this method and path."""
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- the API ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, pairs: list[tuple[str, str]], headers: Message
    ) -> tuple[int, dict]:
        """Answer one API request: (status, JSON body)."""
        with self._lock:
            self.requests.append(RecordedRequest(method, path, nest_form(pairs), headers))
            if self._failures_left > 0:
                self._failures_left -= 1
                return 500, {
                    "error": {
                        "type": "api_error",
                        "message": "An unknown error occurred (fake outage).",
                    }
                }
            try:
                key = self._authenticate(headers)
                idempotency_key = headers.get("Idempotency-Key")
                if method != "POST" or not idempotency_key:
                    return 200, self._route(method, path, nest_form(pairs))
                return self._idempotent_post(key, idempotency_key, path, pairs)
            except StripeApiError as error:
                return error.status, error.body

    def _authenticate(self, headers: Message) -> str:
        authorization = headers.get("Authorization", "")
        key = (
            authorization.removeprefix("Bearer ").strip()
            if authorization.startswith("Bearer ")
            else ""
        )
        if not key:
            raise StripeApiError(401, "You did not provide an API key.")
        if self.api_key is not None and key != self.api_key:
            raise StripeApiError(401, f"Invalid API Key provided: {key[:8]}****")
        return key

    def _idempotent_post(
        self, api_key: str, idempotency_key: str, path: str, pairs: list[tuple[str, str]]
    ):
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
            return 200, copy.deepcopy(body)
        body = self._route("POST", path, nest_form(pairs))
        self._idempotent[(api_key, idempotency_key)] = (path, list(pairs), copy.deepcopy(body))
        return 200, body

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(params)
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(params)
        if match := SESSION_PATH.match(path):
            session = self._find(self.sessions, match["id"], "checkout.session")
            if method == "GET" and not match["expire"]:
                return copy.deepcopy(session)
            if method == "POST" and match["expire"]:
                if session["status"] != "open":
                    raise StripeApiError(
                        400,
                        f'Only Checkout Sessions with a status in ["open"] can be expired. '
                        f'This Checkout Session has a status of "{session["status"]}".',
                    )
                session.update(status="expired", url=None)
                return copy.deepcopy(session)
        if method == "GET" and (match := REFUND_PATH.match(path)):
            return copy.deepcopy(self._find(self.refunds, match["id"], "refund"))
        raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _find(store: dict[str, dict], object_id: str, kind: str) -> dict[str, Any]:
        if object_id not in store:
            raise StripeApiError(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        return store[object_id]

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        for name in ("mode", "line_items", "success_url"):
            if name not in params:
                raise StripeApiError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        now = int(self.now())
        expires_at = _integer("expires_at", params.get("expires_at", now + 86400))
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
            amount_total += _integer("unit_amount", price["unit_amount"]) * _integer(
                "quantity", item.get("quantity", 1)
            )
        session_id = _new_id("cs_test")
        self.sessions[session_id] = session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{self.url}/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": params["mode"],
            "amount_total": amount_total,
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

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
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
        amount = _integer("amount", params.get("amount", paid - refunded))
        if amount <= 0 or amount > paid - refunded:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({paid - refunded})",
                param="amount",
            )
        refund_id = _new_id("re")
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

    # -- the hosted payment page (for browser tests) ----------------------------------------

    def pay_page(self, session_id: str, action: str | None) -> tuple[int, str, str | None]:
        """GET (action None) shows Pay/Cancel; "pay" completes the session and redirects to its success_url, "cancel" to its cancel_url."""
        with self._lock:
            session = self.sessions.get(session_id)
            if (
                session is None
                or session["status"] == "expired"
                or (session["status"] == "complete" and action != "pay")
            ):
                return 410, "<p>This checkout is no longer available.</p>", None
            if action is None:
                return (
                    200,
                    (
                        f"<h1>Pay {session['amount_total']} {session['currency']}</h1><form method=post>"
                        "<button name=action value=pay>Pay</button><button name=action value=cancel>Cancel</button></form>"
                    ),
                    None,
                )
            if action != "pay":
                return 303, "", session["cancel_url"]
            if session["status"] == "open":
                self.complete_session(session_id)
            return 303, "", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


_counter = itertools.count(1)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{next(_counter):04d}{secrets.token_hex(8)}"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripeServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        pairs = parse_qsl(split.query, keep_blank_values=True) + parse_qsl(
            body, keep_blank_values=True
        )
        if match := PAY_PAGE_PATH.match(split.path):
            status, html, location = self.fake.pay_page(
                match["id"], dict(pairs).get("action") if method == "POST" else None
            )
            self._send(status, html.encode(), "text/html; charset=utf-8", location)
            return
        status, payload = self.fake.handle(method, split.path, pairs, self.headers)
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _new_id("req"))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
