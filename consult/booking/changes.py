"""Changing a confirmed booking: cancelling (with the policy's refund) and moving it to another
time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.booking import slots
from consult.booking.calendar import rules_for
from consult.booking.emails import queue_cancellation, queue_rescheduled
from consult.booking.locks import lock_booking
from consult.booking.models import Booking, ConsultationType
from consult.booking.occupying import occupy, release
from consult.booking.offered_times import guest_day_slots
from consult.booking.policy import RefundTier, refund_for_cancellation
from consult.booking.refunds import issue_refund
from consult.booking.service import SlotNotOffered
from consult.booking.status import set_status
from consult.db import id_of
from consult.engagements.credits import programme_end_for, settle_credit_on_cancellation
from consult.payments.provider import PaymentProvider


class ChangeNotAllowed(Exception):
    """The booking cannot be changed that way (past, cancelled, or moved too often); the message
    says why.
    """


class BookingChanged(ChangeNotAllowed):
    """The booking was moved since the page the guest answered from showed it."""


def guest_refund_quote(
    booking: Booking, *, now: datetime, tiers: tuple[RefundTier, ...]
) -> tuple[int, int]:
    """What a guest cancelling now gets back: (minor units, percent), by the notice given to the
    booking's earliest start (see `policy.refund_for_cancellation`).
    """
    paid = (
        booking.paid_minor - booking.refunded_minor
        if booking.payment_state in ("paid", "partially_refunded")
        else 0
    )
    return refund_for_cancellation(
        paid_minor=paid, starts_at=booking.earliest_starts_at, now=now, tiers=tiers
    )


def cancel_booking(
    *,
    session: Session,
    provider: PaymentProvider,
    booking: Booking,
    by: str,
    now: datetime,
    tiers: tuple[RefundTier, ...],
    refund: bool = True,
) -> int:
    """Cancel and free the time; the guest gets the policy's refund, the consultant's cancellation
    refunds in full.

    Returns the amount refunded now (minor units). `refund=False` lets the consultant cancel
    without one. The booking is locked and re-read first, so of two cancellations at once (two
    tabs, or guest and consultant) the second finds it cancelled: one refund, one e-mail.
    """
    lock_booking(session, booking)
    if booking.status == "cancelled":
        raise ChangeNotAllowed("This booking has already been cancelled.")
    if booking.status != "confirmed" or booking.starts_at <= now:
        raise ChangeNotAllowed("Only an upcoming confirmed booking can be cancelled.")
    if by == "guest":
        amount, _ = guest_refund_quote(booking, now=now, tiers=tiers)
    else:
        amount = booking.paid_minor - booking.refunded_minor if refund else 0
    set_status(booking, "cancelled")
    booking.cancelled_at = now
    booking.cancelled_by = by
    release(session, booking)
    settle_credit_on_cancellation(
        session=session, booking=booking, by=by, refund=refund, now=now, tiers=tiers
    )
    refunded_before = booking.refunded_minor
    if amount:
        issue_refund(
            session=session, provider=provider, booking=booking, amount_minor=amount, now=now
        )
    session.add(booking)
    session.flush()
    consultation_type = session.get_one(ConsultationType, booking.consultation_type_id)
    queue_cancellation(
        session=session,
        booking=booking,
        consultation_type=consultation_type,
        refund_minor=amount,
        now=now,
    )
    return booking.refunded_minor - refunded_before


def reschedule_booking(
    *,
    session: Session,
    booking: Booking,
    new_start: datetime,
    site_time_zone: ZoneInfo,
    now: datetime,
    max_reschedules: int | None,
    manage_token: str,
    moves_seen: int | None,
) -> None:
    """Move a confirmed booking to another free time of its type, keeping its payment.

    `moves_seen` is how many times the booking had been moved on the page the guest answered
    from (None when unknown); `max_reschedules` None lets the consultant move it however often
    it has moved (never over another booking). The booking is locked and re-read first: if it
    has been moved since (say, from another tab at the same moment), BookingChanged, so of two
    moves at once exactly one wins. `occupy` refuses a time or a day taken meanwhile
    (SlotTaken, DayFull).
    """
    lock_booking(session, booking)
    if booking.status == "confirmed" and moves_seen not in (None, booking.reschedule_count):
        raise BookingChanged(
            "This booking was just changed, perhaps in another window: its time now is shown "
            "above. Please choose again if you still want to move it."
        )
    if booking.status == "cancelled":
        raise ChangeNotAllowed("This booking has been cancelled, so it can no longer be moved.")
    if booking.status != "confirmed" or booking.starts_at <= now:
        raise ChangeNotAllowed("Only an upcoming confirmed booking can be moved.")
    if max_reschedules is not None and booking.reschedule_count >= max_reschedules:
        raise ChangeNotAllowed(
            f"This booking has been moved {booking.reschedule_count} times, "
            "the most the policy allows. Please write to us."
        )
    programme_end = programme_end_for(session, booking)
    if programme_end is not None and new_start >= programme_end:
        raise ChangeNotAllowed(
            "This session is included in your organisation's programme, which ends on "
            f"{programme_end.astimezone(site_time_zone):%-d %B %Y}: choose a time before then."
        )
    consultation_type = session.get_one(ConsultationType, booking.consultation_type_id)
    release(session, booking)
    session.flush()
    local_start = new_start.astimezone(site_time_zone)
    offered = guest_day_slots(
        session=session,
        consultation_type=consultation_type,
        guest_day=local_start.date(),
        guest_time_zone=site_time_zone.key,
        site_time_zone=site_time_zone,
        now=now,
        moving_booking_id=id_of(booking),
    )
    # Its own current time shows as free; a move to the same time is no move.
    if (
        new_start.astimezone(UTC) not in {moment.astimezone(UTC) for moment in offered}
        or new_start == booking.starts_at
    ):
        raise SlotNotOffered("That time was just taken — please choose another.")
    span = slots.occupied_span(new_start, rules_for(consultation_type))
    booking.starts_at = local_start
    booking.earliest_starts_at = min(booking.earliest_starts_at, local_start)
    booking.ends_at = local_start + timedelta(minutes=consultation_type.duration_minutes)
    booking.occupies_from, booking.occupies_until = span.start, span.end
    booking.reschedule_count += 1
    booking.reminder_sent_at = None
    session.add(booking)
    session.flush()
    occupy(session, booking, site_time_zone=site_time_zone, now=now)
    queue_rescheduled(
        session=session,
        booking=booking,
        consultation_type=consultation_type,
        manage_token=manage_token,
        now=now,
    )
