"""E-mails about bookings, queued in the transaction that changes the booking, and never able to
stop that change.

Each queue_* function builds and queues a change's e-mails (and calendar invitation) in a
savepoint, after the change itself. If that fails, for whatever reason, only the savepoint is
rolled back: the failure is logged, the function returns False, and the e-mails are recorded on
the booking as still due (`Booking.notifications_due`) for `bookings sweep` to queue
(booking/notifications.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, cast
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from consult.booking.invites import Invite, build_ics
from consult.booking.locations import invite_location
from consult.booking.models import Booking, ConsultationType
from consult.engagements.policy import credit_back_notice_hours
from consult.mail.service import queue_email
from consult.site.identity import SiteIdentity
from consult.urls import absolute_url

log = logging.getLogger("consult.booking")
Params = ParamSpec("Params")


def _leaves_due_on_failure(
    kind: str, *details: str
) -> Callable[[Callable[Params, None]], Callable[Params, bool]]:
    """Make a queue_* function (called with keyword arguments `session` and `booking`) run in a
    savepoint and never raise.

    On failure the savepoint is rolled back, the error logged, and {"kind": kind} plus the
    arguments named in `details` recorded as due on the booking; the function returns False.
    Only a lost database connection is raised: then the change itself cannot be saved either.
    """

    def decorate(queue: Callable[Params, None]) -> Callable[Params, bool]:
        @functools.wraps(queue)
        def queue_or_leave_due(*args: Params.args, **kwargs: Params.kwargs) -> bool:
            session, booking = cast(Session, kwargs["session"]), cast(Booking, kwargs["booking"])
            try:
                with session.begin_nested():
                    queue(*args, **kwargs)
            except Exception as error:
                if isinstance(error, DBAPIError) and error.connection_invalidated:
                    raise
                log.exception(
                    "could not queue the %s e-mails of booking %s; they stay due for "
                    "`bookings sweep`",
                    kind,
                    booking.public_id,
                )
                # One notice of a kind is enough: each describes the booking as it is when sent.
                others = [due for due in booking.notifications_due or [] if due["kind"] != kind]
                notice = {"kind": kind, **{name: kwargs[name] for name in details}}
                booking.notifications_due = [*others, notice]
                session.add(booking)
                return False
            return True

        return queue_or_leave_due

    return decorate


def format_money(amount_minor: int, currency: str) -> str:
    """`4500, "usd"` → `USD 45.00` (every currency the practice uses has two decimals)."""
    return f"{currency.upper()} {amount_minor // 100:,}.{amount_minor % 100:02d}"


def _site() -> SiteIdentity:
    site: SiteIdentity = current_app.extensions["consult.site"]
    return site


def invite_title(consultation_type: ConsultationType) -> str:
    """The event's title in the invitation and in the guest's calendar links."""
    return f"{consultation_type.name} with {_site().consultant_name}"


def invite_ics(
    booking: Booking, consultation_type: ConsultationType, *, cancelled: bool = False
) -> str:
    """The booking's calendar invitation as it is now: the e-mails' attachment and the booking
    page's download (one UID, so a calendar holds one event however often it is added).
    """
    site = _site()
    location, url = (
        ("", "") if cancelled else invite_location(booking.meeting_kind, booking.meeting_location)
    )
    return build_ics(
        Invite(
            uid=f"{booking.public_id}@consult",
            sequence=booking.reschedule_count + (1 if cancelled else 0),
            title=invite_title(consultation_type),
            description=(
                f"{consultation_type.name} for {booking.organisation}. "
                "Manage this booking from your confirmation e-mail."
            ),
            location=location,
            url=url,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            time_zone=booking.guest_time_zone,
            organizer_name=site.consultant_name,
            organizer_email=site.contact_email,
            attendee_name=booking.guest_name,
            attendee_email=booking.guest_email,
            created_at=booking.created_at,
            cancelled=cancelled,
        )
    )


def _invite(
    booking: Booking, consultation_type: ConsultationType, *, cancelled: bool = False
) -> dict[str, str]:
    return {
        "filename": "consultation.ics",
        "subtype": "calendar",
        "method": "CANCEL" if cancelled else "REQUEST",
        "content": invite_ics(booking, consultation_type, cancelled=cancelled),
    }


def _context(
    booking: Booking, consultation_type: ConsultationType, manage_token: str | None
) -> dict[str, Any]:
    guest_zone = ZoneInfo(booking.guest_time_zone)
    return {
        "booking": booking,
        "consultation_type": consultation_type,
        "starts_local": booking.starts_at.astimezone(guest_zone),
        "ends_local": booking.ends_at.astimezone(guest_zone),
        # What the guest actually paid (after any promotion code) once they have paid.
        "amount": format_money(
            booking.paid_minor if booking.paid_at else booking.amount_minor, booking.currency
        ),
        "refunded": format_money(booking.refunded_minor, booking.currency),
        "manage_url": absolute_url("booking.manage", token=manage_token) if manage_token else None,
        "admin_url": absolute_url("admin.dashboard"),
        "credit_notice_hours": credit_back_notice_hours(_site().refund_tiers),
    }


@_leaves_due_on_failure("confirmation")
def queue_confirmation(
    *,
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    manage_token: str,
    now: datetime,
) -> None:
    """The guest's confirmation with the calendar invitation, and a note to the consultant."""
    context = _context(booking, consultation_type, manage_token)
    queue_email(
        session=session,
        to=booking.guest_email,
        subject=f"Confirmed: {consultation_type.name}",
        template="booking_confirmed",
        context=context,
        now=now,
        attachments=[_invite(booking, consultation_type)],
    )
    queue_email(
        session=session,
        to=_site().contact_email,
        subject=f"New booking: {booking.organisation}, {consultation_type.name}",
        template="booking_new_for_consultant",
        context=context,
        now=now,
    )


