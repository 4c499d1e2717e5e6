"""Buying and granting programmes: a purchase from its checkout to its credits.

An owner's purchase is `pending` while its checkout is open. The return page, the webhook and the
local test provider all call `fulfil_purchase_checkout`, which re-reads the checkout, locks the
purchase, records what was actually paid and starts the programme once; every later call is a
no-op. A free programme, and the consultant's grant, start at once.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.booking.models import ConsultationType
from consult.db import id_of
from consult.engagements.models import (
    Programme,
    ProgrammeCredit,
    ProgrammeInclusion,
    ProgrammePurchase,
)
from consult.engagements.policy import programme_ends_at
from consult.engagements.status import check_purchase_transition
from consult.payments.provider import CheckoutState, PaymentProvider
from consult.portal.models import Organisation

log = logging.getLogger("consult.engagements")

# A checkout reference that cannot be a booking's: booking public ids never contain ":".
PURCHASE_REFERENCE_PREFIX = "programme:"
# Stripe takes an expiry between 30 minutes and 24 hours ahead; nothing is held meanwhile.
CHECKOUT_MINUTES = 60


class PurchaseError(Exception):
    """A purchase that cannot go ahead; the message is fit to show the person."""


def checkout_reference(purchase: ProgrammePurchase) -> str:
    """The reference a purchase's checkout carries to the provider and back."""
    return PURCHASE_REFERENCE_PREFIX + purchase.public_id


def is_purchase_reference(reference: str | None) -> bool:
    """Whether a checkout's reference names a programme purchase (else it is a booking's)."""
    return bool(reference) and str(reference).startswith(PURCHASE_REFERENCE_PREFIX)


def set_status(purchase: ProgrammePurchase, new_status: str) -> None:
    """Every status change of a purchase goes through here, so the allowed transitions hold."""
    check_purchase_transition(purchase.status, new_status)
    purchase.status = new_status


def inclusions_of(
    session: Session, programme: Programme
) -> list[tuple[ProgrammeInclusion, ConsultationType]]:
    """What a programme includes, with the consultation types, in the booking page's order."""
    return list(
        session.exec(
            select(ProgrammeInclusion, ConsultationType)
            .join(
                ConsultationType,
                col(ConsultationType.id) == col(ProgrammeInclusion.consultation_type_id),
            )
            .where(ProgrammeInclusion.programme_id == programme.id)
            .order_by(col(ConsultationType.position), col(ConsultationType.id))
        ).all()
    )


def _new_purchase(
    session: Session,
    *,
    programme: Programme,
    organisation: Organisation,
    by: User | None,
    source: str,
    now: datetime,
) -> ProgrammePurchase:
    """A pending purchase carrying a copy of what the programme includes today."""
    purchase = ProgrammePurchase(
        public_id=secrets.token_urlsafe(16),
        programme_id=id_of(programme),
        organisation_id=id_of(organisation),
        bought_by_id=by.id if by is not None else None,
        source=source,
        name=programme.name,
        duration_days=programme.duration_days,
        included_rounds=programme.included_rounds,
        full_refund_days=programme.full_refund_days,
        inclusions=[
            {"consultation_type_id": inclusion.consultation_type_id, "sessions": inclusion.sessions}
            for inclusion, _ in inclusions_of(session, programme)
        ],
        amount_minor=programme.price_minor,
        currency=programme.currency,
        payment_state="unpaid"
        if source == "purchase" and not programme.is_free
        else "not_required",
        created_at=now,
    )
    session.add(purchase)
    session.flush()
    return purchase


def start_purchase(
    *,
    session: Session,
    programme: Programme,
    organisation: Organisation,
    buyer: User,
    now: datetime,
) -> ProgrammePurchase:
    """An owner buys a programme: free ones start at once, others wait for their checkout.

    Raises PurchaseError for a programme no longer offered.
    """
    if not programme.is_active:
        raise PurchaseError("This programme is no longer offered.")
    purchase = _new_purchase(
        session,
        programme=programme,
        organisation=organisation,
        by=buyer,
        source="purchase",
        now=now,
    )
    if programme.is_free:
        activate(session=session, purchase=purchase, now=now)
    else:
        purchase.checkout_expires_at = now + timedelta(minutes=CHECKOUT_MINUTES)
    return purchase


def grant_programme(
    *,
    session: Session,
    programme: Programme,
    organisation: Organisation,
    consultant: User,
    note: str,
    now: datetime,
) -> ProgrammePurchase:
    """The consultant gives an organisation a programme (paid by invoice, say): it starts now."""
    purchase = _new_purchase(
        session,
        programme=programme,
        organisation=organisation,
        by=consultant,
        source="grant",
        now=now,
    )
    purchase.note = note.strip() or None
    activate(session=session, purchase=purchase, now=now)
    return purchase


