"""Programmes paid through Stripe (the fake API): webhook-confirmed and idempotent, what was paid
recorded after promotion codes, refunds never above it and asked again when Stripe is down.
"""

import time

import pytest

from consult.payments.models import ProcessedWebhookEvent
from tests.conftest import csrf_token_from, signed_in_client
from tests.web.programme_steps import credits, make_people, make_programme, purchases
from tests.web.stripe_booking.stripe_steps import deliver
from tests.web.stripe_booking.test_outages import sweep


@pytest.fixture
def owner_shop(stripe_app, clock):
    programme = make_programme(stripe_app, clock)
    organisation, owner, _ = make_people(stripe_app, clock)
    return programme, organisation, signed_in_client(stripe_app, owner)


def start_buying(owner, organisation, programme):
    page = owner.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    return owner.post(
        f"/portal/o/{organisation.public_id}/programmes/buy",
        data={"programme": programme.id, "csrf_token": csrf_token_from(page)},
    )


def checkout_of(owner, organisation, programme):
    response = start_buying(owner, organisation, programme)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_webhook_starts_the_programme_once_however_often_it_comes(
    stripe_app, owner_shop, stripe_server, clock
):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    [created] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    [pending] = purchases(stripe_app)
    assert created.params["client_reference_id"] == f"programme:{pending.public_id}"
    assert created.headers["Idempotency-Key"] == f"checkout-{pending.public_id}"
    assert int(created.params["expires_at"]) == int(clock().timestamp()) + 3600
    assert pending.status == "pending" and credits(stripe_app) == []

    stripe_server.complete_session(session_id)
    event = stripe_server.event("checkout.session.completed", session_id)
    assert deliver(owner, event).get_json()["outcome"] == "processed"
    assert deliver(owner, event).get_json()["duplicate"] is True
    owner.get(f"/portal/o/{organisation.public_id}/programmes/return?session_id={session_id}")
    later = stripe_server.event("checkout.session.async_payment_succeeded", session_id)
    deliver(owner, later)
    [purchase] = purchases(stripe_app)
    assert (purchase.status, purchase.payment_state, purchase.paid_minor) == (
        "active",
        "paid",
        120000,
    )
    assert purchase.payment_provider == "stripe" and purchase.payment_reference.startswith("pi_")
    assert len(credits(stripe_app)) == 3


def test_the_return_page_alone_starts_it_when_the_webhook_is_late(
    stripe_app, owner_shop, stripe_server
):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.complete_session(session_id)
    response = owner.get(
        f"/portal/o/{organisation.public_id}/programmes/return?session_id={session_id}",
        follow_redirects=True,
    )
    assert "has started" in response.get_data(as_text=True)
    assert purchases(stripe_app)[0].status == "active"


def test_a_promotion_code_sets_what_was_paid_and_refunds_stay_within_it(
    stripe_app, owner_shop, stripe_server, consultant
):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.complete_session(session_id, discount_minor=20000)
    deliver(owner, stripe_server.event("checkout.session.completed", session_id))
    [purchase] = purchases(stripe_app)
    assert purchase.paid_minor == 100000 and purchase.amount_minor == 120000
    admin = signed_in_client(stripe_app, consultant)
    path = f"/admin/programmes/purchases/{purchase.public_id}/"
    page = admin.get(path).get_data(as_text=True)
    admin.post(path + "cancel", data={"refund": "full", "csrf_token": csrf_token_from(page)})
    [refund] = stripe_server.requests_to("POST", "/v1/refunds")
    assert refund.params["amount"] == "100000"
    assert refund.headers["Idempotency-Key"] == f"refund-{purchase.public_id}-100000"
    assert purchases(stripe_app)[0].refunded_minor == 100000


def test_an_expired_checkout_abandons_the_purchase(stripe_app, owner_shop, stripe_server):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.expire_session(session_id)
    deliver(owner, stripe_server.event("checkout.session.expired", session_id))
    [purchase] = purchases(stripe_app)
    assert purchase.status == "abandoned" and credits(stripe_app) == []
    page = owner.get(f"/portal/o/{organisation.public_id}/programmes/").get_data(as_text=True)
    assert "Not paid yet" not in page


