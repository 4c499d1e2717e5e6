"""Tables of payments: the provider events received, and the local test provider's checkouts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime


class ProcessedWebhookEvent(SQLModel, table=True):
    """A payment-provider event, stored when it arrives; a repeated delivery is recognised.

    `pending` events (the provider could not be reached, or processing failed) are processed
    again by `bookings sweep`; one that fails `MAX_EVENT_ATTEMPTS` times is `failed`, one the
    site cannot use is `ignored`, each with its reason in `last_error`.
    """

    __tablename__ = "processed_webhook_events"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'processed', 'ignored', 'failed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255, unique=True)
    event_type: str = Field(max_length=100)
    received_at: datetime = Field(sa_type=AwareDateTime)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = Field(default=0, description="Failed attempts at processing it.")
    last_error: str | None = Field(default=None, sa_type=Text)
    payload: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON(none_as_null=True), nullable=True),
        description="The event's data.object while it is pending; cleared once it is settled.",
    )


class TestCheckout(SQLModel, table=True):
    """A checkout of the local test provider, which stands in for Stripe when no key is set."""

    __tablename__ = "test_checkouts"
    __test__ = False  # not a pytest test class

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=64, unique=True)
    reference: str = Field(max_length=64)
    description: str = Field(max_length=255)
    amount_minor: int
    currency: str = Field(max_length=3)
    customer_email: str = Field(max_length=254)
    success_url: str = Field(max_length=1000)
    cancel_url: str = Field(max_length=1000)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    status: str = Field(default="open", max_length=20)
    payment_status: str = Field(default="unpaid", max_length=20)
    payment_reference: str | None = Field(default=None, max_length=64)
    refunded_minor: int = Field(default=0)
