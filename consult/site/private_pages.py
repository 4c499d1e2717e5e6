"""Pages no cache may keep: everything a signed-in person sees and every private address.

One hook answers `Cache-Control: no-store` for a signed-in person, and for the blueprints and
endpoints that show someone's own things (the portal, the admin area, accounts, personal data,
receipts, booking links…) whoever asks. Responses made public on purpose (the anonymous copy of
a public page, static files) keep their own headers: they are the same for everyone.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from werkzeug.wrappers import Response

PRIVATE_BLUEPRINTS = frozenset(
    {
        "accounts",
        "two_factor",
        "privacy",
        "portal",
        "engagements",
        "receipts",
        "admin",
        "calendars",
        "payments",
    }
)
# Pages of public blueprints reached through a secret link, or showing a guest's own booking.
PRIVATE_ENDPOINTS = frozenset(
    {
        "booking.details",
        "booking.booking_status",
        "booking.booking_invite",
        "booking.payment_cancelled",
        "booking.payment_return",
        "booking.manage",
        "booking.cancel",
        "booking.move",
        "blog.confirm_subscription",
        "blog.unsubscribe",
    }
)
NO_STORE = "no-store"


def is_private_endpoint(endpoint: str | None) -> bool:
    """True for an endpoint whose pages are someone's own, signed in or not."""
    if endpoint is None:
        return False
    blueprint = endpoint.rpartition(".")[0]
    return blueprint in PRIVATE_BLUEPRINTS or endpoint in PRIVATE_ENDPOINTS


def may_be_signed_in() -> bool:
    """True when the request may come from a signed-in person, decided without the database.

    The account is asked for only when the request already loaded it: this runs on every
    answer, the calm 503 of a database that is down included.
    """
    if not request.cookies:
        return False
    loaded = g.get("_login_user")  # where Flask-Login keeps the request's user once loaded
    if loaded is not None:
        return bool(loaded.is_authenticated)
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember_cookie in request.cookies


def init_app(app: Flask) -> None:
    @app.after_request
    def keep_private_pages_out_of_caches(response: Response) -> Response:
        # Static files (made immutable by their own hook) and public copies are for everyone.
        if request.endpoint == "static" or response.cache_control.public:
            return response
        if is_private_endpoint(request.endpoint) or may_be_signed_in():
            response.headers["Cache-Control"] = NO_STORE
        return response
