"""Helpers for the audit log's tests: reading the log back, and the log lines it wrote."""

import json

from sqlmodel import col, select

from consult.audit.models import AuditEntry
from consult.db import get_session


def audit_entries(app, event_type: str | None = None) -> list[AuditEntry]:
    """The stored entries, oldest first, of one type or all."""
    with app.app_context():
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if event_type:
            query = query.where(AuditEntry.event_type == event_type)
        return list(get_session().exec(query).all())


def only_entry(app, event_type: str) -> AuditEntry:
    entries = audit_entries(app, event_type)
    assert len(entries) == 1, [entry.event_type for entry in audit_entries(app)]
    return entries[0]


def audit_log_lines(caplog) -> list[dict]:
    """The JSON lines the `consult.audit` logger wrote."""
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "consult.audit"
    ]
