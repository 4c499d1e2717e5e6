"""The state between the password and the code: a short-lived note in the (signed) session.

Who passed the password is not signed in yet; the note says who, until when, and where to go
after. It names the account's session token too, so a password change or a sign-out everywhere
in the meantime voids it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import session
from sqlmodel import Session

from consult.accounts.models import User
from consult.db import id_of

NOTE_KEY = "password_passed"
LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class WaitingSignIn:
    """A person who gave the right password and owes the code."""

    user: User
    remember: bool
    next_path: str | None


def wait_for_code(user: User, *, remember: bool, next_path: str | None, now: datetime) -> None:
    """Start a fresh session that holds only the note: nothing from before carries over."""
    session.clear()
    session[NOTE_KEY] = {
        "user_id": id_of(user),
        "token": user.session_token,
        "until": (now + LIFETIME).timestamp(),
        "remember": remember,
        "next": next_path,
    }


def waiting_sign_in(*, db: Session, now: datetime) -> WaitingSignIn | None:
    """The sign-in waiting for its code, or None when there is none, it has expired, or the
    account changed since (password, sign-out everywhere, two-step sign-in turned off).
    """
    note = session.get(NOTE_KEY)
    if not isinstance(note, dict) or now.timestamp() >= float(note.get("until", 0)):
        return None
    user_id = note.get("user_id")
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.is_active
        or not user.has_two_factor
        or user.session_token != note.get("token")
    ):
        return None
    return WaitingSignIn(user=user, remember=bool(note.get("remember")), next_path=note.get("next"))


def forget_waiting_sign_in() -> None:
    session.pop(NOTE_KEY, None)


def waiting_account_key() -> str:
    """The rate limit's key for the account owing a code (one bucket for requests without one)."""
    note = session.get(NOTE_KEY)
    user_id = note.get("user_id") if isinstance(note, dict) else None
    return f"account-{user_id}" if isinstance(user_id, int) else "account-none"
