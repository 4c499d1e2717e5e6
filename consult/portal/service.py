"""What the portal does to the database: organisations, members, invitations and rounds.

A member's response and its answers are in `responses`.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from consult.accounts.models import Invitation, User
from consult.accounts.service import create_invitation, invitation_accepted
from consult.portal.definition import AssessmentDefinition
from consult.portal.invitations import withdraw_invitations_to
from consult.portal.models import AssessmentRound, Membership, Organisation, stored_id

START_LIFETIME = timedelta(days=2)


class PortalError(Exception):
    """A portal operation that cannot go ahead; the message is fit to show the person."""


def create_organisation(*, session: Session, name: str, now: datetime) -> Organisation:
    """A new organisation, with an unguessable public id for its URLs."""
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
    """Make `user` a member (or owner) of the organisation.

    An existing membership keeps its place and takes the new role and group.
    """
    membership = session.exec(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user.id
        )
    ).first()
    if membership is None:
        membership = Membership(
            organisation_id=stored_id(organisation),
            user_id=stored_id(user),
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


def start_by_email(
    *, session: Session, organisation_name: str, email: str, role_group: str, now: datetime
) -> Invitation:
    """A visitor's start, pending until they follow the link e-mailed to them: no organisation
    exists until then, and the link lapses after START_LIFETIME.
    """
    invitation, _ = create_invitation(
        session=session,
        email=email,
        role="client",
        invited_by=None,
        now=now,
        lifetime=START_LIFETIME,
        organisation_role="owner",
        role_group=role_group,
        organisation_name=organisation_name.strip(),
    )
    invitation.organisation_name = organisation_name.strip()
    session.add(invitation)
    session.flush()
    return invitation


def delete_expired_starts(*, session: Session, now: datetime) -> int:
    """Forget pending starts whose link lapsed unconfirmed; returns how many (safe on several
    servers at once: a start already deleted is simply not counted again).
    """
    result = session.exec(
        delete(Invitation).where(
            col(Invitation.organisation_name).is_not(None),
            col(Invitation.organisation_id).is_(None),
            col(Invitation.accepted_at).is_(None),
            col(Invitation.expires_at) <= now,
        )
    )
    return int(result.rowcount)


@invitation_accepted.connect
def _join_on_acceptance(
    invitation: Invitation, *, session: Session, user: User, now: datetime
) -> None:
    """An accepted invitation into an organisation makes the invitee a member there; an accepted
    start makes its organisation first (the claim on the invitation lets that happen once).
    """
    if invitation.organisation_id is None and invitation.organisation_name:
        started = create_organisation(session=session, name=invitation.organisation_name, now=now)
        invitation.organisation_id = started.id
        session.add(invitation)
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
    """The user's memberships with their organisations, by organisation name."""
    return list(
        session.exec(
            select(Membership, Organisation)
            .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
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
        .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(Membership.user_id == user.id, Organisation.public_id == organisation_public_id)
    ).first()


def members(session: Session, organisation: Organisation) -> list[tuple[Membership, User]]:
    """The organisation's memberships with their people, by name."""
    return list(
        session.exec(
            select(Membership, User)
            .join(User, col(User.id) == col(Membership.user_id))
            .where(Membership.organisation_id == organisation.id)
            .order_by(User.name)
        ).all()
    )


def owner_count(session: Session, organisation: Organisation) -> int:
    """How many owners the organisation has."""
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.role == "owner")
    ).one()


def remove_member(
    *, session: Session, organisation: Organisation, membership: Membership, now: datetime
) -> int:
    """Remove a membership, and close the open invitations to that person's address (an old
    link must not bring them back); the last owner cannot be removed.

    Returns how many invitations were closed.
    """
    if membership.role == "owner" and owner_count(session, organisation) <= 1:
        raise PortalError("An organisation needs an owner: hand ownership to someone else first.")
    email = session.get_one(User, membership.user_id).email
    session.delete(membership)
    session.flush()
    return withdraw_invitations_to(session=session, organisation=organisation, email=email, now=now)


def hand_ownership(
    *,
    session: Session,
    organisation: Organisation,
    from_membership: Membership,
    to_membership: Membership,
    now: datetime,
) -> None:
    """The owner passes ownership to another member and becomes a member.

    Open invitations to either of them are closed: an old one naming the owner's role would
    hand ownership back to the one who gave it up.
    """
    if (
        to_membership.organisation_id != from_membership.organisation_id
        or to_membership.organisation_id != organisation.id
        or to_membership.id == from_membership.id
    ):
        raise PortalError("Choose another member of this organisation.")
    to_membership.role, from_membership.role = "owner", "member"
    session.add_all([to_membership, from_membership])
    session.flush()
    for membership in (from_membership, to_membership):
        withdraw_invitations_to(
            session=session,
            organisation=organisation,
            email=session.get_one(User, membership.user_id).email,
            now=now,
        )


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
        organisation_id=stored_id(organisation),
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
    """The organisation's rounds, the latest opened first."""
    return list(
        session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.organisation_id == organisation.id)
            .order_by(col(AssessmentRound.opened_at).desc())
        ).all()
    )


def find_round(
    session: Session, organisation: Organisation, public_id: str
) -> AssessmentRound | None:
    """The organisation's round with this public id, or None (a round of another one included)."""
    return session.exec(
        select(AssessmentRound).where(
            AssessmentRound.organisation_id == organisation.id,
            AssessmentRound.public_id == public_id,
        )
    ).first()
