"""Writing and reading the audit log.

`record_event` is the one way in: it adds the row in the caller's transaction, and once that
transaction commits it writes the same event as one JSON log line (logger `consult.audit`). An
event whose transaction rolls back leaves neither. Nothing here updates or deletes a row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, inspect, or_
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from consult.audit.events import Actor, Origin, check_event_type, clean_text, json_safe
from consult.audit.models import AuditEntry
from consult.db import id_of

log = logging.getLogger("consult.audit")
_PENDING_KEY = "consult.audit.pending"


def record_event(
    *,
    session: Session,
    event_type: str,
    actor: Actor,
    now: datetime,
    origin: Origin | None = None,
    subject_user_id: int | None = None,
    subject_email: str | None = None,
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one event to the log in the caller's transaction (flushed, not committed).

    `origin` is where the request came from (None for commands); `subject_*` name the person the
    event is about, `organisation_id` the organisation it concerns (its owners see it).
    """
    check_event_type(event_type)
    entry = AuditEntry(
        occurred_at=now,
        event_type=event_type,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_email=_address(actor.email),
        subject_user_id=subject_user_id,
        subject_email=_address(subject_email),
        organisation_id=organisation_id,
        client_address=clean_text(origin.client_address, 64)
        if origin and origin.client_address
        else None,
        user_agent=clean_text(origin.user_agent) if origin and origin.user_agent else None,
        details=json_safe(details or {}),
    )
    session.add(entry)
    session.flush()
    session.info.setdefault(_PENDING_KEY, []).append((entry, _log_record(entry)))
    return entry


def _address(email: str | None) -> str | None:
    return clean_text(email.strip().lower(), 254) if email else None


def _log_record(entry: AuditEntry) -> dict[str, Any]:
    return {
        "audit_id": id_of(entry),
        "event": entry.event_type,
        "at": entry.occurred_at.isoformat(),
        "actor": entry.actor_email or entry.actor_kind,
        "actor_user_id": entry.actor_user_id,
        "subject_user_id": entry.subject_user_id,
        "subject_email": entry.subject_email,
        "organisation_id": entry.organisation_id,
        "client_address": entry.client_address,
        "user_agent": entry.user_agent,
        "details": entry.details,
    }


@event.listens_for(OrmSession, "after_commit")
def _log_committed_events(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy calls it a commit): nothing is committed yet
    # Only rows that are still in the database: one added in a savepoint rolled back is not.
    for entry, record in session.info.pop(_PENDING_KEY, []):
        if inspect(entry).persistent:
            log.info("%s", json.dumps(record, sort_keys=True, ensure_ascii=True))


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_uncommitted_events(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING_KEY, None)


@dataclass(frozen=True)
class AuditQuery:
    """What the consultant filters the log by; None means any."""

    event_type: str | None = None
    person: str | None = None
    organisation_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_entries(
    session: Session, query: AuditQuery, *, page: int, per_page: int
) -> tuple[list[AuditEntry], bool]:
    """One page of the entries that match, newest first, and whether an older page exists."""
    statement = select(AuditEntry)
    if query.event_type:
        statement = statement.where(AuditEntry.event_type == query.event_type)
    if query.person:
        needle = query.person.strip().lower()
        statement = statement.where(
            or_(
                func.lower(col(AuditEntry.actor_email)).contains(needle, autoescape=True),
                func.lower(col(AuditEntry.subject_email)).contains(needle, autoescape=True),
            )
        )
    if query.organisation_id is not None:
        statement = statement.where(AuditEntry.organisation_id == query.organisation_id)
    if query.since is not None:
        statement = statement.where(col(AuditEntry.occurred_at) >= query.since)
    if query.until is not None:
        statement = statement.where(col(AuditEntry.occurred_at) < query.until)
    return _page(session, statement, page=page, per_page=per_page)


def organisation_entries(
    session: Session, *, organisation_id: int, page: int, per_page: int
) -> tuple[list[AuditEntry], bool]:
    """One page of the entries that concern one organisation, newest first."""
    statement = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    return _page(session, statement, page=page, per_page=per_page)


def entries_about(session: Session, *, user_id: int, email: str) -> list[AuditEntry]:
    """Every entry a person did or that is about them (by account or by address), oldest first."""
    address = email.strip().lower()
    return list(
        session.exec(
            select(AuditEntry)
            .where(
                or_(
                    col(AuditEntry.actor_user_id) == user_id,
                    col(AuditEntry.subject_user_id) == user_id,
                    col(AuditEntry.actor_email) == address,
                    col(AuditEntry.subject_email) == address,
                )
            )
            .order_by(col(AuditEntry.occurred_at), col(AuditEntry.id))
        ).all()
    )


def _page(
    session: Session, statement: SelectOfScalar[AuditEntry], *, page: int, per_page: int
) -> tuple[list[AuditEntry], bool]:
    rows = list(
        session.exec(
            statement.order_by(col(AuditEntry.occurred_at).desc(), col(AuditEntry.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        ).all()
    )
    return rows[:per_page], len(rows) > per_page
