"""What two-step sign-in does to the database: setting it up, checking a code, recovery codes.

A code is accepted by a conditional UPDATE (a step later than the last one used, a recovery code
not yet used), so two requests carrying the same code at once cannot both get through.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from consult.accounts.models import RecoveryCode, User
from consult.accounts.service import AccountError
from consult.accounts.two_factor import (
    hash_recovery_code,
    looks_like_time_code,
    matching_time_step,
    new_recovery_codes,
    new_secret,
)
from consult.db import id_of


class CodeRefused(AccountError):
    """A code that is wrong, expired, already used, or not for this account."""


class SecondStep(Enum):
    """What got a person through the second step."""

    APP_CODE = "app code"
    RECOVERY_CODE = "recovery code"


def pending_secret(*, session: Session, user: User) -> str:
    """The secret to show on the setup page: the one waiting for confirmation, or a new one.

    Kept until confirmed, so reloading the page does not undo a QR code already scanned.
    """
    if user.has_two_factor:
        raise AccountError("Two-step sign-in is already on.")
    if user.two_factor_secret is None:
        user.two_factor_secret = new_secret()
        session.add(user)
        session.flush()
    return user.two_factor_secret


def confirm_setup(*, session: Session, user: User, code: str, now: datetime) -> list[str]:
    """Turn two-step sign-in on once a code from the app matches; returns the recovery codes,
    which are shown this once and stored only as hashes.
    """
    if user.has_two_factor or user.two_factor_secret is None:
        raise CodeRefused("Start again: open the setup page to get a new QR code.")
    step = matching_time_step(
        secret=user.two_factor_secret, typed=code, now=now, last_used_step=None
    )
    if step is None:
        raise CodeRefused("That code does not match. Type the code the app shows now.")
    user.two_factor_enabled_at = now
    user.two_factor_last_used_step = step
    session.add(user)
    return replace_recovery_codes(session=session, user=user, now=now)


def replace_recovery_codes(*, session: Session, user: User, now: datetime) -> list[str]:
    """New recovery codes in place of every earlier one; returns them in clear, once."""
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == id_of(user)))
    codes = new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=id_of(user), code_hash=hash_recovery_code(code), created_at=now)
        for code in codes
    )
    session.flush()
    return codes


def recovery_codes_left(*, session: Session, user: User) -> int:
    """How many of the account's recovery codes are still unused."""
    return session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == id_of(user), col(RecoveryCode.used_at).is_(None))
    ).one()


def check_code(*, session: Session, user: User, typed: str, now: datetime) -> SecondStep:
    """Accept an app code (a step after the last one used) or an unused recovery code, once.

    Raises CodeRefused otherwise.
    """
    if not user.has_two_factor or user.two_factor_secret is None:
        raise CodeRefused("Two-step sign-in is not on for this account.")
    if looks_like_time_code(typed):
        step = matching_time_step(
            secret=user.two_factor_secret,
            typed=typed,
            now=now,
            last_used_step=user.two_factor_last_used_step,
        )
        if step is not None and _claim_step(session, user, step):
            return SecondStep.APP_CODE
    elif _claim_recovery_code(session, user, typed, now):
        return SecondStep.RECOVERY_CODE
    raise CodeRefused("That code does not match, or it has been used already.")


def _claim_step(session: Session, user: User, step: int) -> bool:
    result = session.exec(
        update(User)
        .where(
            col(User.id) == id_of(user),
            or_(
                col(User.two_factor_last_used_step).is_(None),
                col(User.two_factor_last_used_step) < step,
            ),
        )
        .values(two_factor_last_used_step=step)
    )
    return result.rowcount == 1


def _claim_recovery_code(session: Session, user: User, typed: str, now: datetime) -> bool:
    unused = (
        select(RecoveryCode.id)
        .where(
            RecoveryCode.user_id == id_of(user),
            RecoveryCode.code_hash == hash_recovery_code(typed),
            col(RecoveryCode.used_at).is_(None),
        )
        .limit(1)
    )
    code_id = session.exec(unused).first()
    if code_id is None:
        return False
    result = session.exec(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == code_id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


def turn_off(*, session: Session, user: User) -> None:
    """Forget the secret and every recovery code: sign-in asks for the password only."""
    user.two_factor_secret = None
    user.two_factor_enabled_at = None
    user.two_factor_last_used_step = None
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == id_of(user)))
    session.flush()
