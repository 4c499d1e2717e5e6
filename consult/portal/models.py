"""Tables of the portal: organisations and their members, rounds, responses and action plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime

ACTION_STATUSES = ("not_started", "in_progress", "done", "not_doing")


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Stored) -> int:
    """The primary key of a row already flushed to the database.

    A row without one yet is a programming error: it is refused here rather than stored as NULL.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id


class Organisation(SQLModel, table=True):
    """A hospital, clinic or patient network that takes the assessment."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True, description="Unguessable id used in URLs.")
    name: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=AwareDateTime)


class Membership(SQLModel, table=True):
    """A person's place in an organisation: owner or member, and the role group they answer as."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id", name="uq_memberships_organisation_user"),
        CheckConstraint("role IN ('owner', 'member')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    role: str = Field(max_length=10)
    role_group: str = Field(max_length=60)
    joined_at: datetime = Field(sa_type=AwareDateTime)


class AssessmentRound(SQLModel, table=True):
    """One sitting of the assessment by an organisation's members, open until closed."""

    __tablename__ = "assessment_rounds"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    organisation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    definition_key: str = Field(max_length=80)
    definition_version: int
    name: str = Field(max_length=120)
    closes_on: date = Field(
        description="The last day answers are taken, in the consultant's time zone."
    )
    status: str = Field(default="open", max_length=10)
    opened_at: datetime = Field(sa_type=AwareDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    result: dict[str, Any] | None = Field(
        default=None, sa_type=JSON, description="The scored round, kept as it was on closing."
    )
    scores: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSON,
        description="The whole scored result (consult.portal.stored_scores), kept on closing.",
    )


class BenchmarkFigures(SQLModel, table=True):
    """Every organisation's latest closed result on one assessment version, summed up for the
    comparison with other organisations (`comparison.peer_figures`).

    Made again whenever a round of that version closes, under this row's lock, so a results page
    reads one row rather than one round per organisation.
    """

    __tablename__ = "benchmark_figures"

    definition_key: str = Field(max_length=80, primary_key=True)
    definition_version: int = Field(primary_key=True)
    figures: dict[str, Any] | None = Field(
        default=None, sa_type=JSON, description="comparison.peer_figures; None until first made."
    )


class Response(SQLModel, table=True):
    """One member's answers in one round; private to them and the consultant.

    When its author deletes their account, a submitted response stays for the organisation
    without them (`user_id` NULL); one never submitted goes with the account.
    """

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_responses_round_user"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("assessment_rounds.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    user_id: int | None = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    role_group: str = Field(
        max_length=60,
        description="The group the member answered as, kept even if it changes later.",
    )
    answers: dict[str, int | str | None] = Field(default_factory=dict, sa_type=JSON)
    started_at: datetime = Field(sa_type=AwareDateTime)
    updated_at: datetime = Field(sa_type=AwareDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class ActionItem(SQLModel, table=True):
    """One action of a round's plan, tracked by the organisation."""

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'not_doing')", name="status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    round_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("assessment_rounds.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    recommendation_key: str = Field(max_length=80)
    dimension: str = Field(max_length=80)
    phase_days: int
    position: int
    title: str = Field(max_length=200)
    why: str = Field(sa_type=Text)
    steps: list[str] = Field(default_factory=list, sa_type=JSON)
    effort: str = Field(max_length=10)
    impact: str = Field(max_length=10)
    blog_tags: list[str] = Field(default_factory=list, sa_type=JSON)
    consultation_type: str | None = Field(default=None, max_length=80)
    status: str = Field(default="not_started", max_length=20)
    status_reason: str | None = Field(default=None, sa_type=Text)
    assignee_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    due_on: date | None = Field(default=None)
    updated_at: datetime = Field(sa_type=AwareDateTime)


class ActionNote(SQLModel, table=True):
    """A note on an action, by a member of the organisation or by the consultant."""

    __tablename__ = "action_notes"

    id: int | None = Field(default=None, primary_key=True)
    action_item_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("action_items.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    by_consultant: bool = Field(default=False)
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=AwareDateTime)


NOTE_VISIBILITIES = ("private", "shared")


class OrganisationNote(SQLModel, table=True):
    """The consultant's note about an organisation: private notes are hers alone, shared notes
    appear on the organisation's timeline.
    """

    __tablename__ = "organisation_notes"
    __table_args__ = (CheckConstraint("visibility IN ('private', 'shared')", name="visibility"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    visibility: str = Field(max_length=10)
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=AwareDateTime)
