"""The outbox: every e-mail is a row written in the transaction that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime

OUTBOX_STATUSES = ("queued", "sent", "failed")


class OutboxEmail(SQLModel, table=True):
    """One e-mail waiting for, or done with, delivery."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        Index("ix_outbox_emails_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(
        max_length=255,
        unique=True,
        description="The Message-ID header, so a resend is recognisable.",
    )
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    extra_headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    attachments: list[dict[str, str]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Text attachments: [{filename, subtype, content}], e.g. an .ics invitation.",
    )
    status: str = Field(default="queued", max_length=10)
    attempts: int = Field(default=0)
    failures: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="Failed attempts that were this e-mail's own (refused, or the server hung up "
        "while it was sent); it is given up when they use up the retry schedule. Attempts when "
        "the server could not be reached at all are not counted.",
    )
    created_at: datetime = Field(sa_type=AwareDateTime)
    next_attempt_at: datetime = Field(sa_type=AwareDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    claim_token: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
