"""Refunds through Stripe: late payments, cancellations, outages, and the refund webhooks."""

import time

from sqlmodel import select

from consult.booking.models import Booking
from consult.db import get_session
from tests.web.stripe_booking.stripe_steps import deliver, hold_slot, stored


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
    stripe_server.fail_next(2)  # the SDK retries once
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
