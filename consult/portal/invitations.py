"""An organisation's open invitations: listing, resending and revoking them, and withdrawing
those of someone whose place in the organisation changed.

An invitation states the role it grants, so one left open after its address was removed (or
after an ownership change) would let that person back in, or back into ownership, by accepting
an old link. Such invitations are closed by setting their expiry to now: the record stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from consult.accounts.models import Invitation, User
from consult.accounts.service import create_invitation
from consult.portal.models import Organisation


def pending_invitations(
    session: Session, *, organisation: Organisation, now: datetime
) -> list[Invitation]:
    """The organisation's invitations neither accepted nor expired, newest first."""
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                col(Invitation.accepted_at).is_(None),
                Invitation.expires_at > now,
            )
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        ).all()
    )


def find_pending_invitation(
    session: Session, *, organisation: Organisation, invitation_id: int, now: datetime
) -> Invitation | None:
    """One of the organisation's open invitations, or None (another organisation's included)."""
    invitation = session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.organisation_id != organisation.id
        or invitation.accepted_at is not None
        or invitation.expires_at <= now
    ):
        return None
    return invitation


def withdraw_invitations_to(
    *, session: Session, organisation: Organisation, email: str, now: datetime
) -> int:
    """Close the organisation's open invitations to `email`; returns how many there were."""
    open_ones = [
        invitation
        for invitation in pending_invitations(session, organisation=organisation, now=now)
        if invitation.email == email
    ]
    for invitation in open_ones:
        revoke_invitation(session=session, invitation=invitation, now=now)
    return len(open_ones)


def revoke_invitation(*, session: Session, invitation: Invitation, now: datetime) -> None:
    """Its link stops working now."""
    invitation.expires_at = now
    session.add(invitation)
    session.flush()


def resend_invitation(
    *,
    session: Session,
    organisation: Organisation,
    invitation: Invitation,
    invited_by: User,
    now: datetime,
) -> Invitation:
    """E-mail a fresh link (valid 7 days from now) for the same place; the old link stops working.

    Only a hash of the old token is stored, so the old link cannot be sent again.
    """
    revoke_invitation(session=session, invitation=invitation, now=now)
    fresh, _ = create_invitation(
        session=session,
        email=invitation.email,
        role=invitation.role,
        invited_by=invited_by,
        now=now,
        organisation_id=organisation.id,
        organisation_role=invitation.organisation_role,
        role_group=invitation.role_group,
        organisation_name=organisation.name,
    )
    return fresh
