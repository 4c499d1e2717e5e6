"""Tables of the blog: e-mail subscribers and the record of which post went to whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime

SUBSCRIBER_STATUSES = ("pending", "confirmed", "unsubscribed")


class Subscriber(SQLModel, table=True):
    """An address that asked for new posts; it receives them only once confirmed (double opt-in)."""

    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, description="Lower-cased.")
    status: str = Field(default="pending", max_length=20)
    confirm_token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=AwareDateTime)
    confirmation_sent_at: datetime = Field(sa_type=AwareDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class NewsletterDelivery(SQLModel, table=True):
    """One post e-mailed to one subscriber; the unique pair is what makes sending exactly-once."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "subscriber_id", "post_slug", name="uq_newsletter_deliveries_subscriber_post"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False)
    )
    post_slug: str = Field(max_length=200, index=True)
    queued_at: datetime = Field(sa_type=AwareDateTime)
