"""What booking does to the database: holding a time, confirming and expiring bookings.

The times offered are worked out in consult.booking.offered_times.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from consult.accounts.policy import hash_token, new_token, normalise_email
from consult.blog.posts import slugify
from consult.booking import slots
from consult.booking.calendar import rules_for
from consult.booking.emails import queue_confirmation
from consult.booking.locations import meeting_location
from consult.booking.models import Booking, BookingAccessToken, ConsultationType
from consult.booking.occupying import expire_hold, occupy
from consult.booking.offered_times import guest_day_slots
from consult.booking.status import set_status
from consult.db import id_of
from consult.engagements.credits import MemberBooking, take_credit

# Stripe refuses a Checkout Session that expires in under 30 minutes: keep a minute of margin.
HOLD_MINUTES = 31
# Live holds one client address, or one guest e-mail, may keep at once (see TooManyHolds).
LIVE_HOLDS_PER_CLIENT = 3
LIVE_HOLDS_PER_EMAIL = 2


class SlotNotOffered(Exception):
    """That time is not (or no longer) a free slot of this consultation type."""


class TooManyHolds(Exception):
    """This client or guest address already holds as many unpaid times as one may at once."""


@dataclass(frozen=True)
class GuestDetails:
    name: str
    email: str
    organisation: str
    role: str
    phone: str | None
    time_zone: str
    intake_answers: dict[str, str]


def active_types(session: Session) -> list[ConsultationType]:
    return list(
        session.exec(
            select(ConsultationType)
            .where(ConsultationType.is_active)
            .order_by(col(ConsultationType.position), col(ConsultationType.id))
        ).all()
    )


def find_active_type(session: Session, slug: str) -> ConsultationType | None:
    return session.exec(
        select(ConsultationType).where(ConsultationType.slug == slug, ConsultationType.is_active)
    ).first()


def place_booking(
    *,
    session: Session,
    consultation_type: ConsultationType,
    starts_at: datetime,
    guest: GuestDetails,
    site_time_zone: ZoneInfo,
    now: datetime,
    practice_name: str,
    member: MemberBooking | None = None,
    client_address: str | None = None,
    consultant_payment: str | None = None,
) -> Booking:
    """Hold the slot (a paid type, for HOLD_MINUTES, while the guest pays) or confirm it (a free
    type, a member's booking paid with a programme credit, or one the consultant makes).

    `consultant_payment` is what the consultant chose when booking someone in herself:
    "not_required" (free of charge) or "invoice_later" (the price, to be invoiced); either is
    confirmed at once, under the same rules as a guest's booking.

    Start the transaction with `begin_as_writer` so that on SQLite the check and the insert
    see the same calendar. The check here only spares a doomed insert: `occupy` keeps the rules
    (no overlap, the daily maximum) on every database, under concurrency too. A member's
    booking is tied to their organisation; with `use_credit` it raises NoCreditLeft when no
    credit is left (the programme is locked after the day, the order every path takes).
    """
    starts_at = starts_at.astimezone(site_time_zone)
    offered = guest_day_slots(
        session=session,
        consultation_type=consultation_type,
        guest_day=starts_at.date(),
        guest_time_zone=site_time_zone.key,
        site_time_zone=site_time_zone,
        now=now,
    )
    # Compare instants in UTC: on the fall-back night two different 01:30s read alike in local time.
    if starts_at.astimezone(UTC) not in {moment.astimezone(UTC) for moment in offered}:
        raise SlotNotOffered("That time was just taken — please choose another.")
    span = slots.occupied_span(starts_at, rules_for(consultation_type))
    free = consultation_type.is_free or consultant_payment == "not_required"
    if not free and consultant_payment is None and not (member is not None and member.use_credit):
        refuse_too_many_holds(
            session=session, email=guest.email, client_address=client_address, now=now
        )
    booking = Booking(
        public_id=secrets.token_urlsafe(16),
        consultation_type_id=id_of(consultation_type),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=consultation_type.duration_minutes),
        earliest_starts_at=starts_at,
        occupies_from=span.start,
        occupies_until=span.end,
        status="held",
        hold_expires_at=now + timedelta(minutes=HOLD_MINUTES),
        guest_name=guest.name.strip(),
        guest_email=normalise_email(guest.email),
        organisation=guest.organisation.strip(),
        role=guest.role.strip(),
        phone=(guest.phone or "").strip() or None,
        guest_time_zone=guest.time_zone,
        intake_answers=guest.intake_answers,
        policy_accepted_at=now,
        amount_minor=0 if free else consultation_type.price_minor,
        currency=consultation_type.currency,
        payment_state="not_required" if free else consultant_payment or "unpaid",
        created_at=now,
        organisation_id=member.organisation_id if member else None,
        booked_by_id=member.user_id if member else None,
        client_address=client_address,
    )
    session.add(booking)
    session.flush()
    occupy(session, booking, site_time_zone=site_time_zone, now=now)
    if member is not None and member.use_credit and not free:
        take_credit(session=session, booking=booking, now=now)
    if booking.payment_state in ("not_required", "invoice_later"):
        confirm(
            session=session,
            booking=booking,
            consultation_type=consultation_type,
            practice_name=practice_name,
            now=now,
        )
    return booking


def refuse_too_many_holds(
    *, session: Session, email: str, client_address: str | None, now: datetime
) -> None:
    """Raise TooManyHolds when the client address or the guest's e-mail already keeps the most
    live (unpaid, unexpired) holds allowed, so no one can hold the calendar by starting checkouts.
    """
    live = select(func.count()).where(Booking.status == "held", col(Booking.hold_expires_at) > now)
    by_email = session.exec(live.where(Booking.guest_email == normalise_email(email))).one()
    by_client = (
        session.exec(live.where(Booking.client_address == client_address)).one()
        if client_address
        else 0
    )
    if by_email >= LIVE_HOLDS_PER_EMAIL or by_client >= LIVE_HOLDS_PER_CLIENT:
        raise TooManyHolds(
            "You already have times held while you pay. Please finish paying for one, or wait "
            f"until its {HOLD_MINUTES} minutes have passed, before holding another; "
            "nothing was booked."
        )


def confirm(
    *,
    session: Session,
    booking: Booking,
    consultation_type: ConsultationType,
    practice_name: str,
    now: datetime,
) -> None:
    """Confirm the booking, fix where it happens (`practice_name` goes into a video link made
    from a template), and e-mail the guest a fresh management link with the invitation.
    """
    set_status(booking, "confirmed")
    booking.confirmed_at = now
    booking.hold_expires_at = None
    fix_meeting_location(booking, consultation_type, practice_name=practice_name)
    session.add(booking)
    session.flush()
    token = issue_access_token(session=session, booking=booking, now=now)
    queue_confirmation(
        session=session,
        booking=booking,
        consultation_type=consultation_type,
        manage_token=token,
        now=now,
    )


def fix_meeting_location(
    booking: Booking, consultation_type: ConsultationType, *, practice_name: str
) -> None:
    """Store where the booking happens, as the type says now: a later edit of the type (its
    video link template, say) does not change what the guest was sent.
    """
    booking.meeting_kind = consultation_type.location_kind
    booking.meeting_location = meeting_location(
        consultation_type.location_kind,
        consultation_type.location,
        practice=slugify(practice_name),
        consultation_type=consultation_type.slug,
        booking_code=secrets.token_hex(8),
        guest_phone=booking.phone,
    )


def issue_access_token(*, session: Session, booking: Booking, now: datetime) -> str:
    """A new secret link for the guest's e-mail; returns the token (only its hash is kept)."""
    token, token_hash = new_token()
    session.add(
        BookingAccessToken(booking_id=id_of(booking), token_hash=token_hash, created_at=now)
    )
    return token


def find_by_access_token(session: Session, token: str) -> Booking | None:
    return session.exec(
        select(Booking)
        .join(BookingAccessToken, col(BookingAccessToken.booking_id) == col(Booking.id))
        .where(BookingAccessToken.token_hash == hash_token(token))
    ).first()


def find_booking_for_update(session: Session, *, public_id: str) -> Booking | None:
    """The booking, locked against concurrent fulfilment (a row lock on PostgreSQL) and re-read."""
    return session.exec(
        select(Booking)
        .where(Booking.public_id == public_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def sweep_expired_holds(*, session: Session, now: datetime) -> int:
    """Expire every lapsed hold; returns how many.

    Each is locked and re-read first: a hold that a payment confirmed meanwhile is skipped.
    """
    lapsed = session.exec(
        select(Booking)
        .where(Booking.status == "held", col(Booking.hold_expires_at) <= now)
        .order_by(col(Booking.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for booking in lapsed:
        expire_hold(session=session, booking=booking)
    return len(lapsed)
