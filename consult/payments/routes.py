"""The Stripe webhook, and the local test provider's "Test payment" page."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlmodel import select

from consult.booking.routes import site_identity, site_zone
from consult.clock import app_now
from consult.config import Settings
from consult.db import begin_as_writer, get_session
from consult.extensions import csrf, limiter
from consult.payments.checkouts import fulfil_any_checkout
from consult.payments.events import UnusableEvent, process_stored_event, store_event
from consult.payments.models import TestCheckout
from consult.payments.selection import current_provider
from consult.payments.test_provider import LocalTestProvider

blueprint = Blueprint("payments", __name__)
log = logging.getLogger("consult.payments")


@blueprint.post("/stripe/webhook")
@csrf.exempt  # Stripe signs the body instead
@limiter.exempt
def stripe_webhook() -> ResponseReturnValue:
    """Verify, store, then process a Stripe event (payments/events.py).

    Answers 400 to a body Stripe did not sign, and 2xx to every signed event once it is stored,
    whatever becomes of it: only a database that cannot store it makes Stripe try again.
    """
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
        is_new = store_event(
            session=db,
            event_id=event["id"],
            event_type=event["type"],
            data_object=event["data"]["object"],
            now=app_now(),
        )
    except UnusableEvent as reason:
        log.warning("webhook event ignored unstored: %s", reason)
        return jsonify(received=True, outcome="ignored")
    db.commit()
    if not is_new:
        return jsonify(received=True, duplicate=True)
    outcome = process_stored_event(
        session=db,
        provider=current_provider(),
        event_id=event["id"],
        site_time_zone=site_zone(),
        practice_name=site_identity().practice_name,
        now=app_now(),
    )
    return jsonify(received=True, outcome=outcome)


def _require_test_payments() -> None:
    """404 in production and wherever Stripe takes real payments, whatever the database holds."""
    settings: Settings = current_app.extensions["consult.settings"]
    if not settings.uses_test_payments:
        abort(404)


def _test_checkout(session_id: str) -> TestCheckout:
    _require_test_payments()
    checkout = (
        get_session()
        .exec(select(TestCheckout).where(TestCheckout.session_id == session_id))
        .first()
    )
    if checkout is None:
        abort(404)
    return checkout


@blueprint.get("/payments/test/<session_id>")
def test_checkout(session_id: str) -> str:
    checkout = _test_checkout(session_id)
    return render_template(
        "payments/test_checkout.html", checkout=checkout, expired=_over(checkout)
    )


def _over(checkout: TestCheckout) -> bool:
    """Expired by its time, or abandoned (expired through the provider's API)."""
    return checkout.status == "expired" or checkout.expires_at <= app_now()


@blueprint.post("/payments/test/<session_id>/pay")
def test_pay(session_id: str) -> ResponseReturnValue:
    _require_test_payments()  # before taking the write lock
    db = get_session()
    begin_as_writer(db)
    checkout = _test_checkout(session_id)
    if _over(checkout):
        return render_template("payments/test_checkout.html", checkout=checkout, expired=True), 410
    provider = LocalTestProvider(db)  # what current_provider() is when the page is open at all
    success_url = provider.pay(session_id)
    fulfil_any_checkout(
        session=db,
        provider=provider,
        checkout_session_id=session_id,
        site_time_zone=site_zone(),
        practice_name=site_identity().practice_name,
        now=app_now(),
    )
    db.commit()
    return redirect(success_url, 303)


@blueprint.post("/payments/test/<session_id>/cancel")
def test_cancel(session_id: str) -> ResponseReturnValue:
    return redirect(_test_checkout(session_id).cancel_url, 303)
