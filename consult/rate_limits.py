"""Abuse limits shared by the forms that send e-mail, check a password or take scarce time.

Each limit is counted in the limiter's store (Redis in production, shared by every worker) per
client address and, where a form names one, per target: the e-mail address it writes to, or the
organisation it acts for. A refused form comes back with its answers and a message, status 429.
Live payment holds are capped in the database instead (consult.booking.service.TooManyHolds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, make_response, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user

from consult.accounts.policy import normalise_email
from consult.extensions import limiter

LIMIT_REFUSAL = (
    "There have been many attempts in a short time, so this one was not sent. "
    "Please wait a while and try again; your answers are kept."
)

# Per client address, and per target where the form names one.
BOOKING_PER_CLIENT = "10 per hour; 30 per day"
PORTAL_START_PER_CLIENT = "5 per hour"
PORTAL_START_PER_ADDRESS = "3 per day"
INVITATIONS_PER_CLIENT = "20 per hour"
INVITATIONS_PER_ORGANISATION = "30 per day"
INVITATIONS_PER_ADDRESS = "3 per day"
SUBSCRIBE_PER_ADDRESS = "3 per day"
RESET_PER_ADDRESS = "3 per hour; 10 per day"
PASSWORD_CHANGE_PER_ACCOUNT = "5 per 15 minutes"  # noqa: S105  a rate, not a password
PASSWORD_CHANGE_PER_CLIENT = "10 per 15 minutes"  # noqa: S105  a rate, not a password


def email_in_form(field: str = "email") -> Callable[[], str]:
    """A key function: the normalised address the form names (empty keys are not counted)."""

    def key() -> str:
        return normalise_email(request.form.get(field, ""))

    return key


def organisation_in_url() -> str:
    """A key function: the organisation the URL names."""
    return str((request.view_args or {}).get("organisation_id", ""))


def signed_in_account() -> str:
    """A key function: the signed-in account (its id, not its address, which may change)."""
    return str(current_user.id) if current_user.is_authenticated else ""


def form_was_accepted(response: Response) -> bool:
    """A `deduct_when`: count a target's limit only when the form went through (sent its e-mail),
    so a member's mistyped form or an outsider's refused one never uses up an owner's allowance.
    """
    return response.status_code < 400


def refusal_page(
    render: Callable[[str], ResponseReturnValue],
) -> Callable[[RequestLimit], Response]:
    """An `on_breach` callback: `render(message)` draws the form again from what was sent, with
    the message shown; the limiter raises its 429 with this page as the response.
    """

    def on_breach(_limit: RequestLimit) -> Response:
        response = make_response(render(LIMIT_REFUSAL))
        response.status_code = 429
        return response

    return on_breach


def limit_passes_only_where_needed(app: Flask) -> None:
    """Drop Flask-Limiter's passes around every request while no limit needs them.

    Each of consult's limits decorates its own view, and the decorator checks it. The pass
    before every request is for default, application-wide and blueprint-wide limits, of which
    there are none; yet it costs every page, /healthz included, more than a whole request of a
    minimal Flask app. Declaring such a limit brings the pass back.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        return
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:
        checks.remove(limiter._check_request_limit)
    # Its passes after every request only act on what a limit checked in that request left in
    # its context (deductions to make, headers to add): without one, there is nothing to do.
    for hooks in (app.after_request_funcs.get(None, []), app.teardown_request_funcs.get(None, [])):
        hooks[:] = [_only_after_a_limit(hook) if _is_limiters(hook) else hook for hook in hooks]


def _is_limiters(hook: Callable[..., Any]) -> bool:
    owner = getattr(hook, "__self__", None) or next(iter(getattr(hook, "args", ())), None)
    return owner is limiter


def _only_after_a_limit(hook: Callable[..., Any]) -> Callable[..., Any]:
    def run_when_a_limit_was_checked(value: Any = None) -> Any:
        if hasattr(request_ctx, "_limiter_request_context"):
            return hook(value)
        return value

    return run_when_a_limit_was_checked
