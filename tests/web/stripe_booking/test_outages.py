"""Stripe unreachable or slow: the guest is told plainly with their answers kept, nothing is left
half made, and nothing is charged or refunded twice."""

import time

import pytest
from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from consult.payments.selection import GATEWAY_KEY
from consult.payments.stripe_gateway import StripeGateway
from tests.web.booking_flow import book, free_slots
from tests.web.stripe_booking.stripe_steps import confirmations, deliver, hold_slot, stored

TIME_OUT = 0.3  # seconds, for connecting and for each answer
SLOW = 1.0  # seconds a slow answer takes


@pytest.fixture
def impatient(stripe_app, stripe_server):
    """The app's gateway with short time-outs, so a slow Stripe is noticed in a test's time."""
    stripe_app.extensions[GATEWAY_KEY] = StripeGateway(
        "sk_test_consult",
        stripe_server.url,
        connect_timeout_seconds=TIME_OUT,
        read_timeout_seconds=TIME_OUT,
    )
    return stripe_app


def sweep(app):
    result = app.test_cli_runner().invoke(args=["bookings", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def all_bookings(app):
    with app.app_context():
        return get_session().exec(select(Booking).order_by(Booking.id)).all()


def cancel_as_consultant(app):
    from consult.booking.changes import cancel_booking
    from consult.payments.selection import current_provider

    with app.app_context():
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


@pytest.mark.parametrize("outage", ["unreachable", "slow"])
def test_starting_a_checkout_during_an_outage_says_so_keeps_the_answers_and_holds_nothing(
    impatient, guest, stripe_server, outage
):
    start = free_slots(guest, "leadership-strategy-session", "2026-11-30")[0]
    if outage == "unreachable":
        stripe_server.stop()
    else:
        stripe_server.answer_slowly(SLOW, count=2)  # the first attempt and the SDK's retry
    began = time.monotonic()
    response = book(
        guest,
        "leadership-strategy-session",
        start,
        name="Kept Name",
        intake_what_matters="Kept answer",
    )
    assert time.monotonic() - began < 10
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "could not reach our payment provider" in html
    assert 'value="Kept Name"' in html and "Kept answer" in html
    assert all_bookings(impatient) == []
    if outage == "unreachable":
        stripe_server.start()
    assert start in free_slots(guest, "leadership-strategy-session", "2026-11-30")
    # Stripe is back: booking again takes one checkout, paid once.
    assert book(guest, "leadership-strategy-session", start).status_code == 303
    [booking] = all_bookings(impatient)
    stripe_server.complete_session(booking.checkout_session_id)
    deliver(guest, stripe_server.event("checkout.session.completed", booking.checkout_session_id))
    assert stored(impatient).status == "confirmed" and confirmations(impatient) == 1
    paid = [s for s in stripe_server.sessions.values() if s["status"] == "complete"]
    assert len(paid) == 1 and len(stripe_server.payment_intents) == 1


def test_a_return_from_checkout_while_stripe_is_unreachable_waits_for_the_webhook(
    impatient, guest, stripe_server
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    stripe_server.stop()
    response = guest.get(f"/book/return?session_id={session_id}")
    assert response.status_code == 303
    page = guest.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for your payment" in page and stored(impatient).status == "held"
    stripe_server.start()
    deliver(guest, event)
    assert stored(impatient).status == "confirmed" and confirmations(impatient) == 1


@pytest.mark.parametrize("outage", ["unreachable", "slow"])
def test_a_refund_during_an_outage_stays_pending_and_the_sweep_makes_it_once(
    impatient, guest, stripe_server, outage
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    guest.get(f"/book/return?session_id={session_id}")
    if outage == "unreachable":
        stripe_server.stop()
    else:
        # Stripe carries the refund out, but its answer comes too late, twice.
        stripe_server.answer_slowly(SLOW, count=2)
    cancel_as_consultant(impatient)
    booking = stored(impatient)
    assert (booking.status, booking.payment_state) == ("cancelled", "refund_pending")
    assert (booking.refund_requested_minor, booking.refunded_minor) == (45000, 0)
    if outage == "unreachable":
        assert stripe_server.refunds == {}
        stripe_server.start()
    else:
        assert len(stripe_server.refunds) == 1  # done at Stripe, unknown to the site yet
    sweep(impatient)
    sweep(impatient)
    booking = stored(impatient)
    assert (booking.payment_state, booking.refunded_minor) == ("refunded", 45000)
    [refund] = stripe_server.refunds.values()
    assert refund["amount"] == 45000
    keys = {r.headers["Idempotency-Key"] for r in stripe_server.requests_to("POST", "/v1/refunds")}
    assert keys == {f"refund-{booking.public_id}-45000"}
