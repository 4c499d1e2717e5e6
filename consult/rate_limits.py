"""Abuse limits shared by the forms that send e-mail, check a password or take scarce time.

Each limit is counted in the limiter's store (Redis in production, shared by every worker) per
client address and, where a form names one, per target: the e-mail address it writes to, or the
organisation it acts for. A refused form comes back with its answers and a message, status 429.
Live payment holds are capped in the database instead (consult.booking.service.TooManyHolds).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, make_response, request
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user

from consult.accounts.policy import normalise_email

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
