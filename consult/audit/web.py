"""The audit log from a request: recording an event (who is signed in, where the request came
from, the app's clock and the request's session, so each place does it in a single line), and
paging through the log's pages.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user
from sqlmodel import Session

from consult.accounts.models import User
from consult.audit.events import GUEST, Actor, Origin, user_actor
from consult.audit.service import record_event
from consult.clock import app_now
from consult.db import begin_as_writer, get_session

_READING_METHODS = ("GET", "HEAD", "OPTIONS")
PER_PAGE = 50  # entries on a page of the log
MAX_PAGE = 100_000  # far past any real log; keeps the offset a number the database takes


def page_number() -> int:
    """The `page` of the query string, from 1; anything else is the first page."""
    number = request.args.get("page", 1, type=int) or 1
    return min(max(number, 1), MAX_PAGE)


def page_links(page: int, has_next: bool) -> dict[str, str | None]:
    """The addresses of the newer and older pages, keeping the query string's filters."""

    def link(number: int) -> str:
        arguments = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
        return url_for(request.endpoint or "", **arguments)

    return {
        "newer": link(page - 1) if page > 1 else None,
        "older": link(page + 1) if has_next else None,
    }


def request_origin() -> Origin:
    """The client's address (ProxyFix has already applied TRUSTED_PROXY_COUNT) and user agent."""
    return Origin(client_address=request.remote_addr, user_agent=request.user_agent.string or None)


def actor_of(user: User) -> Actor:
    return user_actor(user.id, user.email)


def current_actor() -> Actor:
    """The signed-in person, or a guest."""
    if current_user.is_authenticated:
        return actor_of(current_user._get_current_object())
    return GUEST


def _hold_write_lock(session: Session) -> None:
    """Make the transaction a writer unless it is one already (a POST's always is)."""
    if session.in_transaction() and session.connection().get_execution_options().get(
        "begin_as_writer"
    ):
        return
    begin_as_writer(session)


def audit(
    event_type: str,
    *,
    actor: Actor | None = None,
    subject: User | None = None,
    subject_email: str | None = None,
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record `event_type` in the request's transaction; the route commits it with the rest.

    `actor` defaults to whoever is signed in; `subject` is the account the event is about. A
    page that only reads (GET) first takes the write lock (SQLite), as any writer must.
    """
    session = get_session()
    if request.method in _READING_METHODS:
        _hold_write_lock(session)
    record_event(
        session=session,
        event_type=event_type,
        actor=actor or current_actor(),
        now=app_now(),
        origin=request_origin(),
        subject_user_id=subject.id if subject else None,
        subject_email=subject.email if subject else subject_email,
        organisation_id=organisation_id,
        details=details,
    )
