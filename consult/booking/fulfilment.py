"""Turning a checkout into a confirmed booking: idempotent, whoever calls it and however often.

The success page, the webhook and the local test provider all call `fulfil_checkout`. It
re-reads the checkout from the provider rather than trusting the order events arrive in, locks
the booking, and makes every call after the first a no-op. It records what was actually paid
(the checkout's total after promotion codes), from which every refund is computed. Money has
moved by then, so nothing a guest typed can stop it: the e-mails are queued after the change,
and never raise (booking/emails.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.booking.emails import queue_late_payment_refund
from consult.booking.models import Booking, ConsultationType
from consult.booking.occupying import SlotTaken, expire_hold, occupy
from consult.booking.refunds import issue_refund
from consult.booking.service import confirm, find_booking_for_update
from consult.payments.provider import CheckoutState, PaymentProvider

log = logging.getLogger("consult.booking")


def fulfil_checkout(
    *,
    session: Session,
    provider: PaymentProvider,
    checkout_session_id: str,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> Booking | None:
    """Bring the booking in line with its checkout; returns the booking, or None for a checkout we
    do not know. `site_time_zone` names the day a late payment's booking counts against;
    `practice_name` goes into a video link made from a template.
    """
    return fulfil_booking_state(
        session=session,
        provider=provider,
        state=provider.retrieve_checkout(checkout_session_id),
        site_time_zone=site_time_zone,
        practice_name=practice_name,
        now=now,
    )


def abandon_checkout(
    *,
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> Booking:
    """The guest left the payment page: expire the checkout at the provider, so it can no longer
    be paid, and give the time back at once rather than when the hold lapses.

    The provider has the last word: a checkout paid meanwhile (in another tab) is fulfilled
    instead. Raises PaymentProviderUnavailable or PaymentError when the provider cannot be asked;
    the hold then lapses as usual.
    """
    if booking.status != "held" or not booking.checkout_session_id:
        return booking
    provider.expire_checkout(booking.checkout_session_id)
    return (
        fulfil_checkout(
            session=session,
            provider=provider,
            checkout_session_id=booking.checkout_session_id,
            site_time_zone=site_time_zone,
            practice_name=practice_name,
            now=now,
        )
        or booking
    )


def fulfil_booking_state(
    *,
    session: Session,
    provider: PaymentProvider,
    state: CheckoutState,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> Booking | None:
    """Apply a checkout's current state (just read from the provider) to its booking; None when
    it names no booking of ours.
    """
    if not state.reference:
        return None
    booking = find_booking_for_update(session, public_id=state.reference)
    if booking is None or booking.checkout_session_id != state.session_id:
        log.warning(
            "checkout %s names booking %s, which does not match", state.session_id, state.reference
        )
        return None
    if state.is_paid:
        _record_payment(
            session=session,
            provider=provider,
            booking=booking,
            state=state,
            site_time_zone=site_time_zone,
            practice_name=practice_name,
            now=now,
        )
    elif state.status == "expired" and booking.status == "held":
        expire_hold(session=session, booking=booking)
    return booking


def _record_payment(
    *,
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    state: CheckoutState,
    site_time_zone: ZoneInfo,
    practice_name: str,
    now: datetime,
) -> None:
    if booking.payment_state != "unpaid":
        return  # fulfilled before: nothing more to do, nothing more to send
    booking.payment_state = "paid"
    booking.paid_at = now
    booking.payment_reference = state.payment_reference
    booking.paid_minor = _amount_paid(booking, state)
    consultation_type = session.get_one(ConsultationType, booking.consultation_type_id)
    if booking.status == "held":
        confirm(
            session=session,
            booking=booking,
            consultation_type=consultation_type,
            practice_name=practice_name,
            now=now,
        )
        return
    if booking.status == "expired":  # paid after the hold lapsed: keep the time if it is still free
        try:
            occupy(session, booking, site_time_zone=site_time_zone, now=now)
        except SlotTaken:
            issue_refund(
                session=session,
                provider=provider,
                booking=booking,
                amount_minor=booking.paid_minor,
                now=now,
            )
            queue_late_payment_refund(
                session=session, booking=booking, consultation_type=consultation_type, now=now
            )
            return
        confirm(
            session=session,
            booking=booking,
            consultation_type=consultation_type,
            practice_name=practice_name,
            now=now,
        )
        return
    # Paid for a booking that no longer wants the money (cancelled while the checkout was open).
    issue_refund(
        session=session,
        provider=provider,
        booking=booking,
        amount_minor=booking.paid_minor,
        now=now,
    )


def _amount_paid(booking: Booking, state: CheckoutState) -> int:
    """The checkout's total, after promotion codes and discounts, in the booking's currency."""
    if state.amount_total is None or state.currency not in (None, booking.currency):
        log.warning(
            "checkout %s of booking %s reports %r %r; recording the list price as paid",
            state.session_id,
            booking.public_id,
            state.amount_total,
            state.currency,
        )
        return booking.amount_minor
    return state.amount_total