@_leaves_due_on_failure("late_payment_refund")
def queue_late_payment_refund(
    *, session: Session, booking: Booking, consultation_type: ConsultationType, now: datetime
) -> None:
    """The payment came after the hold lapsed and the time went to someone else: apologise and say
    it is refunded.
    """
    context = {
        **_context(booking, consultation_type, None),
        "rebook_url": absolute_url("booking.choose_time", slug=consultation_type.slug),
    }
    queue_email(
        session=session,
        to=booking.guest_email,
        subject="We are sorry: that time was taken, your payment is refunded",
        template="booking_late_payment",
        context=context,
        now=now,
    )
    queue_email(
        session=session,
        to=_site().contact_email,
        subject=f"Refunded a late payment: {booking.organisation}",
        template="booking_late_payment_for_consultant",
        context=context,
        now=now,
    )


@_leaves_due_on_failure("cancellation", "refund_minor")
def queue_cancellation(
    *,
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    refund_minor: int,
    now: datetime,
) -> None:
    """The guest's cancellation, stating the refund, with a calendar cancellation; and a note to the
    consultant.
    """
    context = {
        **_context(booking, consultation_type, None),
        "refund": format_money(refund_minor, booking.currency),
        "refund_minor": refund_minor,
        "rebook_url": absolute_url("booking.choose_time", slug=consultation_type.slug),
    }
    queue_email(
        session=session,
        to=booking.guest_email,
        subject=f"Cancelled: {consultation_type.name}",
        template="booking_cancelled",
        context=context,
        now=now,
        attachments=[_invite(booking, consultation_type, cancelled=True)],
    )
    queue_email(
        session=session,
        to=_site().contact_email,
        subject=f"Cancelled by {booking.cancelled_by}: {booking.organisation}",
        template="booking_cancelled_for_consultant",
        context=context,
        now=now,
    )


@_leaves_due_on_failure("rescheduled")
def queue_rescheduled(
    *,
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    manage_token: str,
    now: datetime,
) -> None:
    """The new time, with an updated invitation (a higher SEQUENCE replaces the old event)."""
    context = _context(booking, consultation_type, manage_token)
    queue_email(
        session=session,
        to=booking.guest_email,
        subject=f"Moved: {consultation_type.name}",
        template="booking_rescheduled",
        context=context,
        now=now,
        attachments=[_invite(booking, consultation_type)],
    )
    queue_email(
        session=session,
        to=_site().contact_email,
        subject=f"Moved: {booking.organisation}, {consultation_type.name}",
        template="booking_new_for_consultant",
        context=context,
        now=now,
    )


@_leaves_due_on_failure("reminder")
def queue_reminder(
    *,
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    manage_token: str,
    now: datetime,
) -> None:
    """The guest's reminder the day before, with their link to the booking."""
    queue_email(
        session=session,
        to=booking.guest_email,
        subject=f"Tomorrow: {consultation_type.name} with {_site().consultant_name}",
        template="booking_reminder",
        context=_context(booking, consultation_type, manage_token),
        now=now,
    )
