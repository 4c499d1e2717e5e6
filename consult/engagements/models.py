"""Tables of engagements: programmes, what they include, purchases by organisations, credits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime


class Programme(SQLModel, table=True):
    """A prepaid package the consultant offers: sessions of given types and assessment rounds
    over a number of days, for a price (or free).
    """

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("duration_days > 0", name="duration_positive"),
        CheckConstraint("included_rounds >= 0", name="rounds_not_negative"),
        CheckConstraint("full_refund_days >= 0", name="refund_days_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text, description="Markdown.")
    price_minor: int = Field(default=0, description="In the currency's minor unit; 0 means free.")
    currency: str = Field(default="usd", max_length=3)
    duration_days: int = Field(description="How long it lasts from the day it starts.")
    included_rounds: int = Field(default=0, description="Assessment rounds it includes.")
    full_refund_days: int = Field(
        default=14,
        description="Days after it starts during which, with no session used, it is refunded "
        "in full (engagements/policy.py).",
    )
    is_active: bool = Field(default=True, description="Offered to owners in the portal.")
    position: int = Field(default=0)
    created_at: datetime = Field(sa_type=AwareDateTime)

    @property
    def is_free(self) -> bool:
        return self.price_minor == 0


class ProgrammeInclusion(SQLModel, table=True):
    """How many sessions of one consultation type a programme includes."""

    __tablename__ = "programme_inclusions"
    __table_args__ = (
        UniqueConstraint(
            "programme_id", "consultation_type_id", name="uq_programme_inclusions_programme_type"
        ),
        CheckConstraint("sessions > 0", name="sessions_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    consultation_type_id: int = Field(
        sa_column=Column(Integer, ForeignKey("consultation_types.id"), nullable=False)
    )
    sessions: int


class ProgrammePurchase(SQLModel, table=True):
    """One programme bought by (or granted to) an organisation; status changes go through
    engagements.status, money through payments.refunds.

    What the programme included is copied here when the purchase is made (`inclusions`), so a
    later edit of the programme never changes what was bought.
    """

    __tablename__ = "programme_purchases"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'abandoned', 'cancelled')", name="status"),
        CheckConstraint("source IN ('purchase', 'grant')", name="source"),
        CheckConstraint(
            "payment_state IN ('not_required', 'unpaid', 'paid', 'refund_pending', 'refunded', "
            "'partially_refunded', 'refund_failed')",
            name="payment_state",
        ),
        CheckConstraint("refunded_minor <= paid_minor", name="refund_within_paid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(
        max_length=32, unique=True, description="Unguessable id used in URLs and with the provider."
    )
    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programmes.id"), nullable=False, index=True)
    )
    organisation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    bought_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        description="The owner who bought it, or the consultant who granted it.",
    )
    source: str = Field(max_length=10)
    note: str | None = Field(
        default=None, sa_type=Text, description="The consultant's, on a grant."
    )
    name: str = Field(max_length=120, description="The programme's name when it was bought.")
    duration_days: int
    included_rounds: int = Field(default=0)
    full_refund_days: int = Field(default=14)
    inclusions: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSON, description="[{consultation_type_id, sessions}]"
    )
    status: str = Field(default="pending", max_length=10, index=True)
    starts_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    ends_at: datetime | None = Field(
        default=None, sa_type=AwareDateTime, description="Credits cannot be used from then on."
    )

    amount_minor: int = Field(default=0, description="The list price when it was bought.")
    currency: str = Field(default="usd", max_length=3)
    payment_state: str = Field(default="not_required", max_length=20)
    payment_provider: str | None = Field(default=None, max_length=20)
    checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    checkout_expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    payment_reference: str | None = Field(default=None, max_length=255, index=True)
    paid_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    paid_minor: int = Field(
        default=0, description="What was actually paid (after promotion codes): refunds' ceiling."
    )
    refund_requested_minor: int = Field(default=0)
    refunded_minor: int = Field(default=0)

    created_at: datetime = Field(sa_type=AwareDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    cancelled_by: str | None = Field(default=None, max_length=20)


class ProgrammeCredit(SQLModel, table=True):
    """One included session of a purchase, made when the purchase starts.

    A credit is used by at most one booking at a time (`booking_id`, unique) and a booking uses
    at most one credit: two members taking the last credit at once cannot both get it, whatever
    the code above does, because only one conditional update can claim the row.
    """

    __tablename__ = "programme_credits"

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("programme_purchases.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    consultation_type_id: int = Field(
        sa_column=Column(Integer, ForeignKey("consultation_types.id"), nullable=False)
    )
    booking_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("bookings.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
    )
    taken_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
