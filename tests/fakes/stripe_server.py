"""A fake Stripe API on loopback that the real SDK talks to, with outages and a hosted pay page.

The objects it serves live in `FakeStripeAccount` (stripe_account.py); this module is the HTTP
side: listening, authentication, idempotency keys, routing, recorded requests.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.stripe_account import FakeStripeAccount
from tests.fakes.stripe_wire import StripeApiError, nest_form, new_id

SESSION_PATH = re.compile(r"^/v1/checkout/sessions/(?P<id>[^/]+)(?P<expire>/expire)?$")
REFUND_PATH = re.compile(r"^/v1/refunds/(?P<id>[^/]+)$")
PAY_PAGE_PATH = re.compile(r"^/pay/(?P<id>[^/]+)$")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it.

    `params` is the form body (or query) rebuilt into nested dicts and lists.
    """

    method: str
    path: str
    params: dict[str, Any]
    headers: Message  # case-insensitive: headers["Idempotency-Key"]


class FakeStripeServer(FakeStripeAccount):
    """Stripe's API as far as consult uses it, with test controls as plain methods.

    `now` gives the server's clock in epoch seconds (for expires_at checks and timestamps).
    `api_key`, when given, is the only secret key accepted.
    `refund_status` is the status new refunds get ("succeeded", or "pending" to test that path).
    """

    def __init__(self, *, now: Callable[[], float] = time.time, api_key: str | None = None):
        super().__init__(now=now)
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._failures_left = 0
        self._slow_answers: list[float] = []
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
        self._server = _QuietServer(("127.0.0.1", self._port), handler)
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
        """Answer the next `count` API requests with 500.

        The SDK retries 500s, so count its retries too.
        """
        with self._lock:
            self._failures_left = count

    def answer_slowly(self, seconds: float, count: int = 1) -> None:
        """Carry out the next `count` API requests, but hold each answer back `seconds` first.

        Like a Stripe that is slow or a network that stalls: a client with a shorter time-out
        gives up, though the request was done (and is replayed for its idempotency key).
        """
        with self._lock:
            self._slow_answers = [seconds] * count

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """The recorded requests with this method and path."""
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- the API ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, pairs: list[tuple[str, str]], headers: Message
    ) -> tuple[int, dict]:
        """Answer one API request: (status, JSON body)."""
        with self._lock:
            answer = self._answer(method, path, pairs, headers)
            delay = self._slow_answers.pop() if self._slow_answers else 0.0
        time.sleep(delay)  # outside the lock: other requests go on meanwhile
        return answer

    def _answer(
        self, method: str, path: str, pairs: list[tuple[str, str]], headers: Message
    ) -> tuple[int, dict]:
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
                return 200, self.answer_once(
                    key,
                    idempotency_key,
                    path,
                    pairs,
                    lambda: self._route("POST", path, nest_form(pairs)),
                )
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

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self.create_session(params, pay_page_base=f"{self.url}/pay")
        if method == "POST" and path == "/v1/refunds":
            return self.create_refund(params)
        if match := SESSION_PATH.match(path):
            session = self.retrieve_session(match["id"])  # an unknown session is a 404 first
            if method == "GET" and not match["expire"]:
                return session
            if method == "POST" and match["expire"]:
                return self.expire_open_session(match["id"])
        if method == "GET" and (match := REFUND_PATH.match(path)):
            return self.retrieve_refund(match["id"])
        raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")

    # -- the hosted payment page (for browser tests) ----------------------------------------

    def pay_page(self, session_id: str, action: str | None) -> tuple[int, str, str | None]:
        """The hosted page: (status, HTML, redirect location).

        GET (action None) shows Pay and Cancel buttons; "pay" completes the session and
        redirects to its success_url, "cancel" redirects to its cancel_url.
        """
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
                        f"<h1>Pay {session['amount_total']} {session['currency']}</h1>"
                        "<form method=post>"
                        "<button name=action value=pay>Pay</button>"
                        "<button name=action value=cancel>Cancel</button>"
                        "</form>"
                    ),
                    None,
                )
            if action != "pay":
                return 303, "", session["cancel_url"]
            if session["status"] == "open":
                self.complete_session(session_id)
            return 303, "", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up before a slow answer: expected, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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
        self.send_header("Request-Id", new_id("req"))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