def test_a_payment_that_settles_after_the_sweep_closed_the_checkout_still_starts_it(
    stripe_app, owner_shop, stripe_server, clock
):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.complete_session(session_id, payment_status="unpaid")  # a delayed method
    clock.advance(minutes=61)
    sweep(stripe_app)
    assert purchases(stripe_app)[0].status == "abandoned"
    stripe_server.async_session_result(session_id, succeeded=True)
    deliver(owner, stripe_server.event("checkout.session.async_payment_succeeded", session_id))
    [purchase] = purchases(stripe_app)
    assert purchase.status == "active" and purchase.paid_minor == 120000
    assert len(credits(stripe_app)) == 3


def test_when_stripe_cannot_be_reached_nothing_is_bought_and_the_owner_is_told(
    stripe_app, owner_shop, stripe_server
):
    programme, organisation, owner = owner_shop
    stripe_server.fail_next(2)  # the SDK retries once
    response = start_buying(owner, organisation, programme)
    assert response.status_code == 503
    assert "nothing was bought or charged" in response.get_data(as_text=True)
    [purchase] = purchases(stripe_app)
    assert purchase.status == "abandoned" and purchase.checkout_session_id is None


def test_a_refund_stripe_cannot_take_now_is_asked_again_by_the_sweep_once(
    stripe_app, owner_shop, stripe_server
):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.complete_session(session_id)
    deliver(owner, stripe_server.event("checkout.session.completed", session_id))
    purchase = purchases(stripe_app)[0]
    path = f"/portal/o/{organisation.public_id}/programmes/{purchase.public_id}/cancel"
    page = owner.get(path).get_data(as_text=True)
    stripe_server.fail_next(2)
    assert owner.post(path, data={"csrf_token": csrf_token_from(page)}).status_code == 303
    pending = purchases(stripe_app)[0]
    assert pending.payment_state == "refund_pending" and pending.refund_requested_minor == 120000
    assert "1 pending refund(s) asked again" in sweep(stripe_app)
    sweep(stripe_app)
    done = purchases(stripe_app)[0]
    assert done.payment_state == "refunded" and done.refunded_minor == 120000
    keys = {r.headers["Idempotency-Key"] for r in stripe_server.requests_to("POST", "/v1/refunds")}
    assert keys == {f"refund-{purchase.public_id}-120000"}
    assert len(stripe_server.refunds) == 1


def event(kind, data_object, event_id):
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": data_object},
    }


def test_refund_webhooks_reach_a_programmes_purchase(stripe_app, owner_shop, stripe_server):
    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.complete_session(session_id)
    deliver(owner, stripe_server.event("checkout.session.completed", session_id))
    stripe_server.refund_status = "pending"
    purchase = purchases(stripe_app)[0]
    path = f"/portal/o/{organisation.public_id}/programmes/{purchase.public_id}/cancel"
    owner.post(path, data={"csrf_token": csrf_token_from(owner.get(path).get_data(as_text=True))})
    assert purchases(stripe_app)[0].payment_state == "refund_pending"
    charge = {"id": "ch_1", "payment_intent": purchase.payment_reference, "amount_refunded": 999999}
    assert deliver(owner, event("charge.refunded", charge, "evt_1")).get_json()["outcome"] == (
        "processed"
    )
    settled = purchases(stripe_app)[0]
    assert settled.payment_state == "refunded" and settled.refunded_minor == 120000  # capped
    failed = {"id": "re_1", "payment_intent": purchase.payment_reference, "status": "failed"}
    deliver(owner, event("refund.failed", failed, "evt_2"))
    assert purchases(stripe_app)[0].payment_state == "refund_failed"


def test_an_event_for_a_checkout_that_names_an_unknown_purchase_is_ignored(
    stripe_app, owner_shop, stripe_server
):
    from consult.db import get_session

    programme, organisation, owner = owner_shop
    session_id = checkout_of(owner, organisation, programme)
    stripe_server.sessions[session_id]["client_reference_id"] = "programme:not-ours"
    stripe_server.complete_session(session_id)
    answer = deliver(owner, stripe_server.event("checkout.session.completed", session_id))
    assert answer.get_json()["outcome"] == "ignored"
    assert purchases(stripe_app)[0].status == "pending"
    with stripe_app.app_context():
        stored = get_session().get(ProcessedWebhookEvent, 1)
        assert "not one of this site's bookings or programmes" in stored.last_error
