"""A browser's sign-in: starting it, finding its account on each request, and ending it once it
has been idle or open too long (`consult/accounts/idle.py` says how long).

The session and remember-me cookies carry the account's session token and the sign-in time; the
signed session also keeps the time of the browser's last request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from consult.accounts import service
from consult.accounts.idle import (
    expiry_message,
    expiry_of,
    limits_for,
    read_sign_in_id,
    sign_in_id,
)
from consult.accounts.known_accounts import account_with_token
from consult.accounts.models import User
from consult.audit.web import audit
from consult.clock import app_now
from consult.db import get_session
from consult.extensions import login_manager

LAST_ACTIVE_KEY = "active_at"
# Activity is noted at most this often: requests closer together leave the signed cookie as it
# is (no new Set-Cookie for each of a page's fetches), and a session ends at most this much
# before its idle limit.
ACTIVITY_RESOLUTION_SECONDS = 10


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    """The active account whose session token the cookie names (a sign-out or a password change
    replaces the token, which ends every cookie made before).
    """
    sign_in = read_sign_in_id(cookie_id)
    if sign_in is None:
        return None
    user = account_with_token(sign_in.session_token)
    return user if user is not None and user.is_active else None


def _issue_cookies(user: User, *, remember: bool, signed_in_at: datetime) -> None:
    now = app_now()
    session.clear()
    # The remember-me cookie's own expiry stops at the absolute limit too; the server checks it
    # regardless, from the sign-in time inside.
    remaining = signed_in_at + limits_for(user.role).absolute - now
    login_user(user, remember=remember, duration=remaining)
    session["_user_id"] = sign_in_id(user.session_token, signed_in_at)
    session[LAST_ACTIVE_KEY] = now.timestamp()


def start_session(user: User, *, remember: bool) -> None:
    """Start a fresh session for `user`: nothing from before sign-in carries over.

    The database first: if it cannot be written, the answer is a 503 and no cookie signs in.
    """
    now = app_now()
    service.record_sign_in(session=get_session(), user=user, now=now)
    get_session().commit()
    _issue_cookies(user, remember=remember, signed_in_at=now)


def signed_in_at() -> datetime | None:
    """When this browser's sign-in began, or None when no one is signed in."""
    sign_in = read_sign_in_id(str(session.get("_user_id", "")))
    return sign_in.signed_in_at if sign_in is not None else None


def keep_this_browser(user: User) -> None:
    """After the account's token was replaced (every session ended), sign this browser back in
    with the new token, keeping its sign-in time (and so its limits) and its remember-me choice.
    """
    started = signed_in_at() or app_now()
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    _issue_cookies(user, remember=remembered, signed_in_at=started)


def _path_to_come_back_to() -> str | None:
    """Where signing in again should lead after a refused form: its page, when it has one."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()):
        return None
    return request.full_path.rstrip("?")


def end_expired_session() -> ResponseReturnValue | None:
    """Before every request: sign this browser out once its sign-in is too idle or too old, or
    note the request as activity.

    An expired browser's page is then served as to anyone signed out (a page that needs signing
    in asks for it, keeping the address); a form it posts does nothing, and it is sent to sign in.
    """
    # No route (a 404 or 405 page, drawn without asking who is signed in) or a static file:
    # nothing to guard, and no reason to need the database.
    if not request.cookies or request.endpoint in (None, "static"):
        return None
    user: User = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    now = app_now()
    limits = limits_for(user.role)
    last_active = session.get(LAST_ACTIVE_KEY)
    expiry = expiry_of(
        limits=limits,
        signed_in_at=signed_in_at() or now,
        last_active_at=(
            datetime.fromtimestamp(last_active, UTC)
            if isinstance(last_active, int | float)
            else None
        ),
        now=now,
    )
    if expiry is None:
        if not isinstance(last_active, int | float) or now.timestamp() - last_active >= (
            ACTIVITY_RESOLUTION_SECONDS
        ):
            session[LAST_ACTIVE_KEY] = int(now.timestamp())  # whole seconds, as signing counts
        return None
    audit("session.expired", subject=user, details={"reason": expiry.value})
    get_session().commit()
    session.clear()
    logout_user()  # after clearing: it leaves the note that deletes the remember-me cookie
    flash(expiry_message(expiry, limits), "info")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    return redirect(url_for("accounts.sign_in", next=_path_to_come_back_to()), 303)


def init_app(app: Flask) -> None:
    app.before_request(end_expired_session)
