"""Receipts from the database: which payments have one, who may see each, and building them.

A booking or a programme purchase has a receipt once it was paid through the site (`paid_at`);
free bookings, sessions paid with a programme's credit and the consultant's grants have none.
Who may see a receipt: the consultant; through the secret link of a booking, its guest; and in
the portal, for a payment tied to an organisation, whoever paid it while a member and the
organisation's owners, never another organisation.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.booking.models import Booking, ConsultationType
from consult.db import id_of
from consult.engagements.models import ProgrammePurchase
from consult.portal.models import Organisation
from consult.receipts.document import (
    PracticeDetails,
    Receipt,
    payment_method,
    receipt_number,
)
from consult.site.identity import SiteIdentity


def practice_details(site: SiteIdentity, site_url: str) -> PracticeDetails:
    """The practice's details from site.yaml, as receipts print them."""
    return PracticeDetails(
        name=site.practice_name,
        consultant_name=site.consultant_name,
        email=site.contact_email,
        phone=site.contact_phone,
        address=site.postal_address,
        tax_id=site.tax_id,
        site_url=site_url,
    )


def _pending_refund(record: Booking | ProgrammePurchase) -> int:
    return max(0, record.refund_requested_minor - record.refunded_minor)


def booking_receipt(
    session: Session, booking: Booking, *, practice: PracticeDetails, site_zone: ZoneInfo
) -> Receipt | None:
    """The receipt of a paid booking, or None when nothing was paid through the site."""
    if booking.paid_at is None:
        return None
    kind = session.get_one(ConsultationType, booking.consultation_type_id)
    guest_zone = ZoneInfo(booking.guest_time_zone)
    start = booking.starts_at.astimezone(guest_zone)
    notes: list[str] = []
    if booking.status == "cancelled" and booking.cancelled_at is not None:
        notes.append(f"Cancelled on {booking.cancelled_at.astimezone(site_zone):%-d %B %Y}.")
    return Receipt(
        number=receipt_number("booking", id_of(booking)),
        paid_on=booking.paid_at.astimezone(site_zone).date(),
        practice=practice,
        billed_to=tuple(
            part for part in (booking.guest_name, booking.organisation, booking.guest_email) if part
        ),
        item=f"{kind.name} with {practice.consultant_name}",
        item_details=(
            f"{start:%A %-d %B %Y, %-I:%M %p} ({booking.guest_time_zone}), "
            f"{kind.duration_minutes} minutes",
        ),
        currency=booking.currency,
        list_price_minor=booking.amount_minor,
        paid_minor=booking.paid_minor,
        refunded_minor=booking.refunded_minor,
        refund_pending_minor=_pending_refund(booking),
        payment_method=payment_method(booking.payment_provider),
        payment_reference=booking.payment_reference,
        notes=tuple(notes),
    )


def purchase_receipt(
    session: Session,
    purchase: ProgrammePurchase,
    *,
    practice: PracticeDetails,
    site_zone: ZoneInfo,
) -> Receipt | None:
    """The receipt of a paid programme, or None when nothing was paid through the site."""
    if purchase.paid_at is None:
        return None
    organisation = session.get_one(Organisation, purchase.organisation_id)
    buyer = session.get(User, purchase.bought_by_id) if purchase.bought_by_id else None
    types = {
        id_of(kind): kind.name
        for kind in session.exec(
            select(ConsultationType).where(
                col(ConsultationType.id).in_(
                    [int(item["consultation_type_id"]) for item in purchase.inclusions]
                )
            )
        ).all()
    }
    includes = [
        f"{item['sessions']} × {types.get(int(item['consultation_type_id']), 'session')}"
        for item in purchase.inclusions
    ]
    if purchase.included_rounds:
        rounds = purchase.included_rounds
        includes.append(f"{rounds} assessment round{'s' if rounds != 1 else ''}")
    details = [f"{purchase.duration_days} days"]
    if purchase.starts_at is not None and purchase.ends_at is not None:
        details = [
            f"{purchase.duration_days} days, {purchase.starts_at.astimezone(site_zone):%-d %B %Y} "
            f"to {purchase.ends_at.astimezone(site_zone):%-d %B %Y}"
        ]
    if includes:
        details.append("Includes " + ", ".join(includes))
    notes: list[str] = []
    if purchase.status == "cancelled" and purchase.cancelled_at is not None:
        notes.append(f"Cancelled on {purchase.cancelled_at.astimezone(site_zone):%-d %B %Y}.")
    return Receipt(
        number=receipt_number("programme", id_of(purchase)),
        paid_on=purchase.paid_at.astimezone(site_zone).date(),
        practice=practice,
        billed_to=tuple(
            part
            for part in (
                organisation.name,
                buyer.name if buyer else None,
                buyer.email if buyer else None,
            )
            if part
        ),
        item=f"Programme: {purchase.name}",
        item_details=tuple(details),
        currency=purchase.currency,
        list_price_minor=purchase.amount_minor,
        paid_minor=purchase.paid_minor,
        refunded_minor=purchase.refunded_minor,
        refund_pending_minor=_pending_refund(purchase),
        payment_method=payment_method(purchase.payment_provider),
        payment_reference=purchase.payment_reference,
        notes=tuple(notes),
    )


def may_see_in_portal(
    record: Booking | ProgrammePurchase,
    *,
    organisation: Organisation,
    user_id: int | None,
    is_owner: bool,
    is_consultant: bool,
) -> bool:
    """Whether someone in an organisation's portal may see the receipt of `record`: it must be
    that organisation's, and they its owner, the consultant, or the one who paid.
    """
    if record.organisation_id != organisation.id:
        return False
    payer = record.booked_by_id if isinstance(record, Booking) else record.bought_by_id
    return is_owner or is_consultant or (user_id is not None and payer == user_id)


def portal_payments(
    session: Session, organisation: Organisation
) -> tuple[list[Booking], list[ProgrammePurchase]]:
    """The organisation's paid bookings and programmes, newest first."""
    bookings = session.exec(
        select(Booking)
        .where(Booking.organisation_id == organisation.id, col(Booking.paid_at).is_not(None))
        .order_by(col(Booking.paid_at).desc())
    ).all()
    bought = session.exec(
        select(ProgrammePurchase)
        .where(
            ProgrammePurchase.organisation_id == organisation.id,
            col(ProgrammePurchase.paid_at).is_not(None),
        )
        .order_by(col(ProgrammePurchase.paid_at).desc())
    ).all()
    return list(bookings), list(bought)
