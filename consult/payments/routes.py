"""The Stripe webhook, and the local test provider's "Test payment" page."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from consult.booking.fulfilment import fulfil_checkout
from consult.booking.refunds import reconcile_charge_refunded, reconcile_refund_failed
from consult.booking.routes import site_zone
from consult.clock import app_now
from consult.config import Settings
from consult.db import begin_as_writer, get_session
from consult.extensions import csrf, limiter
from consult.payments.models import ProcessedWebhookEvent, TestCheckout
from consult.payments.selection import current_provider
from consult.payments.test_provider import LocalTestProvider

blueprint = Blueprint("payments", __name__)
log = logging.getLogger("consult.payments")
CHECKOUT_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


@blueprint.post("/stripe/webhook")
@csrf.exempt  # Stripe signs the body instead
@limiter.exempt
def stripe_webhook() -> ResponseReturnValue:
    from consult.payments.stripe_gateway import WebhookSignatureInvalid, verify_webhook

    settings: Settings = current_app.extensions["consult.settings"]
    if not settings.stripe_webhook_secret:
        abort(404)
    try:
        event = verify_webhook(
            request.get_data(),
            request.headers.get("Stripe-Signature"),
            settings.stripe_webhook_secret,
        )
    except WebhookSignatureInvalid:
        return jsonify(error="invalid signature"), 400
    db = get_session()
    begin_as_writer(db)
    try:
        with db.begin_nested():
            db.add(
                ProcessedWebhookEvent(
                    event_id=event["id"], event_type=event["type"], received_at=app_now()
                )
            )
    except IntegrityError:
        return jsonify(received=True, duplicate=True)
    session_object = event["data"]["object"]
    if event["type"] in CHECKOUT_EVENTS:
        fulfil_checkout(
            session=db,
            provider=current_provider(),
            checkout_session_id=session_object["id"],
            site_time_zone=site_zone(),
            now=app_now(),
        )
    elif event["type"] == "charge.refunded" and session_object.get("payment_intent"):
        reconcile_charge_refunded(
            session=db,
            payment_reference=session_object["payment_intent"],
            amount_refunded_minor=session_object.get("amount_refunded", 0),
        )
    elif event["type"] == "refund.failed" and session_object.get("payment_intent"):
        reconcile_refund_failed(session=db, payment_reference=session_object["payment_intent"])
    db.commit()
    return jsonify(received=True)


def _test_checkout(session_id: str) -> TestCheckout:
    checkout = (
        get_session()
        .exec(select(TestCheckout).where(TestCheckout.session_id == session_id))
        .first()
    )
    settings: Settings = current_app.extensions["consult.settings"]
    if checkout is None or settings.stripe_secret_key:  # Stripe takes real payments instead
        abort(404)
    return checkout


@blueprint.get("/payments/test/<session_id>")
def test_checkout(session_id: str) -> str:
    checkout = _test_checkout(session_id)
    return render_template(
        "payments/test_checkout.html", checkout=checkout, expired=checkout.expires_at <= app_now()
    )


@blueprint.post("/payments/test/<session_id>/pay")
def test_pay(session_id: str) -> ResponseReturnValue:
    db = get_session()
    begin_as_writer(db)
    checkout = _test_checkout(session_id)
    if checkout.expires_at <= app_now():
        return render_template("payments/test_checkout.html", checkout=checkout, expired=True), 410
    provider = LocalTestProvider(db)  # what current_provider() is when the page is open at all
    success_url = provider.pay(session_id)
    fulfil_checkout(
        session=db,
        provider=provider,
        checkout_session_id=session_id,
        site_time_zone=site_zone(),
        now=app_now(),
    )
    db.commit()
    return redirect(success_url, 303)


@blueprint.post("/payments/test/<session_id>/cancel")
def test_cancel(session_id: str) -> ResponseReturnValue:
    return redirect(_test_checkout(session_id).cancel_url, 303)
