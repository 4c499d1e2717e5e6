"""Error pages: what a person sees when a request cannot be answered, and what is logged.

Errors the person cannot fix are logged with context and shown as a calm page; the database
being unavailable is a 503 they may retry. No error page asks the database anything.
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from consult import db
from consult.extensions import login_manager

log = logging.getLogger("consult")
access_log = logging.getLogger("consult.access")

ERROR_PAGES = {
    400: (
        "This request could not be understood",
        "Something in it was not what we expected. Please go back and try again.",
    ),
    403: (
        "This page is not open to you",
        "Your account does not have access here. If you think it should, please write to us.",
    ),
    404: (
        "We could not find that page",
        "It may have moved, or the address may have a typo. "
        "The links above lead everywhere the site goes.",
    ),
    405: ("That did not work", "This page cannot be used that way. Please go back and try again."),
    413: (
        "That was too large to receive",
        "Please send something smaller, or write to us and we will find another way.",
    ),
    429: (
        "Let's take a short pause",
        "There have been many attempts in a short time. Please wait a few minutes and try again.",
    ),
    500: (
        "Something went wrong on our side",
        "It has been logged and we will look into it. Please try again in a little while.",
    ),
    503: (
        "We will be back in a moment",
        "The site cannot reach its records just now, so nothing from this page was saved. "
        "Please try again in a minute or two.",
    ),
}
DATABASE_RETRY_AFTER_SECONDS = 60


def _render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """The error page; drawn without the account menu when the database cannot say who is
    signed in (a 404 while the database is down stays a 404).
    """
    title, default_message = ERROR_PAGES.get(code, ERROR_PAGES[500])
    context = {"code": code, "title": title, "message": message or default_message}
    try:
        return render_template("errors/error.html", **context), code
    except (DBAPIError, PoolTimeoutError) as failure:
        if not db.is_unavailable(failure):
            raise
        _draw_without_the_database()
        return render_template("errors/error.html", **context), code


def _draw_without_the_database() -> None:
    """Let the error page render without asking the database who is signed in.

    The database may be what failed. Flask-Login's template context loads the user unless
    one is already set for the request (in `g._login_user`, its own place); the page shows no
    account menu.
    """
    g.account_menu_unavailable = True
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


def register_error_pages(app: Flask) -> None:
    """Every error answers a calm page of the site's own; the database's are a 503."""

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> ResponseReturnValue:
        return _render_error(
            400,
            "The form had expired or was sent from somewhere else. "
            "Please go back, reload the page and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        if error.code in (401, 403, 404):
            # A refusal, or a private thing hidden behind "not found": who asked for what. The
            # path is written with its escapes (%r), so no one can start a false log line.
            # No database is asked who was signed in: the database may be what failed.
            access_log.info(
                "refused %s %r with %s to %s",
                request.method,
                request.path,
                error.code,
                request.remote_addr,
            )
        if isinstance(error, RateLimitExceeded) and error.response is not None:
            return error.response  # the form again, answers kept (consult.rate_limits)
        # A route's own words (`abort(400, description=…)`) rather than Werkzeug's default.
        own_words = error.description if error.description != type(error).description else None
        return _render_error(error.code, own_words)

    @app.errorhandler(DataError)
    @app.errorhandler(StatementError)
    def database_refused_a_value(error: Exception) -> ResponseReturnValue:
        """A value the database cannot hold (an integer past its column, NUL in text) that no
        form or route check caught: the checks missed it, so it is logged, but the person asked
        for something impossible, which is a 400 rather than a 500. Nothing was committed.
        """
        log.error(
            "database refused a value on %s %r (a check is missing): %s",
            request.method,
            request.path,
            getattr(error, "orig", None) or error,
        )
        return _render_error(400)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %r", request.method, request.path)
        _draw_without_the_database()
        return _render_error(500)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def database_unavailable(error: Exception) -> ResponseReturnValue:
        """Down, unreachable, locked, read-only or full: a calm 503 the person can retry.

        The request's transaction was not committed, and the page is drawn without asking the
        database anything (no account menu). Each new request tries again: the pool's pre-ping
        replaces dead connections, so the site recovers by itself once the database is back.
        """
        if not db.is_unavailable(error):
            return unexpected_error(error)
        log.error(
            "database unavailable on %s %r: %s",
            request.method,
            request.path,
            getattr(error, "orig", None) or error,
        )
        _draw_without_the_database()
        body, code = _render_error(503)
        return body, code, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
