"""The assessment rounds programmes include, counted against the rounds the organisation opened
while they ran (the rule is `policy.rounds_used`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from consult.db import id_of
from consult.engagements.models import ProgrammePurchase
from consult.engagements.policy import RoundAllowance, rounds_used
from consult.portal.models import AssessmentRound


def _allowance(purchase: ProgrammePurchase) -> RoundAllowance | None:
    if purchase.starts_at is None or purchase.ends_at is None or not purchase.included_rounds:
        return None
    ends_at = purchase.ends_at
    if purchase.status == "cancelled" and purchase.cancelled_at is not None:
        ends_at = min(ends_at, purchase.cancelled_at)
    return RoundAllowance(id_of(purchase), purchase.starts_at, ends_at, purchase.included_rounds)


def included_rounds_used(session: Session, organisation_ids: Collection[int]) -> dict[int, int]:
    """How many of its included rounds each started programme of these organisations has used,
    by purchase id (two queries, whatever the number of organisations).
    """
    if not organisation_ids:
        return {}
    purchases = session.exec(
        select(ProgrammePurchase).where(
            col(ProgrammePurchase.organisation_id).in_(organisation_ids),
            col(ProgrammePurchase.included_rounds) > 0,
            col(ProgrammePurchase.status).in_(("active", "cancelled")),
        )
    ).all()
    return rounds_used_by(session, purchases)


def rounds_used_by(session: Session, purchases: Sequence[ProgrammePurchase]) -> dict[int, int]:
    """The same for purchases already read, which must hold every started one of their
    organisations (a round counts against the one ending first): one query.
    """
    by_organisation: dict[int, list[RoundAllowance]] = {}
    for purchase in purchases:
        allowance = _allowance(purchase)
        if allowance is not None:
            by_organisation.setdefault(purchase.organisation_id, []).append(allowance)
    if not by_organisation:
        return {}
    earliest = min(allowance.starts_at for found in by_organisation.values() for allowance in found)
    opened: dict[int, list[datetime]] = {}
    for organisation_id, opened_at in session.exec(
        select(AssessmentRound.organisation_id, AssessmentRound.opened_at).where(
            col(AssessmentRound.organisation_id).in_(by_organisation),
            col(AssessmentRound.opened_at) >= earliest,
        )
    ).all():
        opened.setdefault(organisation_id, []).append(opened_at)
    used: dict[int, int] = {}
    for organisation_id, allowances in by_organisation.items():
        used.update(rounds_used(allowances, opened.get(organisation_id, [])))
    return used