def activate(*, session: Session, purchase: ProgrammePurchase, now: datetime) -> None:
    """Start the programme now and make one credit per included session."""
    set_status(purchase, "active")
    purchase.starts_at = now
    purchase.ends_at = programme_ends_at(now, purchase.duration_days)
    session.add(purchase)
    session.add_all(
        ProgrammeCredit(
            purchase_id=id_of(purchase),
            consultation_type_id=int(inclusion["consultation_type_id"]),
        )
        for inclusion in purchase.inclusions
        for _ in range(int(inclusion["sessions"]))
    )
    session.flush()


def abandon(*, session: Session, purchase: ProgrammePurchase) -> None:
    """A checkout that could not start or expired unpaid: the purchase will not go ahead."""
    if purchase.status == "pending":
        set_status(purchase, "abandoned")
        purchase.checkout_expires_at = None
        session.add(purchase)


def find_purchase_for_update(session: Session, *, public_id: str) -> ProgrammePurchase | None:
    """The purchase, locked against concurrent fulfilment or cancellation (a row lock on
    PostgreSQL).
    """
    return session.exec(
        select(ProgrammePurchase)
        .where(ProgrammePurchase.public_id == public_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def fulfil_purchase_checkout(
    *, session: Session, provider: PaymentProvider, checkout_session_id: str, now: datetime
) -> ProgrammePurchase | None:
    """Bring the purchase in line with its checkout, read again from the provider; None for a
    checkout that is not one of this site's purchases.
    """
    return fulfil_purchase_state(
        session=session, state=provider.retrieve_checkout(checkout_session_id), now=now
    )


def fulfil_purchase_state(
    *, session: Session, state: CheckoutState, now: datetime
) -> ProgrammePurchase | None:
    """Apply a checkout's current state to its purchase: paid starts it (once), expired abandons
    a pending one. Returns None for a checkout that names no purchase of ours.
    """
    if not state.reference or not is_purchase_reference(state.reference):
        return None
    public_id = state.reference.removeprefix(PURCHASE_REFERENCE_PREFIX)
    purchase = find_purchase_for_update(session, public_id=public_id)
    if purchase is None or purchase.checkout_session_id != state.session_id:
        log.warning(
            "checkout %s names purchase %s, which does not match", state.session_id, public_id
        )
        return None
    if state.is_paid and purchase.payment_state == "unpaid":
        purchase.payment_state = "paid"
        purchase.paid_at = now
        purchase.payment_reference = state.payment_reference
        purchase.paid_minor = _amount_paid(purchase, state)
        activate(session=session, purchase=purchase, now=now)
    elif state.status == "expired":
        abandon(session=session, purchase=purchase)
    return purchase


def _amount_paid(purchase: ProgrammePurchase, state: CheckoutState) -> int:
    """The checkout's total after promotion codes, in the purchase's currency."""
    if state.amount_total is None or state.currency not in (None, purchase.currency):
        log.warning(
            "checkout %s of purchase %s reports %r %r; recording the list price as paid",
            state.session_id,
            purchase.public_id,
            state.amount_total,
            state.currency,
        )
        return purchase.amount_minor
    return state.amount_total


def abandon_lapsed_checkouts(*, session: Session, now: datetime) -> int:
    """Abandon the purchases whose checkout closed unpaid (for `bookings sweep`); returns how
    many.

    Time alone decides, with no call to the provider: the local test provider sends no
    `checkout.session.expired`, and a payment that settles later still starts the programme
    (abandoned may become active).
    """
    lapsed = session.exec(
        select(ProgrammePurchase)
        .where(
            ProgrammePurchase.status == "pending",
            col(ProgrammePurchase.checkout_expires_at) <= now,
        )
        .with_for_update()
    ).all()
    for purchase in lapsed:
        abandon(session=session, purchase=purchase)
    return len(lapsed)


def purchases_of(
    session: Session, organisation: Organisation, *, now: datetime
) -> list[ProgrammePurchase]:
    """The organisation's purchases worth showing, newest first: not abandoned, and pending only
    while the checkout is open.
    """
    return [
        purchase
        for purchase in session.exec(
            select(ProgrammePurchase)
            .where(
                ProgrammePurchase.organisation_id == organisation.id,
                ProgrammePurchase.status != "abandoned",
            )
            .order_by(col(ProgrammePurchase.created_at).desc(), col(ProgrammePurchase.id).desc())
        ).all()
        if purchase.status != "pending"
        or (purchase.checkout_expires_at is not None and purchase.checkout_expires_at > now)
    ]
