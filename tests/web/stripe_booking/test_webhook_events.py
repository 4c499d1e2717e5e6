"""The webhook acknowledges every signed event once stored: one it cannot use is logged and
ignored, one that fails is tried again by the sweep a bounded number of times, and only a
database that cannot store it makes Stripe retry."""

import logging
import time

import pytest
from sqlmodel import select

from consult.db import ENGINE_KEY, get_session, make_engine
from consult.payments.events import MAX_EVENT_ATTEMPTS
from consult.payments.models import ProcessedWebhookEvent
from tests.web.stripe_booking.stripe_steps import confirmations, deliver, hold_slot, stored


def event_of(type, data_object, event_id="evt_test_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": type,
        "created": int(time.time()),
        "data": {"object": data_object},
    }


def stored_event(app, event_id="evt_test_1") -> ProcessedWebhookEvent:
    with app.app_context():
        return (
            get_session()
            .exec(select(ProcessedWebhookEvent).where(ProcessedWebhookEvent.event_id == event_id))
            .one()
        )


def sweep(app):
    result = app.test_cli_runner().invoke(args=["bookings", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


UNUSABLE = {
    "a session Stripe does not know": lambda s: event_of(
        "checkout.session.completed", {"id": "cs_test_not_ours", "object": "checkout.session"}
    ),
    "a session another integration created": lambda s: event_of(
        "checkout.session.completed",
        {"id": s.complete_session(_other_session(s))["id"], "object": "checkout.session"},
    ),
    "a session with no id": lambda s: event_of("checkout.session.completed", {"status": "open"}),
    "a session id that is a number": lambda s: event_of("checkout.session.completed", {"id": 42}),
    "a session id that is a list": lambda s: event_of("checkout.session.expired", {"id": ["x"]}),
    "an event type the site does not use": lambda s: event_of(
        "customer.created", {"id": "cus_1", "object": "customer"}
    ),
    "an overlong event type": lambda s: event_of("x" * 300, {"id": "x"}),
    "a refund amount that is text": lambda s: event_of(
        "charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": "100"}
    ),
    "a refund amount that is true": lambda s: event_of(
        "charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": True}
    ),
    "a refund of a payment no booking made": lambda s: event_of(
        "charge.refunded", {"id": "ch_1", "payment_intent": "pi_unknown", "amount_refunded": 5}
    ),
    "a failed refund without a payment": lambda s: event_of("refund.failed", {"id": "re_1"}),
}


def broken_fulfilment(**_):
    raise RuntimeError("a bug in fulfilment")


def _other_session(stripe_server):
    return stripe_server.create_session(
        {
            "mode": "payment",
            "success_url": "https://elsewhere.example/ok",
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 100,
                        "product_data": {"name": "Someone else's product"},
                    }
                }
            ],
        },
        pay_page_base="https://elsewhere.example/pay",
    )["id"]


@pytest.mark.parametrize("case", UNUSABLE)
def test_a_signed_event_the_site_cannot_use_is_logged_and_acknowledged(
    stripe_app, guest, stripe_server, case, caplog
):
    session_id = hold_slot(guest)
    with caplog.at_level(logging.WARNING, logger="consult.payments"):
        response = deliver(guest, UNUSABLE[case](stripe_server))
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert "ignored" in caplog.text
    assert stored(stripe_app).status == "held"  # nothing changed
    assert stripe_server.sessions[session_id]["status"] == "open"
    assert deliver(guest, UNUSABLE[case](stripe_server)).status_code == 200  # again: the same


def test_an_event_that_keeps_failing_is_tried_a_bounded_number_of_times(
    stripe_app, guest, stripe_server, monkeypatch
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)

    monkeypatch.setattr("consult.payments.events.fulfil_any_checkout", broken_fulfilment)
    response = deliver(guest, event)
    assert response.status_code == 200 and response.get_json()["outcome"] == "pending"
    assert stored_event(stripe_app, event["id"]).attempts == 1
    assert deliver(guest, event).status_code == 200  # Stripe's own retry: counted, acknowledged
    for _ in range(MAX_EVENT_ATTEMPTS):
        sweep(stripe_app)
    failed = stored_event(stripe_app, event["id"])
    assert (failed.status, failed.attempts) == ("failed", MAX_EVENT_ATTEMPTS)
    assert "a bug in fulfilment" in failed.last_error
    assert deliver(guest, event).get_json() == {"received": True, "duplicate": True}


def test_a_bug_fixed_before_the_limit_lets_the_sweep_fulfil_the_payment_once(
    stripe_app, guest, stripe_server, monkeypatch
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    with monkeypatch.context() as patch:
        patch.setattr("consult.payments.events.fulfil_any_checkout", broken_fulfilment)
        assert deliver(guest, event).status_code == 200
    assert stored(stripe_app).status == "held"
    sweep(stripe_app)
    sweep(stripe_app)
    assert stored(stripe_app).status == "confirmed" and confirmations(stripe_app) == 1
    processed = stored_event(stripe_app, event["id"])
    assert processed.status == "processed" and processed.payload is None


def test_while_stripe_is_unreachable_the_event_waits_for_the_sweep(
    stripe_app, guest, stripe_server
):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    stripe_server.stop()
    response = deliver(guest, event)
    assert response.status_code == 200 and response.get_json()["outcome"] == "pending"
    assert stored(stripe_app).status == "held"
    sweep(stripe_app)  # still down: it waits, and this does not count against it
    assert stored_event(stripe_app, event["id"]).attempts == 0
    stripe_server.start()
    assert "0 still pending" in sweep(stripe_app)
    booking = stored(stripe_app)
    assert booking.status == "confirmed" and booking.payment_state == "paid"
    sweep(stripe_app)
    assert deliver(guest, event).get_json()["duplicate"] is True
    assert confirmations(stripe_app) == 1


def test_only_a_database_that_cannot_store_the_event_answers_5xx(stripe_app, guest, stripe_server):
    session_id = hold_slot(guest)
    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    stripe_app.config["PROPAGATE_EXCEPTIONS"] = False
    # A database the app cannot reach: its engine pointed at a port where nothing listens.
    working = stripe_app.extensions[ENGINE_KEY]
    stripe_app.extensions[ENGINE_KEY] = make_engine(
        "postgresql://postgres@127.0.0.1:9/unreachable?connect_timeout=1"
    )
    try:
        assert deliver(guest, event).status_code >= 500
    finally:
        stripe_app.extensions[ENGINE_KEY] = working
    assert deliver(guest, event).status_code == 200  # Stripe's retry, once the database is back
    assert stored(stripe_app).status == "confirmed" and confirmations(stripe_app) == 1
