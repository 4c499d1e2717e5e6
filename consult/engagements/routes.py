"""Programmes in the portal: what an organisation has and has left, buying one (owners), paying
for it, and cancelling it by the policy.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import select

from consult.booking.models import ConsultationType
from consult.clock import app_now
from consult.db import MAX_ROW_ID, begin_as_writer, get_session, id_of, looks_like_identifier
from consult.engagements import cancellation, catalogue, credits, purchases
from consult.engagements.models import Programme, ProgrammePurchase
from consult.engagements.rounds import rounds_used_by
from consult.payments.provider import (
    CHECKOUT_SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    PaymentError,
    PaymentProviderUnavailable,
)
from consult.payments.selection import current_provider
from consult.portal.routes import Access, _access
from consult.receipts.document import money
from consult.urls import absolute_url

blueprint = Blueprint("engagements", __name__, url_prefix="/portal")
log = logging.getLogger("consult.engagements")


@blueprint.app_template_filter("money")
def money_filter(amount_minor: int, currency: str) -> str:
    """`{{ 45000|money("usd") }}` → USD 450.00."""
    return money(amount_minor, currency)


def _page(access: Access, *, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    db = get_session()
    owned = purchases.purchases_of(db, access.organisation, now=app_now())
    offered = catalogue.offered_programmes(db) if access.is_owner else []
    return render_template(
        "engagements/programmes.html",
        access=access,
        purchases=owned,
        balances=credits.balances(db, [id_of(purchase) for purchase in owned]),
        rounds_used=rounds_used_by(db, owned),
        types={id_of(kind): kind for kind in db.exec(select(ConsultationType)).all()},
        offered=offered,
        inclusions={id_of(item): purchases.inclusions_of(db, item) for item in offered},
        now=app_now(),
        user_id=current_user.id,
        checkout_cancelled=request.args.get("checkout") == "cancelled",
        problem=problem,
    ), status


@blueprint.get("/o/<organisation_id>/programmes/")
def programmes(organisation_id: str) -> ResponseReturnValue:
    """The organisation's programmes and sessions left; owners also see what they can buy."""
    return _page(_access(organisation_id))


@blueprint.post("/o/<organisation_id>/programmes/buy")
def buy(organisation_id: str) -> ResponseReturnValue:
    access = _access(organisation_id, owner=True)
    db = get_session()
    programme_id = request.form.get("programme", type=int) or 0
    programme = db.get(Programme, programme_id) if 0 < programme_id <= MAX_ROW_ID else None
    if programme is None:
        abort(404)
    try:
        purchase = purchases.start_purchase(
            session=db,
            programme=programme,
            organisation=access.organisation,
            buyer=current_user,
            now=app_now(),
        )
    except purchases.PurchaseError as refusal:
        db.rollback()
        return _page(access, problem=str(refusal), status=409)
    # Commit before the provider is called: no lock is held while it answers.
    db.commit()
    if purchase.status == "active":
        flash(f"“{purchase.name}” has started. Members can book its sessions now.", "success")
        return redirect(url_for("engagements.programmes", organisation_id=organisation_id), 303)
    return _send_to_checkout(access, purchase)


