"""Stripe's side of the traffic run: the fake Stripe API the site's SDK talks to, and its webhook
events, signed and delivered to the site as Stripe does it: a little late, out of order with the
guest's return, and now and then twice.
"""

from __future__ import annotations

import json
import random
import threading

from bench.traffic.client import Person
from bench.traffic.tally import Tally
from tests.fakes.stripe_server import FakeStripeServer
from tests.fakes.stripe_signing import sign_webhook

STRIPE_ADDRESS = "3.18.12.63"  # one of the addresses Stripe sends webhooks from
LATEST_DELIVERY_SECONDS = 3.0
DUPLICATE_ONE_IN = 5


class StripeWebhooks:
    """Sends each event once it is due, each from a timer thread of its own."""

    def __init__(
        self, stripe: FakeStripeServer, *, site_url: str, public_url: str, secret: str, tally: Tally
    ):
        self.stripe = stripe
        self.secret = secret
        self._sender = Person(site_url, public_url, tally, STRIPE_ADDRESS)
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()

    def announce(self, event_type: str, session_id: str, chooser: random.Random) -> None:
        """The event as of now (Stripe's snapshot), delivered within a few seconds; some twice."""
        event = self.stripe.event(event_type, session_id)
        deliveries = 2 if chooser.randrange(DUPLICATE_ONE_IN) == 0 else 1
        for _ in range(deliveries):
            timer = threading.Timer(
                chooser.uniform(0, LATEST_DELIVERY_SECONDS), self._deliver, args=(event,)
            )
            with self._lock:
                self._timers.append(timer)
            timer.start()

    def _deliver(self, event: dict[str, object]) -> None:
        payload = json.dumps(event).encode()
        self._sender.request(
            f"stripe: webhook {event['type']}",
            "POST",
            "/stripe/webhook",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign_webhook(payload, self.secret),
            },
            body=payload,
        )

    def drain(self) -> None:
        """Wait until every announced event has been delivered."""
        with self._lock:
            timers = list(self._timers)
        for timer in timers:
            timer.join()
