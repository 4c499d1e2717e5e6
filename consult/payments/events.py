"""Stripe's events: stored when they arrive, then processed, each in its own transaction.

A stored event is acknowledged whatever becomes of it, so Stripe never retries one for days.
One the site cannot use (a checkout it did not create, a missing or mistyped field, a type it
does not handle) is `ignored`, with the reason logged and kept. One that cannot be processed
now stays `pending` and `bookings sweep` processes it again: without limit while the provider
is unreachable, up to MAX_EVENT_ATTEMPTS times for any other failure, after which it is
`failed`, logged as an error for the consultant.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from consult.booking.refunds import reconcile_charge_refunded, reconcile_refund_failed
from consult.db import begin_as_writer
from consult.engagements.cancellation import (
    reconcile_purchase_charge_refunded,
    reconcile_purchase_refund_failed,
)
from consult.payments.checkouts import fulfil_any_checkout
from consult.payments.models import ProcessedWebhookEvent
from consult.payments.provider import PaymentNotFound, PaymentProvider, PaymentProviderUnavailable

log = logging.getLogger("consult.payments")
MAX_EVENT_ATTEMPTS = 5
CHECKOUT_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)
_MAX_TEXT = 255  # an id or type longer than the columns that hold them is no event of ours


class UnusableEvent(Exception):
    """A correctly signed event this site cannot use; the message says why."""


def store_event(
    *, session: Session, event_id: str, event_type: str, data_object: dict[str, Any], now: datetime
) -> bool:
    """Record an event as it arrives; False when it needs nothing more (seen and settled before).

    A new event is stored `pending` with its data.object; a pending one delivered again is
    processed again. Commit before processing, so the event is kept whatever happens next.
    Raises UnusableEvent for an id or type too long to be Stripe's.
    """
    if len(event_id) > _MAX_TEXT or len(event_type) > 100:
        raise UnusableEvent("its id or type is too long to be a Stripe event")
    stored = session.exec(
        select(ProcessedWebhookEvent).where(ProcessedWebhookEvent.event_id == event_id)
    ).first()
    if stored is not None:
        return stored.status == "pending"
    try:
        with session.begin_nested():
            session.add(
                ProcessedWebhookEvent(
                    event_id=event_id,
                    event_type=event_type,
                    received_at=now,
                    status="pending",
                    payload=data_object,
                )
            )
    except IntegrityError:
        return False  # the same event arrived twice at once: the other delivery processes it
    return True


def process_stored_event(
    *,
    session: Session,
    provider: PaymentProvider,
    event_id: str,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> str:
    """Process a pending event; returns its status afterwards ("processed", "ignored", "pending"
    or "failed").

    Commits: the attempt is one transaction (the event locked, so no other delivery or sweep
    processes it at the same time) and its outcome is recorded even when the attempt fails.
    Only a lost database connection is raised.
    """
    begin_as_writer(session)
    stored = session.exec(
        select(ProcessedWebhookEvent)
        .where(ProcessedWebhookEvent.event_id == event_id)
        .with_for_update()
    ).first()
    if stored is None or stored.status != "pending":
        session.commit()
        return stored.status if stored is not None else "missing"
    event_type, payload = stored.event_type, stored.payload or {}
    try:
        _apply(session, provider, event_type, payload, site_time_zone, practice_name, now)
    except UnusableEvent as reason:
        session.rollback()
        log.warning("webhook event %s (%s) ignored: %s", event_id, event_type, reason)
        return _record_outcome(session, event_id, status="ignored", error=str(reason))
    except PaymentProviderUnavailable as error:
        session.rollback()
        log.warning("webhook event %s waits for the provider: %s", event_id, error)
        return _record_outcome(session, event_id, status="pending", error=str(error))
    except Exception as error:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            raise
        session.rollback()
        log.exception("webhook event %s (%s) could not be processed", event_id, event_type)
        return _record_outcome(
            session, event_id, status="failed", error=f"{type(error).__name__}: {error}"
        )
    stored.status, stored.payload, stored.last_error = "processed", None, None
    session.add(stored)
    session.commit()
    return "processed"


def process_pending_events(
    *,
    session: Session,
    provider: PaymentProvider,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> dict[str, int]:
    """Process every pending event again (for `bookings sweep`); returns how many ended in each
    status.
    """
    pending = session.exec(
        select(ProcessedWebhookEvent.event_id)
        .where(ProcessedWebhookEvent.status == "pending")
        .order_by(col(ProcessedWebhookEvent.id))
    ).all()
    session.commit()
    outcomes: dict[str, int] = {}
    for event_id in pending:
        status = process_stored_event(
            session=session,
            provider=provider,
            event_id=event_id,
            site_time_zone=site_time_zone,
            practice_name=practice_name,
            now=now,
        )
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def _record_outcome(session: Session, event_id: str, *, status: str, error: str) -> str:
    """Record a failed attempt in a transaction of its own; "failed" counts towards the limit."""
    begin_as_writer(session)
    stored = session.exec(
        select(ProcessedWebhookEvent)
        .where(ProcessedWebhookEvent.event_id == event_id)
        .with_for_update()
    ).one()
    stored.last_error = error[:2000]
    if status == "ignored":
        stored.status, stored.payload = "ignored", None
    elif status == "failed":
        stored.attempts += 1
        if stored.attempts >= MAX_EVENT_ATTEMPTS:
            log.error(
                "webhook event %s (%s) gave up after %d attempts: %s",
                event_id,
                stored.event_type,
                stored.attempts,
                error,
            )
            stored.status = "failed"
    session.add(stored)
    session.commit()
    return stored.status


def _apply(
    session: Session,
    provider: PaymentProvider,
    event_type: str,
    data_object: dict[str, Any],
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> None:
    """What an event means for the bookings and programmes; raises UnusableEvent for one the site
    cannot use.
    """
    if event_type in CHECKOUT_EVENTS:
        checkout_id = _text(data_object, "id")
        try:
            known = fulfil_any_checkout(
                session=session,
                provider=provider,
                checkout_session_id=checkout_id,
                site_time_zone=site_time_zone,
                practice_name=practice_name,
                now=now,
            )
        except PaymentNotFound as error:
            raise UnusableEvent(f"the provider has no checkout {checkout_id}") from error
        if not known:
            raise UnusableEvent(
                f"checkout {checkout_id} is not one of this site's bookings or programmes"
            )
    elif event_type == "charge.refunded":
        payment = _text(data_object, "payment_intent")
        refunded = _amount(data_object, "amount_refunded")
        if not (
            reconcile_charge_refunded(
                session=session, payment_reference=payment, amount_refunded_minor=refunded, now=now
            )
            or reconcile_purchase_charge_refunded(
                session=session, payment_reference=payment, amount_refunded_minor=refunded, now=now
            )
        ):
            raise UnusableEvent(f"no booking or programme was paid with {payment}")
    elif event_type == "refund.failed":
        payment = _text(data_object, "payment_intent")
        if not (
            reconcile_refund_failed(session=session, payment_reference=payment, now=now)
            or reconcile_purchase_refund_failed(session=session, payment_reference=payment, now=now)
        ):
            raise UnusableEvent(f"no booking or programme was paid with {payment}")
    else:
        raise UnusableEvent(f"this site does not use {event_type} events")


def _text(data_object: dict[str, Any], key: str) -> str:
    value = data_object.get(key)
    if isinstance(value, dict):  # an expanded object: its id
        value = value.get("id")
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise UnusableEvent(f"its {key} is missing or not an id")
    return value


def _amount(data_object: dict[str, Any], key: str) -> int:
    value = data_object.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**12:
        raise UnusableEvent(f"its {key} is missing or not an amount in minor units")
    return value