def _send_to_checkout(access: Access, purchase: ProgrammePurchase) -> ResponseReturnValue:
    """Start the provider's checkout; if it cannot be reached, nothing is bought and the page
    says so.
    """
    db = get_session()
    provider = current_provider()
    if purchase.checkout_expires_at is None:
        raise RuntimeError(f"purchase {purchase.public_id} is not waiting for a checkout")
    organisation_id = access.organisation.public_id
    try:
        started = provider.start_checkout(
            CheckoutRequest(
                reference=purchases.checkout_reference(purchase),
                description=f"{purchase.name} for {access.organisation.name}",
                amount_minor=purchase.amount_minor,
                currency=purchase.currency,
                customer_email=current_user.email,
                success_url=absolute_url(
                    "engagements.payment_return", organisation_id=organisation_id
                )
                + f"?session_id={CHECKOUT_SESSION_ID_PLACEHOLDER}",
                cancel_url=absolute_url(
                    "engagements.programmes", organisation_id=organisation_id, checkout="cancelled"
                ),
                expires_at=purchase.checkout_expires_at,
                idempotency_key=f"checkout-{purchase.public_id}",
            )
        )
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("could not start the checkout of purchase %s", purchase.public_id)
        db.rollback()
        purchases.abandon(session=db, purchase=db.get_one(ProgrammePurchase, purchase.id))
        db.commit()
        message = (
            "We could not reach our payment provider just now, so nothing was bought or charged. "
            "Please try again in a few minutes."
        )
        return _page(access, problem=message, status=503)
    purchase.checkout_session_id = started.session_id
    purchase.payment_provider = provider.name
    db.add(purchase)
    db.commit()
    return redirect(started.redirect_url, 303)


@blueprint.get("/o/<organisation_id>/programmes/return")
def payment_return(organisation_id: str) -> ResponseReturnValue:
    """Where the provider sends the owner after paying: start the programme now rather than wait
    for the webhook.
    """
    access = _access(organisation_id)
    session_id = request.args.get("session_id", "")
    if not looks_like_identifier(session_id, max_length=255):
        abort(404)
    db = get_session()
    begin_as_writer(db)
    try:
        purchase = purchases.fulfil_purchase_checkout(
            session=db, provider=current_provider(), checkout_session_id=session_id, now=app_now()
        )
        db.commit()
    except (PaymentProviderUnavailable, PaymentError):
        log.exception("could not read checkout %s", session_id)
        db.rollback()
        purchase = db.exec(
            select(ProgrammePurchase).where(ProgrammePurchase.checkout_session_id == session_id)
        ).first()
    if purchase is None or purchase.organisation_id != access.organisation.id:
        abort(404)
    if purchase.status == "active":
        flash(f"Thank you: “{purchase.name}” has started.", "success")
    else:
        flash("We are waiting for your payment to be confirmed; this page will show it.", "info")
    return redirect(url_for("engagements.programmes", organisation_id=organisation_id), 303)


def _owned_purchase_or_404(
    access: Access, public_id: str, *, lock: bool = False
) -> ProgrammePurchase:
    """The organisation's purchase (locked for a change when `lock`); another's is a 404."""
    if not looks_like_identifier(public_id):
        abort(404)
    query = select(ProgrammePurchase).where(
        ProgrammePurchase.public_id == public_id,
        ProgrammePurchase.organisation_id == access.organisation.id,
    )
    purchase = get_session().exec(query.with_for_update() if lock else query).first()
    if purchase is None:
        abort(404)
    return purchase


@blueprint.route("/o/<organisation_id>/programmes/<public_id>/cancel", methods=["GET", "POST"])
def cancel(organisation_id: str, public_id: str) -> ResponseReturnValue:
    """The owner ends a programme early, refunded by the policy shown before they confirm."""
    db = get_session()
    if request.method == "POST":
        begin_as_writer(db)
    access = _access(organisation_id, owner=True)
    purchase = _owned_purchase_or_404(access, public_id, lock=request.method == "POST")
    problem = None
    if request.method == "POST":
        try:
            amount = cancellation.cancel_purchase(
                session=db,
                provider=current_provider(),
                purchase=purchase,
                by="owner",
                refund="policy",
                now=app_now(),
            )
        except purchases.PurchaseError as refusal:
            db.rollback()
            problem = str(refusal)
            purchase = _owned_purchase_or_404(access, public_id)
        else:
            db.commit()
            flash(
                f"“{purchase.name}” is cancelled; {money(amount, purchase.currency)} "
                "is being refunded.",
                "success",
            )
            return redirect(url_for("engagements.programmes", organisation_id=organisation_id), 303)
    return render_template(
        "engagements/cancel.html",
        access=access,
        purchase=purchase,
        quote=cancellation.refund_quote(db, purchase, now=app_now()),
        problem=problem,
    ), 409 if problem else 200
