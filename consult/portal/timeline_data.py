"""Gathering an organisation's timeline from the database: a fixed number of queries, whatever
the number of bookings, rounds, programmes or notes (never one query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.booking.models import Booking, ConsultationType
from consult.engagements.credits import balances
from consult.engagements.models import ProgrammePurchase
from consult.engagements.rounds import rounds_used_by
from consult.portal.library import AssessmentLibrary
from consult.portal.models import (
    ActionItem,
    AssessmentRound,
    Organisation,
    OrganisationNote,
    stored_id,
)
from consult.portal.rounds import shown_overall_indexes
from consult.portal.timeline import (
    ActionFact,
    ConsultationFact,
    NoteFact,
    ProgrammeFact,
    RoundFact,
    Timeline,
    build_timeline,
)

# A checkout never paid or abandoned is not part of the engagement.
PROGRAMME_STATUSES_SHOWN = ("active", "cancelled")


@dataclass(frozen=True)
class OrganisationRecord:
    """What the timeline was built from that pages also show: the rounds (latest first), the
    round whose plan the progress counts (None before any plan) and every started programme.
    """

    timeline: Timeline
    rounds: list[AssessmentRound]
    plan_round: AssessmentRound | None
    programmes: list[ProgrammeFact]


def consultation_facts(session: Session, organisation: Organisation) -> list[ConsultationFact]:
    """The organisation's bookings (expired holds left out), with their type and booker."""
    rows = session.exec(
        select(Booking, ConsultationType.name, User.name)
        .join(ConsultationType, col(ConsultationType.id) == col(Booking.consultation_type_id))
        .join(User, col(User.id) == col(Booking.booked_by_id), isouter=True)
        .where(Booking.organisation_id == organisation.id, Booking.status != "expired")
    ).all()
    return [
        ConsultationFact(
            public_id=booking.public_id,
            type_name=type_name,
            starts_at=booking.starts_at,
            status=booking.status,
            booked_by_id=booking.booked_by_id,
            booked_by_name=booker_name,
            paid_with_credit=booking.programme_purchase_id is not None,
        )
        for booking, type_name, booker_name in rows
    ]


def programme_facts(session: Session, organisation: Organisation) -> list[ProgrammeFact]:
    """The organisation's started programmes with their sessions included and used."""
    purchases = session.exec(
        select(ProgrammePurchase).where(
            ProgrammePurchase.organisation_id == organisation.id,
            col(ProgrammePurchase.status).in_(PROGRAMME_STATUSES_SHOWN),
        )
    ).all()
    credits = balances(session, [stored_id(purchase) for purchase in purchases])
    rounds = rounds_used_by(session, purchases)
    facts = []
    for purchase in purchases:
        held = credits.get(stored_id(purchase), [])
        facts.append(
            ProgrammeFact(
                public_id=purchase.public_id,
                name=purchase.name,
                status=purchase.status,
                starts_at=purchase.starts_at,
                ends_at=purchase.ends_at,
                sessions_included=sum(balance.included for balance in held),
                sessions_used=sum(balance.used for balance in held),
                rounds_included=purchase.included_rounds,
                rounds_used=rounds.get(stored_id(purchase), 0),
            )
        )
    return facts


def notes_of(
    session: Session, organisation: Organisation, *, visibility: str | None
) -> list[tuple[OrganisationNote, str | None]]:
    """The organisation's notes of that visibility (all when None), latest first, with their
    author's name.
    """
    query = (
        select(OrganisationNote, User.name)
        .join(User, col(User.id) == col(OrganisationNote.author_id), isouter=True)
        .where(OrganisationNote.organisation_id == organisation.id)
        .order_by(col(OrganisationNote.created_at).desc(), col(OrganisationNote.id).desc())
    )
    if visibility is not None:
        query = query.where(OrganisationNote.visibility == visibility)
    return list(session.exec(query).all())


def organisation_record(
    session: Session,
    *,
    organisation: Organisation,
    definitions: AssessmentLibrary,
    now: datetime,
    time_zone: tzinfo,
) -> OrganisationRecord:
    """The organisation's timeline as its members see it: only shared notes, never private."""
    rounds = list(
        session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.organisation_id == organisation.id)
            .order_by(col(AssessmentRound.opened_at).desc())
        ).all()
    )
    indexes = shown_overall_indexes(session, rounds, definitions)
    plan_round = next((item for item in rounds if item.status == "closed"), None)
    actions = (
        session.exec(select(ActionItem).where(ActionItem.round_id == plan_round.id)).all()
        if plan_round is not None
        else []
    )
    programmes = programme_facts(session, organisation)
    timeline = build_timeline(
        consultations=consultation_facts(session, organisation),
        rounds=[
            RoundFact(
                public_id=item.public_id,
                name=item.name,
                status=item.status,
                opened_at=item.opened_at,
                closed_at=item.closed_at,
                closes_on=item.closes_on,
                definition_key=item.definition_key,
                definition_version=item.definition_version,
                overall=indexes.get(stored_id(item)),
            )
            for item in rounds
        ],
        actions=[ActionFact(action.status, action.due_on) for action in actions],
        programmes=programmes,
        notes=[
            NoteFact(note.body, author, note.created_at)
            for note, author in notes_of(session, organisation, visibility="shared")
        ],
        now=now,
        time_zone=time_zone,
    )
    return OrganisationRecord(timeline, rounds, plan_round, programmes)
