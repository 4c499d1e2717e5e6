"""Steps of the paid flow against the fake Stripe: hold a slot, post a signed event, read back."""

import json

from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from consult.mail.models import OutboxEmail
from tests.fakes.stripe_signing import sign_webhook
from tests.web.booking_flow import book, free_slots

WEBHOOK_SECRET = "whsec_test_secret"


def hold_slot(guest):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    response = book(guest, "leadership-strategy-session", start)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]  # the fake's /pay/<session id>


def deliver(client, event: dict, *, secret=WEBHOOK_SECRET, timestamp=None):
    payload = json.dumps(event).encode()
    return client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign_webhook(payload, secret, timestamp=timestamp)},
    )


def stored(app) -> Booking:
    with app.app_context():
        return get_session().exec(select(Booking)).one()


def confirmations(app) -> int:
    with app.app_context():
        return len(
            get_session()
            .exec(select(OutboxEmail).where(OutboxEmail.subject.startswith("Confirmed")))
            .all()
        )
