"""Tables of nudges: which were sent (each once), and who asked for none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime


class NudgeSent(SQLModel, table=True):
    """One nudge of one kind about one thing to one person. The unique key is the guarantee
    that it is sent once, however often and on however many servers cron runs.
    """

    __tablename__ = "nudges_sent"
    __table_args__ = (
        UniqueConstraint("kind", "subject_key", "user_id", name="uq_nudges_sent_kind_subject_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    subject_key: str = Field(max_length=80, description="What it is about: a round, an action…")
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    sent_at: datetime = Field(sa_type=AwareDateTime)


class NudgeOptOut(SQLModel, table=True):
    """A person who stopped every nudge with the link in one of them."""

    __tablename__ = "nudge_opt_outs"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    created_at: datetime = Field(sa_type=AwareDateTime)
