"""Credits: a member books an included session without paying, and gets it back by the policy.

Taking a credit is a decision over several rows (the organisation's programmes and their
credits), so it is made under a lock every competing request also takes: the organisation's
active purchases are locked `FOR UPDATE` on PostgreSQL, and on SQLite the booking transaction
already started with `BEGIN IMMEDIATE`. Inside the lock the free credits are read again, and
each is claimed with a conditional update (`… WHERE booking_id IS NULL`) that only one
transaction can win, so even a path that forgot the lock could not hand one credit out twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from consult.booking.models import Booking
from consult.booking.policy import RefundTier
from consult.db import id_of
from consult.engagements.models import ProgrammeCredit, ProgrammePurchase
from consult.engagements.policy import credit_given_back


@dataclass(frozen=True)
class MemberBooking:
    """A signed-in member booking for one of their organisations, with a programme credit or
    not (what `place_booking` ties the booking to).
    """

    organisation_id: int
    user_id: int
    use_credit: bool


class NoCreditLeft(Exception):
    """No usable credit of that type is left for the organisation; the message says so."""


@dataclass(frozen=True)
class CreditBalance:
    """The credits of one consultation type in one purchase."""

    consultation_type_id: int
    included: int
    used: int

    @property
    def left(self) -> int:
        return self.included - self.used


def _usable_purchases(
    session: Session, *, organisation_id: int, session_starts_at: datetime, lock: bool
) -> list[ProgrammePurchase]:
    """The organisation's active purchases still running at `session_starts_at`, ending first
    first (so the credit that would lapse soonest is used first).
    """
    query = (
        select(ProgrammePurchase)
        .where(
            ProgrammePurchase.organisation_id == organisation_id,
            ProgrammePurchase.status == "active",
            col(ProgrammePurchase.ends_at) > session_starts_at,
        )
        .order_by(col(ProgrammePurchase.ends_at), col(ProgrammePurchase.id))
    )
    return list(session.exec(query.with_for_update() if lock else query).all())


def credits_left(
    session: Session,
    *,
    organisation_id: int,
    consultation_type_id: int,
    session_starts_at: datetime,
) -> int:
    """How many credits of this type the organisation could use for a session starting then."""
    purchase_ids = [
        id_of(purchase)
        for purchase in _usable_purchases(
            session,
            organisation_id=organisation_id,
            session_starts_at=session_starts_at,
            lock=False,
        )
    ]
    if not purchase_ids:
        return 0
    return session.exec(
        select(func.count())
        .select_from(ProgrammeCredit)
        .where(
            col(ProgrammeCredit.purchase_id).in_(purchase_ids),
            ProgrammeCredit.consultation_type_id == consultation_type_id,
            col(ProgrammeCredit.booking_id).is_(None),
        )
    ).one()


def take_credit(*, session: Session, booking: Booking, now: datetime) -> ProgrammePurchase:
    """Pay for `booking` with a credit of its organisation's programmes; returns the purchase.

    The booking must be flushed, tied to an organisation, and inside a transaction that began
    as a writer. Raises NoCreditLeft when none is usable (another member took the last one,
    the programmes ended before the session, or none includes this type).
    """
    if booking.organisation_id is None:
        raise NoCreditLeft("Only a member booking for their organisation can use its programme.")
    for purchase in _usable_purchases(
        session,
        organisation_id=booking.organisation_id,
        session_starts_at=booking.starts_at,
        lock=True,
    ):
        free = session.exec(
            select(ProgrammeCredit.id)
            .where(
                ProgrammeCredit.purchase_id == purchase.id,
                ProgrammeCredit.consultation_type_id == booking.consultation_type_id,
                col(ProgrammeCredit.booking_id).is_(None),
            )
            .order_by(col(ProgrammeCredit.id))
        ).all()
        for credit_id in free:
            claimed = session.exec(
                update(ProgrammeCredit)
                .where(
                    col(ProgrammeCredit.id) == credit_id, col(ProgrammeCredit.booking_id).is_(None)
                )
                .values(booking_id=id_of(booking), taken_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                booking.programme_purchase_id = id_of(purchase)
                booking.amount_minor = 0
                booking.payment_state = "not_required"
                session.add(booking)
                return purchase
    raise NoCreditLeft(
        "No session of this kind is left in your organisation's programme: another member may "
        "have just used the last one, or the programme ends before this time. You can book it "
        "and pay instead."
    )


def give_back_credit(*, session: Session, booking: Booking) -> bool:
    """Free the credit `booking` holds, under its purchase's lock; False when it holds none."""
    if booking.programme_purchase_id is None or booking.id is None:
        return False
    session.exec(
        select(ProgrammePurchase.id)
        .where(ProgrammePurchase.id == booking.programme_purchase_id)
        .with_for_update()
    ).first()
    released = session.exec(
        update(ProgrammeCredit)
        .where(col(ProgrammeCredit.booking_id) == booking.id)
        .values(booking_id=None, taken_at=None)
        .execution_options(synchronize_session=False)
    )
    return released.rowcount > 0


def settle_credit_on_cancellation(
    *,
    session: Session,
    booking: Booking,
    by: str,
    refund: bool,
    now: datetime,
    tiers: tuple[RefundTier, ...],
) -> bool:
    """Give a cancelled booking's credit back when the policy says so; True when it was.

    A guest gets it back with the notice a paid booking needs for a full refund
    (engagements/policy.py); the consultant's cancellation gives it back unless she cancels
    without a refund.
    """
    if booking.programme_purchase_id is None:
        return False
    if by == "guest":
        entitled = credit_given_back(starts_at=booking.earliest_starts_at, now=now, tiers=tiers)
    else:
        entitled = refund
    return entitled and give_back_credit(session=session, booking=booking)


def programme_end_for(session: Session, booking: Booking) -> datetime | None:
    """When the programme whose credit `booking` holds ends, or None for a booking without one:
    a move must keep the session before it.
    """
    if booking.programme_purchase_id is None:
        return None
    purchase = session.get(ProgrammePurchase, booking.programme_purchase_id)
    holds_credit = session.exec(
        select(ProgrammeCredit.id).where(ProgrammeCredit.booking_id == booking.id)
    ).first()
    if purchase is None or holds_credit is None:
        return None
    return purchase.ends_at


def balances(session: Session, purchase_ids: list[int]) -> dict[int, list[CreditBalance]]:
    """Each purchase's credits by consultation type: included, used (held by a booking)."""
    if not purchase_ids:
        return {}
    rows = session.exec(
        select(
            ProgrammeCredit.purchase_id,
            ProgrammeCredit.consultation_type_id,
            func.count(),
            func.count(col(ProgrammeCredit.booking_id)),
        )
        .where(col(ProgrammeCredit.purchase_id).in_(purchase_ids))
        .group_by(col(ProgrammeCredit.purchase_id), col(ProgrammeCredit.consultation_type_id))
        .order_by(col(ProgrammeCredit.consultation_type_id))
    ).all()
    found: dict[int, list[CreditBalance]] = {}
    for purchase_id, type_id, included, used in rows:
        found.setdefault(purchase_id, []).append(CreditBalance(type_id, included, used))
    return found
