"""What the consultant's client view reads beyond the timeline: money in and out, invitations,
and the e-mails sent to the organisation's people. One query each.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from consult.accounts.models import Invitation
from consult.booking.models import Booking
from consult.engagements.models import ProgrammePurchase
from consult.mail.models import OutboxEmail
from consult.portal.models import Organisation

EMAILS_SHOWN = 50


@dataclass(frozen=True)
class MoneyTotal:
    """What the organisation paid and was refunded in one currency, in minor units."""

    currency: str
    paid_minor: int
    refunded_minor: int


def money_totals(session: Session, organisation: Organisation) -> list[MoneyTotal]:
    """Paid and refunded for the organisation's bookings and programmes, by currency."""
    totals: dict[str, tuple[int, int]] = {}
    for table in (Booking, ProgrammePurchase):
        rows = session.exec(
            select(table.currency, func.sum(table.paid_minor), func.sum(table.refunded_minor))
            .where(table.organisation_id == organisation.id)
            .group_by(col(table.currency))
        ).all()
        for currency, paid, refunded in rows:
            before = totals.get(currency, (0, 0))
            totals[currency] = (before[0] + (paid or 0), before[1] + (refunded or 0))
    return [
        MoneyTotal(currency, paid, refunded)
        for currency, (paid, refunded) in sorted(totals.items())
    ]


def invitations_of(session: Session, organisation: Organisation) -> list[Invitation]:
    """Every invitation into the organisation, latest first."""
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.organisation_id == organisation.id)
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        ).all()
    )


def emails_to(session: Session, addresses: Collection[str]) -> list[OutboxEmail]:
    """The latest e-mails to these addresses (the members' and the invitees'), latest first."""
    if not addresses:
        return []
    return list(
        session.exec(
            select(OutboxEmail)
            .where(col(OutboxEmail.to_address).in_(sorted(addresses)))
            .order_by(col(OutboxEmail.created_at).desc(), col(OutboxEmail.id).desc())
            .limit(EMAILS_SHOWN)
        ).all()
    )
