"""What accounts do to the database: users, sign-in checks, passwords and invitations."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import update
from sqlmodel import Session, col, select

from consult.accounts.models import Invitation, PasswordResetToken, User
from consult.accounts.passwords import hash_password, needs_rehash, password_matches
from consult.accounts.policy import hash_token, new_token, normalise_email
from consult.mail.service import queue_email
from consult.urls import absolute_url

invitation_accepted = Namespace().signal("invitation-accepted")
"""Sent with the Invitation as sender and `session`, `user`, `now`: other capabilities grant what it
promised.
"""

INVITATION_LIFETIME = timedelta(days=7)


class AccountError(Exception):
    """An account operation that cannot go ahead; the message is fit to show the person."""


class EmailTaken(AccountError):
    pass


class TokenInvalid(AccountError):
    """A reset or invitation link that is unknown, used or expired."""


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    *, session: Session, email: str, name: str, password: str, role: str, now: datetime
) -> User:
    """A new active account; raises EmailTaken when the address (in any case) already has one."""
    if find_user_by_email(session=session, email=email):
        raise EmailTaken("An account with that e-mail address already exists.")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        session_token=secrets.token_hex(32),
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (not revealing which was wrong)."""
    user = find_user_by_email(session=session, email=email)
    if not password_matches(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def record_sign_in(*, session: Session, user: User, now: datetime) -> None:
    user.last_signed_in_at = now
    session.add(user)


def end_sessions(*, session: Session, user: User) -> None:
    """End every session and remember-me cookie of `user`, in every browser.

    Cookies carry the user's session token; a new one makes every cookie issued before it
    unknown to the server, so replaying a saved cookie signs no one in.
    """
    user.session_token = secrets.token_hex(32)
    session.add(user)
    session.flush()


def set_password(*, session: Session, user: User, password: str, now: datetime) -> None:
    """Change the password, end every other session and remember-me cookie, and kill open reset
    links.
    """
    user.password_hash = hash_password(password)
    end_sessions(session=session, user=user)
    session.exec(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.user_id) == user.id, col(PasswordResetToken.used_at).is_(None)
        )
        .values(used_at=now)
    )
    session.flush()


def create_invitation(
    *,
    session: Session,
    email: str,
    role: str,
    invited_by: User | None,
    now: datetime,
    lifetime: timedelta = INVITATION_LIFETIME,
    organisation_id: int | None = None,
    organisation_role: str | None = None,
    role_group: str | None = None,
    organisation_name: str | None = None,
) -> tuple[Invitation, str]:
    """Record an invitation and e-mail its link; returns the invitation and its (unstored) token."""
    token, token_hash = new_token()
    invitation = Invitation(
        email=normalise_email(email),
        role=role,
        token_hash=token_hash,
        invited_by_id=invited_by.id if invited_by else None,
        created_at=now,
        expires_at=now + lifetime,
        organisation_id=organisation_id,
        organisation_role=organisation_role,
        role_group=role_group,
    )
    session.add(invitation)
    session.flush()
    queue_email(
        session=session,
        to=invitation.email,
        subject="You are invited",
        template="invitation",
        context={
            "inviter_name": invited_by.name if invited_by else None,
            "organisation_name": organisation_name,
            "accept_url": absolute_url("accounts.accept_invitation", token=token),
            "expires_at": invitation.expires_at,
        },
        now=now,
    )
    return invitation, token


_INVITATION_GONE = (
    "This invitation has expired or has already been accepted. Please ask for a new one."
)


def _claim_invitation(*, session: Session, invitation: Invitation, now: datetime) -> None:
    """Mark the invitation accepted, once. Of two acceptances at once the second finds it taken
    and raises TokenInvalid (PostgreSQL makes it wait for the first's row lock, then re-checks;
    SQLite's write lock lets one at a time in), so what it grants is granted once.
    """
    claimed = session.exec(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.accepted_at).is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise TokenInvalid(_INVITATION_GONE)
    invitation.accepted_at = now


def find_open_invitation(*, session: Session, token: str, now: datetime) -> Invitation:
    """The unaccepted, unexpired invitation behind `token`; raises TokenInvalid otherwise."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise TokenInvalid(_INVITATION_GONE)
    return invitation


def accept_invitation(
    *, session: Session, token: str, name: str, password: str, now: datetime
) -> User:
    """Create the invitee's account from an open invitation, which then stops working."""
    invitation = find_open_invitation(session=session, token=token, now=now)
    _claim_invitation(session=session, invitation=invitation, now=now)
    user = create_user(
        session=session,
        email=invitation.email,
        name=name,
        password=password,
        role=invitation.role,
        now=now,
    )
    invitation.accepted_user_id = user.id
    session.add(invitation)
    session.flush()
    invitation_accepted.send(invitation, session=session, user=user, now=now)
    return user


def accept_invitation_as(*, session: Session, token: str, user: User, now: datetime) -> Invitation:
    """Accept an open invitation for an account that already exists (the invitee is signed in)."""
    invitation = find_open_invitation(session=session, token=token, now=now)
    if invitation.email != user.email:
        raise TokenInvalid(
            "This invitation was sent to another address. Sign out, then open the link again."
        )
    _claim_invitation(session=session, invitation=invitation, now=now)
    invitation.accepted_user_id = user.id
    session.add(invitation)
    session.flush()
    invitation_accepted.send(invitation, session=session, user=user, now=now)
    return invitation


def create_or_promote_consultant(
    *, session: Session, email: str, password: str | None, now: datetime, name: str | None = None
) -> tuple[User, bool]:
    """Make `email` a consultant: create the account, or promote and reactivate an existing one.

    Returns the user and whether it was created. A given password replaces the old one.
    """
    user = find_user_by_email(session=session, email=email)
    if user is None:
        if not password:
            raise AccountError("A password is needed to create a new account.")
        display_name = name or normalise_email(email).split("@")[0]
        return create_user(
            session=session,
            email=email,
            name=display_name,
            password=password,
            role="consultant",
            now=now,
        ), True
    user.role = "consultant"
    user.is_active = True
    if name:
        user.name = name
    if password:
        set_password(session=session, user=user, password=password, now=now)
    session.add(user)
    session.flush()
    return user, False
