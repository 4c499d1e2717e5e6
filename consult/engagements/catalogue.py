"""The programmes the consultant offers: saving one with what it includes, and listing them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from consult.db import id_of
from consult.engagements.models import Programme, ProgrammeInclusion


@dataclass(frozen=True)
class ProgrammeTerms:
    """What the consultant sets for a programme in the admin."""

    name: str
    description: str
    price_minor: int
    currency: str
    duration_days: int
    included_rounds: int
    full_refund_days: int
    is_active: bool


def save_programme(
    *,
    session: Session,
    programme: Programme | None,
    terms: ProgrammeTerms,
    sessions_by_type: Mapping[int, int],
    now: datetime,
) -> Programme:
    """Create or update a programme and what it includes (types with 0 sessions are left out).

    Purchases already made keep what they were bought with: they carry their own copy.
    """
    if programme is None:
        programme = Programme(name=terms.name, duration_days=terms.duration_days, created_at=now)
    programme.name = terms.name.strip()
    programme.description = terms.description.strip()
    programme.price_minor = terms.price_minor
    programme.currency = terms.currency
    programme.duration_days = terms.duration_days
    programme.included_rounds = terms.included_rounds
    programme.full_refund_days = terms.full_refund_days
    programme.is_active = terms.is_active
    session.add(programme)
    session.flush()
    session.exec(
        delete(ProgrammeInclusion).where(col(ProgrammeInclusion.programme_id) == programme.id)
    )
    session.add_all(
        ProgrammeInclusion(
            programme_id=id_of(programme), consultation_type_id=type_id, sessions=sessions
        )
        for type_id, sessions in sorted(sessions_by_type.items())
        if sessions > 0
    )
    session.flush()
    return programme


def all_programmes(session: Session) -> list[Programme]:
    """Every programme, offered or not, in the consultant's order."""
    return list(
        session.exec(select(Programme).order_by(col(Programme.position), col(Programme.id))).all()
    )


def offered_programmes(session: Session) -> list[Programme]:
    """The programmes owners may buy, in the consultant's order."""
    return list(
        session.exec(
            select(Programme)
            .where(Programme.is_active)
            .order_by(col(Programme.position), col(Programme.id))
        ).all()
    )
