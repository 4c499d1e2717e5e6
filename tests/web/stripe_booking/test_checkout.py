"""Paying by Stripe Checkout via the real SDK and the fake API, with webhooks signed like Stripe."""

import json
import time
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from tests.fakes.stripe_signing import sign_webhook
from tests.web.booking_flow import GUEST, book, free_slots
from tests.web.stripe_booking.stripe_steps import (
    WEBHOOK_SECRET,
    confirmations,
    deliver,
    hold_slot,
    stored,
)


def test_checkout_is_created_with_everything_stripe_needs(guest, stripe_server):
    session_id = hold_slot(guest)
    [created] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    params = created.params
    booking_id = params["metadata"]["booking"]
    assert params["mode"] == "payment" and params["client_reference_id"] == booking_id
    assert (
        params["line_items"][0]["price_data"]["unit_amount"] == "45000"
        and params["line_items"][0]["price_data"]["currency"] == "usd"
    )
    assert params["customer_email"] == GUEST["email"] and params["allow_promotion_codes"] == "true"
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"] and "payment_method_types" not in params
    assert created.headers["Idempotency-Key"] == f"checkout-{booking_id}"
    assert stripe_server.sessions[session_id]["expires_at"] > stripe_server.now()


def test_paid_through_the_webhook_then_the_success_page_confirms_exactly_once(
    stripe_app, guest, stripe_server
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    assert deliver(guest, event).status_code == 200
    assert deliver(guest, event).get_json()["duplicate"] is True  # a replay is recognised
    success = stripe_server.sessions[session_id]["success_url"].replace(
        "{CHECKOUT_SESSION_ID}", session_id
    )
    assert guest.get(urlsplit(success).path + "?" + urlsplit(success).query).status_code == 303
    booking = stored(stripe_app)
    assert (
        booking.status == "confirmed"
        and booking.payment_state == "paid"
        and booking.payment_reference.startswith("pi_")
    )
    assert confirmations(stripe_app) == 1


def test_success_page_first_then_a_late_webhook_changes_nothing(stripe_app, guest, stripe_server):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    assert guest.get(f"/book/return?session_id={session_id}").status_code == 303
    assert (
        deliver(guest, stripe_server.event("checkout.session.completed", session_id)).status_code
        == 200
    )
    assert stored(stripe_app).status == "confirmed" and confirmations(stripe_app) == 1


def test_an_unpaid_completion_waits_for_the_async_payment(stripe_app, guest, stripe_server):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id, payment_status="unpaid")
    deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    assert stored(stripe_app).status == "held" and confirmations(stripe_app) == 0
    stripe_server.async_session_result(session_id, succeeded=True)
    deliver(guest, stripe_server.event("checkout.session.async_payment_succeeded", session_id))
    assert stored(stripe_app).status == "confirmed" and confirmations(stripe_app) == 1


def test_an_expired_checkout_releases_the_hold(stripe_app, guest, stripe_server):
    session_id = hold_slot(guest)
    stripe_server.expire_session(session_id)
    deliver(guest, stripe_server.event("checkout.session.expired", session_id))
    assert stored(stripe_app).status == "expired"
    assert "2026-11-30T09:00:00-06:00" in free_slots(
        guest, "leadership-strategy-session", "2026-11-30"
    )


def test_out_of_order_events_are_judged_by_the_session_as_it_is_now(
    stripe_app, guest, stripe_server
):
    session_id = hold_slot(guest)
    stale_open_event = stripe_server.event("checkout.session.async_payment_failed", session_id)
    stripe_server.complete_session(session_id)
    deliver(guest, stripe_server.event("checkout.session.completed", session_id))
    deliver(guest, stale_open_event)  # arrives last, but the session is paid
    assert stored(stripe_app).status == "confirmed"


@pytest.mark.parametrize("tamper", ["wrong secret", "no header", "changed body", "stale"])
def test_a_bad_signature_is_refused_and_changes_nothing(stripe_app, guest, stripe_server, tamper):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    payload = json.dumps(stripe_server.event("checkout.session.completed", session_id)).encode()
    headers = {"Stripe-Signature": sign_webhook(payload, WEBHOOK_SECRET)}
    if tamper == "wrong secret":
        headers = {"Stripe-Signature": sign_webhook(payload, "whsec_other")}
    elif tamper == "no header":
        headers = {}
    elif tamper == "changed body":
        payload = payload.replace(b"checkout.session.completed", b"checkout.session.expired")
    elif tamper == "stale":
        headers = {
            "Stripe-Signature": sign_webhook(
                payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301
            )
        }
    response = guest.post(
        "/stripe/webhook", data=payload, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert stored(stripe_app).status == "held"


def test_when_stripe_cannot_be_reached_nothing_is_left_half_made(stripe_app, guest, stripe_server):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    stripe_server.fail_next(2)  # the SDK retries once
    response = book(guest, "leadership-strategy-session", start, name="Kept Name")
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 503
        and "could not reach our payment provider" in html
        and 'value="Kept Name"' in html
    )
    with stripe_app.app_context():
        assert get_session().exec(select(Booking)).all() == []
    assert start in free_slots(guest, "leadership-strategy-session", "2026-11-30")
