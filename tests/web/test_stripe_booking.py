"""The paid flow via the real Stripe SDK and a fake Stripe API, webhooks signed as Stripe does."""

import json
import time
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from consult.demo import add_demo_booking_calendar
from consult.mail.models import OutboxEmail
from tests.fakes.stripe_server import FakeStripeServer
from tests.fakes.stripe_signing import sign_webhook
from tests.web.booking_flow import GUEST, book, free_slots

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_server(clock):
    with FakeStripeServer(now=lambda: clock().timestamp()) as server:
        yield server


@pytest.fixture
def stripe_app(make_app, stripe_server):
    app = make_app(
        STRIPE_SECRET_KEY="sk_test_consult",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_server.url,
    )
    with app.app_context():
        add_demo_booking_calendar(get_session())
        get_session().commit()
    return app


@pytest.fixture
def guest(stripe_app):
    return stripe_app.test_client()


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
    stripe_server.fail_next(3)  # the SDK retries twice
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


def test_a_late_payment_for_a_taken_slot_is_refunded_through_stripe(
    stripe_app, guest, stripe_server, clock
):
    late_session = hold_slot(guest)
    clock.advance(minutes=32)
    other = stripe_app.test_client()
    winner_session = hold_slot(other)
    stripe_server.complete_session(winner_session)
    deliver(other, stripe_server.event("checkout.session.completed", winner_session))
    stripe_server.complete_session(late_session)
    deliver(guest, stripe_server.event("checkout.session.completed", late_session))
    [refund] = stripe_server.requests_to("POST", "/v1/refunds")
    with stripe_app.app_context():
        late, winner = get_session().exec(select(Booking).order_by(Booking.id)).all()
    assert (
        refund.params["amount"] == "45000"
        and refund.headers["Idempotency-Key"] == f"refund-{late.public_id}-45000"
    )
    assert late.payment_state == "refunded" and winner.status == "confirmed"


def paid_and_cancelled_by_consultant(stripe_app, guest, stripe_server):
    from consult.booking.changes import cancel_booking
    from consult.payments.selection import current_provider

    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    guest.get(f"/book/return?session_id={session_id}")
    with stripe_app.app_context():
        db = get_session()
        booking = db.exec(select(Booking)).one()
        cancel_booking(
            session=db,
            provider=current_provider(),
            booking=booking,
            by="consultant",
            now=booking.created_at,
            tiers=(),
        )
        db.commit()
    return stored(stripe_app)


def test_a_refund_stripe_cannot_take_now_is_asked_again_by_the_sweep_and_never_twice(
    stripe_app, guest, stripe_server
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    guest.get(f"/book/return?session_id={session_id}")
    stripe_server.fail_next(3)
    from consult.booking.changes import cancel_booking
    from consult.payments.selection import current_provider

    with stripe_app.app_context():
        db = get_session()
        booking = db.exec(select(Booking)).one()
        cancel_booking(
            session=db,
            provider=current_provider(),
            booking=booking,
            by="consultant",
            now=booking.created_at,
            tiers=(),
        )
        db.commit()
    booking = stored(stripe_app)
    assert (
        booking.payment_state == "refund_pending"
        and booking.refund_requested_minor == 45000
        and booking.refunded_minor == 0
    )
    for _ in range(2):
        stripe_app.test_cli_runner().invoke(args=["bookings", "sweep"])
    booking = stored(stripe_app)
    assert booking.payment_state == "refunded" and booking.refunded_minor == 45000
    assert sum(int(refund["amount"]) for refund in stripe_server.refunds.values()) == 45000


def test_refund_webhooks_settle_a_pending_refund(stripe_app, guest, stripe_server):
    stripe_server.refund_status = "pending"
    booking = paid_and_cancelled_by_consultant(stripe_app, guest, stripe_server)
    assert booking.payment_state == "refund_pending"
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": booking.payment_reference,
        "amount_refunded": 45000,
    }
    deliver(
        guest,
        {
            "id": "evt_charge_refunded",
            "object": "event",
            "type": "charge.refunded",
            "created": int(time.time()),
            "data": {"object": charge},
        },
    )
    assert (
        stored(stripe_app).payment_state == "refunded"
        and stored(stripe_app).refunded_minor == 45000
    )


def test_a_failed_refund_is_flagged_for_the_consultant(stripe_app, guest, stripe_server):
    stripe_server.refund_status = "pending"
    booking = paid_and_cancelled_by_consultant(stripe_app, guest, stripe_server)
    refund = {
        "id": "re_1",
        "object": "refund",
        "payment_intent": booking.payment_reference,
        "status": "failed",
        "amount": 45000,
    }
    deliver(
        guest,
        {
            "id": "evt_refund_failed",
            "object": "event",
            "type": "refund.failed",
            "created": int(time.time()),
            "data": {"object": refund},
        },
    )
    assert stored(stripe_app).payment_state == "refund_failed"
