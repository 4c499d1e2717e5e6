"""What the portal does to the database: organisations, members, invitations, rounds and answers."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from consult.accounts.models import Invitation, User
from consult.accounts.service import create_invitation, invitation_accepted
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import AssessmentRound, Membership, Organisation, Response

MAX_TEXT_ANSWER = 4000


class PortalError(Exception):
    """A portal operation that cannot go ahead; the message is fit to show the person."""


def create_organisation(*, session: Session, name: str, now: datetime) -> Organisation:
    organisation = Organisation(
        public_id=secrets.token_urlsafe(16), name=name.strip(), created_at=now
    )
    session.add(organisation)
    session.flush()
    return organisation


def add_member(
    *,
    session: Session,
    organisation: Organisation,
    user: User,
    role: str,
    role_group: str,
    now: datetime,
) -> Membership:
    """Make `user` a member (or owner); an existing membership keeps its place and takes the new role and group."""
    membership = session.exec(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user.id
        )
    ).first()
    if membership is None:
        membership = Membership(
            organisation_id=organisation.id,
            user_id=user.id,
            role=role,
            role_group=role_group,
            joined_at=now,
        )
    else:
        membership.role = "owner" if "owner" in (membership.role, role) else "member"
        membership.role_group = role_group
    session.add(membership)
    session.flush()
    return membership


def invite(
    *,
    session: Session,
    organisation: Organisation,
    email: str,
    role: str,
    role_group: str,
    invited_by: User | None,
    now: datetime,
) -> Invitation:
    """Invite someone into the organisation by e-mail (link valid 7 days, single use)."""
    invitation, _ = create_invitation(
        session=session,
        email=email,
        role="client",
        invited_by=invited_by,
        now=now,
        organisation_id=organisation.id,
        organisation_role=role,
        role_group=role_group,
        organisation_name=organisation.name,
    )
    return invitation


@invitation_accepted.connect
def _join_on_acceptance(
    invitation: Invitation, *, session: Session, user: User, now: datetime
) -> None:
    """An accepted invitation into an organisation makes the invitee a member there."""
    if invitation.organisation_id is None:
        return
    organisation = session.get(Organisation, invitation.organisation_id)
    if organisation is not None:
        add_member(
            session=session,
            organisation=organisation,
            user=user,
            role=invitation.organisation_role or "member",
            role_group=invitation.role_group or "",
            now=now,
        )


def memberships_of(session: Session, user: User) -> list[tuple[Membership, Organisation]]:
    return list(
        session.exec(
            select(Membership, Organisation)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        ).all()
    )


def find_membership(
    session: Session, *, user: User, organisation_public_id: str
) -> tuple[Membership, Organisation] | None:
    """The user's membership of that organisation, or None: outsiders must get a 404, not a 403."""
    return session.exec(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id, Organisation.public_id == organisation_public_id)
    ).first()


def members(session: Session, organisation: Organisation) -> list[tuple[Membership, User]]:
    return list(
        session.exec(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(User.name)
        ).all()
    )


def owner_count(session: Session, organisation: Organisation) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.role == "owner")
    ).one()


def remove_member(*, session: Session, organisation: Organisation, membership: Membership) -> None:
    if membership.role == "owner" and owner_count(session, organisation) <= 1:
        raise PortalError("An organisation needs an owner: hand ownership to someone else first.")
    session.delete(membership)
    session.flush()


def hand_ownership(
    *, session: Session, from_membership: Membership, to_membership: Membership
) -> None:
    """The owner passes ownership to another member and becomes a member."""
    if (
        to_membership.organisation_id != from_membership.organisation_id
        or to_membership.id == from_membership.id
    ):
        raise PortalError("Choose another member of this organisation.")
    to_membership.role, from_membership.role = "owner", "member"
    session.add_all([to_membership, from_membership])
    session.flush()


