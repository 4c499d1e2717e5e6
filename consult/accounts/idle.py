"""How long a sign-in lasts: the idle and absolute limits of each role, and the verdict on a
session given when it signed in and when it was last used.

Pure rules (no Flask, no database). The cookie that names a signed-in account also carries the
time of that sign-in, so the absolute limit holds on the server for session and remember-me
cookies alike, however the browser treats their expiry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class SessionLimits:
    """A session ends after `idle` without a request, and `absolute` after its sign-in."""

    idle: timedelta
    absolute: timedelta


CONSULTANT_LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
# A client reads and answers at their own pace, often over a working day; "Keep me signed in"
# carries them over closed browsers, never past 30 days from the sign-in.
CLIENT_LIMITS = SessionLimits(idle=timedelta(hours=8), absolute=timedelta(days=30))


def limits_for(role: str) -> SessionLimits:
    """The consultant's account sees every client's answers: it gets the short limits."""
    return CONSULTANT_LIMITS if role == "consultant" else CLIENT_LIMITS


class Expiry(enum.Enum):
    IDLE = "idle"
    ABSOLUTE = "absolute"


def expiry_of(
    *,
    limits: SessionLimits,
    signed_in_at: datetime,
    last_active_at: datetime | None,
    now: datetime,
) -> Expiry | None:
    """Why a session must end now, or None while it may go on. A session with no recorded
    activity (just restored by a remember-me cookie) is judged by its sign-in time alone.
    """
    if now - signed_in_at >= limits.absolute:
        return Expiry.ABSOLUTE
    if last_active_at is not None and now - last_active_at >= limits.idle:
        return Expiry.IDLE
    return None


def in_words(duration: timedelta) -> str:
    """A limit as people say it: "30 minutes", "12 hours", "30 days"."""
    minutes = int(duration.total_seconds()) // 60
    for unit_minutes, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % unit_minutes == 0:
            count = minutes // unit_minutes
            return f"{count} {unit}{'s' if count != 1 else ''}"
    raise ValueError(f"{duration} is not a whole number of minutes")


def expiry_message(expiry: Expiry, limits: SessionLimits) -> str:
    """What the person is told (the sign-in page, when the page needs it, says the rest)."""
    if expiry is Expiry.IDLE:
        reason = f"after {in_words(limits.idle)} without activity"
    else:
        reason = f"{in_words(limits.absolute)} after signing in"
    return f"You were signed out {reason}, to keep your account safe."


def remember_me_hint() -> str:
    """What "Keep me signed in" promises, for the sign-in form."""
    client, consultant = CLIENT_LIMITS, CONSULTANT_LIMITS
    return (
        f"Even after the browser closes, for up to {in_words(client.absolute)} "
        f"(the consultant: {in_words(consultant.absolute)}). Any sign-in ends after "
        f"{in_words(client.idle)} without activity (the consultant: {in_words(consultant.idle)})."
    )


_SEPARATOR = "."


def sign_in_id(session_token: str, signed_in_at: datetime) -> str:
    """The id a session and a remember-me cookie carry: the account's token and the sign-in time
    (whole seconds). Both cookies are signed with the site's secret, so neither part can be
    changed by the browser.
    """
    return f"{session_token}{_SEPARATOR}{int(signed_in_at.timestamp())}"


@dataclass(frozen=True)
class SignInId:
    session_token: str
    signed_in_at: datetime


def read_sign_in_id(value: str) -> SignInId | None:
    """The parts of an id made by `sign_in_id`, or None for anything else (an id from before
    sign-in times were kept signs no one in).
    """
    token, separator, seconds = value.rpartition(_SEPARATOR)
    if not separator or not token or not seconds.isdigit() or len(seconds) > 12:
        return None
    return SignInId(session_token=token, signed_in_at=datetime.fromtimestamp(int(seconds), UTC))
