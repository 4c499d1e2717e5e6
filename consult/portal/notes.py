"""What the consultant keeps about a client organisation: her notes (private, or shared on the
organisation's timeline), and her edits of the organisation and its members.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from consult.accounts.models import User
from consult.accounts.service import end_sessions
from consult.portal.definition import AssessmentDefinition
from consult.portal.models import (
    NOTE_VISIBILITIES,
    Membership,
    Organisation,
    OrganisationNote,
    stored_id,
)
from consult.portal.service import PortalError


def add_note(
    *,
    session: Session,
    organisation: Organisation,
    author: User,
    visibility: str,
    body: str,
    now: datetime,
) -> OrganisationNote:
    """A note about the organisation; only a "shared" one is ever shown to its members."""
    if visibility not in NOTE_VISIBILITIES:
        raise PortalError("Choose whether the note is private or shared.")
    note = OrganisationNote(
        organisation_id=stored_id(organisation),
        visibility=visibility,
        author_id=author.id,
        body=body.strip(),
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note


def rename_organisation(*, session: Session, organisation: Organisation, name: str) -> None:
    """Give the organisation a new name (invitations and bookings keep the name they were made
    with).
    """
    organisation.name = name.strip()
    session.add(organisation)
    session.flush()


def change_role_group(
    *,
    session: Session,
    membership: Membership,
    role_group: str,
    definition: AssessmentDefinition,
) -> None:
    """Move a member to another role group of the current assessment; answers already given
    keep the group they were given in.
    """
    if role_group not in {group.key for group in definition.role_groups}:
        raise PortalError("Choose one of the assessment's groups.")
    membership.role_group = role_group
    session.add(membership)
    session.flush()


def set_account_active(*, session: Session, user: User, active: bool) -> None:
    """Deactivate a client's account (signed out everywhere, no sign-in until reactivated) or
    reactivate it. The consultant's own kind of account is never changed here.
    """
    if user.is_consultant:
        raise PortalError("A consultant's account is managed with `flask create-admin`.")
    user.is_active = active
    session.add(user)
    if not active:
        end_sessions(session=session, user=user)
    session.flush()
