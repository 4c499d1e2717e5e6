"""StripeGateway via the real Stripe SDK against the fake Stripe server; webhook signatures."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from consult.payments.provider import (
    CheckoutRequest,
    PaymentError,
    PaymentNotFound,
    PaymentProviderUnavailable,
)
from consult.payments.stripe_gateway import StripeGateway, WebhookSignatureInvalid, verify_webhook
from tests.fakes.stripe_server import FakeStripeServer
from tests.fakes.stripe_signing import sign_webhook

SECRET_KEY = "sk_test_consult"
WEBHOOK_SECRET = "whsec_consult_test"


@pytest.fixture
def stripe_server():
    with FakeStripeServer(api_key=SECRET_KEY) as server:
        yield server


@pytest.fixture
def gateway(stripe_server):
    return StripeGateway(SECRET_KEY, stripe_server.url, read_timeout_seconds=5)


def checkout_request(**overrides) -> CheckoutRequest:
    values = dict(
        reference="bk_7Qx2",
        description="Leadership consultation, 60 minutes",
        amount_minor=15000,
        currency="usd",
        customer_email="guest@example.org",
        success_url="http://consult.test/book/bk_7Qx2/paid?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://consult.test/book/bk_7Qx2",
        expires_at=datetime.now(UTC) + timedelta(minutes=45),
        idempotency_key=str(uuid.uuid4()),
    )
    return CheckoutRequest(**(values | overrides))


def paid_session(gateway, stripe_server, amount_minor=15000) -> str:
    started = gateway.start_checkout(checkout_request(amount_minor=amount_minor))
    return stripe_server.complete_session(started.session_id)["payment_intent"]


# -- checkout -------------------------------------------------------------------------------


def test_start_checkout_sends_every_parameter_and_returns_the_session(gateway, stripe_server):
    request = checkout_request()
    started = gateway.start_checkout(request)

    [sent] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    params = sent.params
    assert params["mode"] == "payment"
    assert params["line_items"] == [
        {
            "price_data": {
                "currency": "usd",
                "unit_amount": "15000",
                "product_data": {"name": "Leadership consultation, 60 minutes"},
            },
            "quantity": "1",
        }
    ]
    assert params["metadata"] == {"booking": "bk_7Qx2"}
    assert params["client_reference_id"] == "bk_7Qx2"
    assert params["customer_email"] == "guest@example.org"
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    assert params["cancel_url"] == "http://consult.test/book/bk_7Qx2"
    assert params["expires_at"] == str(int(request.expires_at.timestamp()))
    assert params["allow_promotion_codes"] == "true"
    assert not {"payment_method_types", "allowed_payment_method_types"} & params.keys()
    assert sent.headers["Idempotency-Key"] == request.idempotency_key
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"

    assert started.session_id.startswith("cs_test_")
    assert started.redirect_url == f"{stripe_server.url}/pay/{started.session_id}"


def test_the_same_idempotency_key_twice_creates_one_session(gateway, stripe_server):
    request = checkout_request()
    first = gateway.start_checkout(request)
    second = gateway.start_checkout(request)
    assert first == second
    assert len(stripe_server.sessions) == 1


def test_the_same_idempotency_key_with_other_parameters_is_refused(gateway, stripe_server):
    request = checkout_request()
    gateway.start_checkout(request)
    with pytest.raises(PaymentError, match="IdempotencyError"):
        gateway.start_checkout(
            checkout_request(idempotency_key=request.idempotency_key, amount_minor=9900)
        )
    assert len(stripe_server.sessions) == 1


@pytest.mark.parametrize("minutes", [29, 24 * 60 + 1])
def test_an_expiry_outside_thirty_minutes_to_a_day_is_refused(gateway, minutes):
    expires_at = datetime.now(UTC) + timedelta(minutes=minutes)
    with pytest.raises(PaymentError, match="expires_at"):
        gateway.start_checkout(checkout_request(expires_at=expires_at))


def test_a_request_without_the_session_placeholder_is_a_programming_error():
    with pytest.raises(ValueError, match="CHECKOUT_SESSION_ID"):
        checkout_request(success_url="http://consult.test/paid")


def test_retrieve_shows_an_open_then_a_paid_session(gateway, stripe_server):
    started = gateway.start_checkout(checkout_request())
    state = gateway.retrieve_checkout(started.session_id)
    assert (state.status, state.payment_status, state.payment_reference) == ("open", "unpaid", None)
    assert not state.is_paid

    stripe_server.complete_session(started.session_id)
    state = gateway.retrieve_checkout(started.session_id)
    assert (state.status, state.payment_status) == ("complete", "paid")
    assert state.is_paid
    assert state.reference == "bk_7Qx2"
    assert (state.amount_total, state.currency) == (15000, "usd")
    assert state.payment_reference.startswith("pi_")


def test_a_delayed_payment_is_complete_but_unpaid_until_it_settles(gateway, stripe_server):
    started = gateway.start_checkout(checkout_request())
    stripe_server.complete_session(started.session_id, payment_status="unpaid")
    assert not gateway.retrieve_checkout(started.session_id).is_paid
    stripe_server.async_session_result(started.session_id, succeeded=True)
    assert gateway.retrieve_checkout(started.session_id).is_paid


def test_retrieving_an_unknown_session_is_a_payment_not_found(gateway):
    with pytest.raises(PaymentNotFound):
        gateway.retrieve_checkout("cs_test_missing")


def test_expire_closes_an_open_session_and_is_quiet_when_already_closed(gateway, stripe_server):
    open_one = gateway.start_checkout(checkout_request()).session_id
    gateway.expire_checkout(open_one)
    assert gateway.retrieve_checkout(open_one).status == "expired"
    gateway.expire_checkout(open_one)  # already expired: no error

    paid_one = gateway.start_checkout(checkout_request()).session_id
    stripe_server.complete_session(paid_one)
    gateway.expire_checkout(paid_one)  # complete: no error, and still paid
    assert gateway.retrieve_checkout(paid_one).is_paid


def test_the_fake_hosted_page_pays_and_returns_to_the_success_url(gateway, stripe_server):
    started = gateway.start_checkout(checkout_request())
    assert "Pay" in requests.get(started.redirect_url, timeout=5).text
    answer = requests.post(
        started.redirect_url, data={"action": "pay"}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 303
    assert (
        answer.headers["Location"]
        == f"http://consult.test/book/bk_7Qx2/paid?session_id={started.session_id}"
    )
    assert gateway.retrieve_checkout(started.session_id).is_paid
    assert requests.get(started.redirect_url, timeout=5).status_code == 410


# -- refunds --------------------------------------------------------------------------------


def test_a_full_refund(gateway, stripe_server):
    payment_intent = paid_session(gateway, stripe_server)
    refund = gateway.refund(
        payment_reference=payment_intent, amount_minor=15000, idempotency_key="refund-1"
    )
    assert refund.refund_id.startswith("re_")
    assert (refund.status, refund.amount_minor) == ("succeeded", 15000)
    [sent] = stripe_server.requests_to("POST", "/v1/refunds")
    assert sent.params == {"payment_intent": payment_intent, "amount": "15000"}
    assert sent.headers["Idempotency-Key"] == "refund-1"


def test_partial_refunds_never_exceed_what_was_paid(gateway, stripe_server):
    payment_intent = paid_session(gateway, stripe_server)
    gateway.refund(payment_reference=payment_intent, amount_minor=5000, idempotency_key="refund-a")
    again = gateway.refund(
        payment_reference=payment_intent, amount_minor=5000, idempotency_key="refund-a"
    )
    assert (
        len(stripe_server.refunds) == 1 and again.amount_minor == 5000
    )  # replayed, not refunded twice
    gateway.refund(payment_reference=payment_intent, amount_minor=10000, idempotency_key="refund-b")
    with pytest.raises(PaymentError, match="greater than unrefunded"):
        gateway.refund(payment_reference=payment_intent, amount_minor=1, idempotency_key="refund-c")


def test_a_refund_can_stay_pending(gateway, stripe_server):
    payment_intent = paid_session(gateway, stripe_server)
    stripe_server.refund_status = "pending"
    refund = gateway.refund(
        payment_reference=payment_intent, amount_minor=15000, idempotency_key="refund-p"
    )
    assert refund.status == "pending"
    event = stripe_server.event(
        "refund.updated", stripe_server.set_refund_status(refund.refund_id, "failed")["id"]
    )
    assert event["data"]["object"]["status"] == "failed"


# -- outages --------------------------------------------------------------------------------


def test_a_brief_server_error_is_retried_with_the_same_idempotency_key(gateway, stripe_server):
    stripe_server.fail_next(1)
    started = gateway.start_checkout(checkout_request())
    attempts = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    assert len(attempts) == 2
    assert len({attempt.headers["Idempotency-Key"] for attempt in attempts}) == 1
    assert list(stripe_server.sessions) == [started.session_id]


def test_lasting_server_errors_mean_the_provider_is_unavailable(gateway, stripe_server):
    stripe_server.fail_next(2)  # the first attempt and its one retry
    with pytest.raises(PaymentProviderUnavailable):
        gateway.start_checkout(checkout_request())
    assert stripe_server.sessions == {}


def test_a_stopped_server_means_the_provider_is_unavailable(gateway, stripe_server):
    stripe_server.stop()
    with pytest.raises(PaymentProviderUnavailable):
        gateway.retrieve_checkout("cs_test_anything")


def test_a_wrong_secret_key_is_a_payment_error_not_an_outage(stripe_server):
    with pytest.raises(PaymentError, match="401"):
        StripeGateway("sk_test_wrong", stripe_server.url).start_checkout(checkout_request())


# -- webhooks -------------------------------------------------------------------------------


@pytest.fixture
def completed_event(gateway, stripe_server) -> bytes:
    session_id = gateway.start_checkout(checkout_request()).session_id
    stripe_server.complete_session(session_id)
    return json.dumps(stripe_server.event("checkout.session.completed", session_id)).encode()


def test_a_correctly_signed_webhook_is_accepted_as_a_plain_dict(completed_event):
    event = verify_webhook(
        completed_event, sign_webhook(completed_event, WEBHOOK_SECRET), WEBHOOK_SECRET
    )
    assert type(event) is dict and type(event["data"]["object"]) is dict
    assert event["id"].startswith("evt_")
    assert event["type"] == "checkout.session.completed"
    assert event["data"]["object"]["payment_status"] == "paid"
    assert event["data"]["object"]["metadata"] == {"booking": "bk_7Qx2"}


@pytest.mark.parametrize(
    "case", ["wrong secret", "missing header", "tampered body", "stale timestamp", "garbage header"]
)
def test_a_webhook_that_fails_verification_is_refused(completed_event, case):
    body, header = completed_event, sign_webhook(completed_event, WEBHOOK_SECRET)
    if case == "wrong secret":
        header = sign_webhook(body, "whsec_someone_else")
    elif case == "missing header":
        header = None
    elif case == "tampered body":
        body = body.replace(b'"paid"', b'"unpaid"')
    elif case == "stale timestamp":
        header = sign_webhook(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    elif case == "garbage header":
        header = "not a signature"
    with pytest.raises(WebhookSignatureInvalid):
        verify_webhook(body, header, WEBHOOK_SECRET)


def test_a_recent_timestamp_within_tolerance_is_accepted(completed_event):
    header = sign_webhook(completed_event, WEBHOOK_SECRET, timestamp=int(time.time()) - 290)
    assert (
        verify_webhook(completed_event, header, WEBHOOK_SECRET)["type"]
        == "checkout.session.completed"
    )


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe", b'{"object": "event"}'])
def test_a_signed_body_that_is_not_an_event_is_refused(body):
    with pytest.raises(WebhookSignatureInvalid):
        verify_webhook(body, sign_webhook(body, WEBHOOK_SECRET), WEBHOOK_SECRET)