def open_round(
    *,
    session: Session,
    organisation: Organisation,
    definition: AssessmentDefinition,
    name: str,
    closes_on: date,
    today: date,
    now: datetime,
) -> AssessmentRound:
    """Open a round; only one can be open at a time, and it must close in the future."""
    if closes_on < today:
        raise PortalError("Choose a closing date from today on.")
    if session.exec(
        select(AssessmentRound.id).where(
            AssessmentRound.organisation_id == organisation.id, AssessmentRound.status == "open"
        )
    ).first():
        raise PortalError("A round is already open: close it before opening another.")
    assessment_round = AssessmentRound(
        public_id=secrets.token_urlsafe(16),
        organisation_id=organisation.id,
        definition_key=definition.key,
        definition_version=definition.version,
        name=name.strip(),
        closes_on=closes_on,
        opened_at=now,
    )
    session.add(assessment_round)
    session.flush()
    return assessment_round


def rounds_of(session: Session, organisation: Organisation) -> list[AssessmentRound]:
    return list(
        session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.organisation_id == organisation.id)
            .order_by(AssessmentRound.opened_at.desc())
        ).all()
    )


def find_round(
    session: Session, organisation: Organisation, public_id: str
) -> AssessmentRound | None:
    return session.exec(
        select(AssessmentRound).where(
            AssessmentRound.organisation_id == organisation.id,
            AssessmentRound.public_id == public_id,
        )
    ).first()


def response_status(session: Session, assessment_round: AssessmentRound) -> dict[int, str]:
    """Who has responded (user id → "submitted" or "started") — never what they answered."""
    rows = session.exec(
        select(Response.user_id, Response.submitted_at).where(
            Response.round_id == assessment_round.id
        )
    ).all()
    return {user_id: "submitted" if submitted else "started" for user_id, submitted in rows}


def response_for(
    *, session: Session, assessment_round: AssessmentRound, membership: Membership, now: datetime
) -> Response:
    """The member's own response in this round, started on first visit."""
    response = session.exec(
        select(Response).where(
            Response.round_id == assessment_round.id, Response.user_id == membership.user_id
        )
    ).first()
    if response is None:
        response = Response(
            round_id=assessment_round.id,
            user_id=membership.user_id,
            role_group=membership.role_group,
            started_at=now,
            updated_at=now,
        )
        session.add(response)
        session.flush()
    return response


def clean_answers(
    definition: AssessmentDefinition, submitted: dict[str, str]
) -> tuple[dict[str, int | str | None], dict[str, str]]:
    """Turn a page of form values into stored answers; returns (answers, problems by question key).

    Scale and importance answers are 1 to 5, or "not_sure" (stored as None) where allowed.
    """
    answers: dict[str, int | str | None] = {}
    problems: dict[str, str] = {}
    for key, raw in submitted.items():
        question = _question_or_none(definition, key)
        if question is None or raw is None or raw == "":
            continue
        if question.kind == "text":
            if len(raw) > MAX_TEXT_ANSWER:
                problems[key] = f"Please keep this under {MAX_TEXT_ANSWER} characters."
            else:
                answers[key] = raw.strip()
        elif raw == "not_sure" and question.allow_not_sure:
            answers[key] = None
        elif raw in ("1", "2", "3", "4", "5"):
            answers[key] = int(raw)
        else:
            problems[key] = "Choose one of the answers."
    return answers, problems


def _question_or_none(definition: AssessmentDefinition, key: str):
    try:
        return definition.question(key)
    except KeyError:
        return None


def save_answers(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    response: Response,
    answers: dict,
    now: datetime,
) -> None:
    """Keep a page of answers (merged into what was saved before)."""
    if assessment_round.status != "open":
        raise PortalError("This round is closed; answers can no longer change.")
    if response.submitted_at is not None:
        raise PortalError("You have submitted your answers; they can no longer change.")
    response.answers = {**response.answers, **answers}
    response.updated_at = now
    session.add(response)
    session.flush()


def unanswered_required(definition: AssessmentDefinition, response: Response) -> list:
    """Required questions with no answer yet ("not sure" counts as an answer)."""
    return [
        question
        for question in definition.questions
        if question.required and question.key not in response.answers
    ]


def submit(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    response: Response,
    definition: AssessmentDefinition,
    now: datetime,
) -> None:
    """Lock the answers; every required question needs an answer (or "not sure")."""
    if assessment_round.status != "open":
        raise PortalError("This round is closed; answers can no longer be submitted.")
    missing = unanswered_required(definition, response)
    if missing:
        raise PortalError(f"{len(missing)} question(s) still need an answer.")
    response.submitted_at = now
    session.add(response)
    session.flush()
