"""Password reset by e-mailed link: asking for one (the same work whether or not the address has
an account), and using it once within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from consult.accounts.models import PasswordResetToken, User
from consult.accounts.policy import hash_token, new_token, normalise_email
from consult.accounts.service import TokenInvalid, find_user_by_email, set_password
from consult.db import id_of
from consult.mail.service import queue_email
from consult.urls import absolute_url

RESET_LIFETIME = timedelta(hours=1)


def request_password_reset(*, session: Session, email: str, now: datetime) -> None:
    """E-mail a one-hour reset link when an active account has this address; otherwise do nothing.

    The caller answers the same either way, so the form reveals no accounts; and the work is the
    same either way (a token made, the e-mail rendered and written), so the answer takes as long:
    for an address without an active account, the writing is undone at once.
    """
    user = find_user_by_email(session=session, email=email)
    has_account = user is not None and user.is_active
    token, token_hash = new_token()
    writing = session.begin_nested()
    if user is not None and has_account:
        session.add(
            PasswordResetToken(
                user_id=id_of(user),
                token_hash=token_hash,
                created_at=now,
                expires_at=now + RESET_LIFETIME,
            )
        )
    queue_email(
        session=session,
        to=normalise_email(email),
        subject="Reset your password",
        template="password_reset",
        context={
            "user": user if has_account else _StandIn(name=normalise_email(email)),
            "reset_url": absolute_url("accounts.reset_password", token=token),
            "valid_for": "one hour",
        },
        now=now,
    )
    if has_account:
        writing.commit()
    else:
        writing.rollback()


@dataclass(frozen=True)
class _StandIn:
    """Whom the e-mail that is never sent greets: no account has the address."""

    name: str


def find_usable_reset(*, session: Session, token: str, now: datetime) -> PasswordResetToken:
    """The unused, unexpired reset behind `token`; raises TokenInvalid otherwise."""
    reset = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise TokenInvalid(
            "This reset link has expired or has already been used. Please ask for a new one."
        )
    return reset


def reset_password(*, session: Session, token: str, password: str, now: datetime) -> User:
    """Set a new password through a reset link, which then stops working."""
    reset = find_usable_reset(session=session, token=token, now=now)
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise TokenInvalid(
            "This reset link has expired or has already been used. Please ask for a new one."
        )
    set_password(session=session, user=user, password=password, now=now)
    return user
