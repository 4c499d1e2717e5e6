"""Who may see what: guards shared by every capability's routes."""

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from consult.extensions import login_manager

# What a consultant without two-step sign-in can still open: its own pages and the way out.
OPEN_BEFORE_SECOND_STEP_BLUEPRINTS = frozenset({"two_factor"})
OPEN_BEFORE_SECOND_STEP_ENDPOINTS = frozenset({"accounts.sign_out", "static"})


def require_consultant() -> ResponseReturnValue | None:
    """Send a visitor to sign in; refuse a signed-in client with 403. Use as `before_request`."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_consultant:
        abort(403)
    return None


def require_consultant_second_step() -> ResponseReturnValue | None:
    """Send a consultant whose account has no two-step sign-in yet to set it up, from any page.

    Her account reaches every client's answers and plans, so a password alone never opens them
    (ASVS 6.3.3). Use as an app-wide `before_request`.
    """
    if (
        not request.cookies  # nobody is signed in: the account is not even loaded
        or request.url_rule is None  # no such page: its 404 needs no account
        or request.blueprint in OPEN_BEFORE_SECOND_STEP_BLUEPRINTS
        or request.endpoint in OPEN_BEFORE_SECOND_STEP_ENDPOINTS
    ):
        return None
    user = current_user._get_current_object()  # once: each use of the proxy looks it up again
    if user.is_authenticated and user.is_consultant and not user.has_two_factor:
        return redirect(url_for("two_factor.settings"))
    return None
