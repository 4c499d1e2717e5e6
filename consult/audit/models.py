"""The audit log's table: one row per event, written once and never changed or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime


class AuditEntry(SQLModel, table=True):
    """Who did what, when, from where, and the organisation it concerns.

    No foreign keys: the log outlives the accounts and organisations it names (a cascade would
    have to change it), so it keeps their ids and the e-mail addresses they had at the time.
    The code has no path that updates or deletes a row, and the database refuses to (triggers
    made by migration 0011_audit_log).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('user', 'guest', 'system')", name="actor_kind"),
        Index("ix_audit_log_occurred", "occurred_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_type=AwareDateTime)
    event_type: str = Field(max_length=60, index=True)
    actor_kind: str = Field(max_length=10)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_email: str | None = Field(default=None, max_length=254)
    subject_user_id: int | None = Field(
        default=None, index=True, description="The account the event is about, when there is one."
    )
    subject_email: str | None = Field(
        default=None,
        max_length=254,
        description="The address the event is about: the account's, an invitee's, or the one a "
        "refused sign-in gave.",
    )
    organisation_id: int | None = Field(default=None, index=True)
    client_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
