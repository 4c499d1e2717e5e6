"""Tables of booking: consultation types, availability, bookings, the time blocks they occupy and
the day locks that keep each type's daily maximum.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime

BLOCK_MINUTES = 5
BOOKING_STATUSES = ("held", "confirmed", "expired", "cancelled", "completed", "no_show")
PAYMENT_STATES = (
    "not_required",
    "invoice_later",
    "unpaid",
    "paid",
    "refund_pending",
    "refunded",
    "partially_refunded",
    "refund_failed",
)


class ConsultationType(SQLModel, table=True):
    """A kind of consultation the practice offers, with its price and booking rules."""

    __tablename__ = "consultation_types"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("location_kind IN ('video', 'phone', 'place')", name="location_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text, description="Markdown.")
    duration_minutes: int
    price_minor: int = Field(default=0, description="In the currency's minor unit; 0 means free.")
    currency: str = Field(default="usd", max_length=3)
    is_active: bool = Field(default=True)
    buffer_before_minutes: int = Field(default=0)
    buffer_after_minutes: int = Field(default=0)
    minimum_notice_hours: int = Field(default=24)
    booking_window_days: int = Field(default=60)
    max_per_day: int | None = Field(default=None)
    intake_questions: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSON, description="[{key, label, required}]"
    )
    location_kind: str = Field(
        default="place", max_length=10, description="video, phone or place (booking/locations.py)."
    )
    location: str = Field(
        default="",
        max_length=500,
        description="The video link or its template, or the place's address; empty for a phone "
        "call. Shown to the guest only once confirmed.",
    )
    position: int = Field(default=0)

    @property
    def is_free(self) -> bool:
        return self.price_minor == 0


class WeeklyHours(SQLModel, table=True):
    """One range of regular weekly availability, in the consultant's time zone."""

    __tablename__ = "weekly_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="range_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    weekday: int = Field(description="0 is Monday.")
    start_time: time
    end_time: time


class DateOverride(SQLModel, table=True):
    """Availability that replaces the weekly hours on one date; a row without times is a day off."""

    __tablename__ = "date_overrides"
    __table_args__ = (
        CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="both_times_or_none"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    start_time: time | None = Field(default=None)
    end_time: time | None = Field(default=None)


class BookingSettings(SQLModel, table=True):
    """Settings of the booking calendar as a whole (a single row)."""

    __tablename__ = "booking_settings"

    id: int | None = Field(default=None, primary_key=True)
    slot_step_minutes: int = Field(default=30)


class Booking(SQLModel, table=True):
    """A guest's consultation, from hold to confirmation and after; status changes go through
    booking.status.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('held', 'confirmed', 'expired', 'cancelled', 'completed', 'no_show')",
            name="status",
        ),
        CheckConstraint(
            "payment_state IN ('not_required', 'invoice_later', 'unpaid', 'paid', "
            "'refund_pending', 'refunded', 'partially_refunded', 'refund_failed')",
            name="payment_state",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(
        max_length=32,
        unique=True,
        description="Unguessable id used in URLs and with the payment provider.",
    )
    consultation_type_id: int = Field(
        sa_column=Column(Integer, ForeignKey("consultation_types.id"), nullable=False, index=True)
    )
    starts_at: datetime = Field(sa_type=AwareDateTime, index=True)
    ends_at: datetime = Field(sa_type=AwareDateTime)
    earliest_starts_at: datetime = Field(
        sa_type=AwareDateTime,
        description="The earliest start the booking ever had (moves keep it or make it earlier): "
        "a guest's refund and a credit's return count their notice to it (booking/policy.py).",
    )
    occupies_from: datetime = Field(
        sa_type=AwareDateTime, description="Start minus the buffer before."
    )
    occupies_until: datetime = Field(
        sa_type=AwareDateTime, index=True, description="End plus the buffer after."
    )
    status: str = Field(max_length=20)
    hold_expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)

    guest_name: str = Field(max_length=120)
    guest_email: str = Field(max_length=254, index=True)
    organisation: str = Field(max_length=200)
    role: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    guest_time_zone: str = Field(max_length=64)
    intake_answers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    policy_accepted_at: datetime = Field(sa_type=AwareDateTime)
    client_address: str | None = Field(
        default=None,
        max_length=64,
        index=True,
        description="Where the booking was asked from, to cap the live holds one client keeps; "
        "erased with the guest's data.",
    )

    amount_minor: int = Field(default=0)
    currency: str = Field(default="usd", max_length=3)
    payment_state: str = Field(default="not_required", max_length=20)
    payment_provider: str | None = Field(default=None, max_length=20)
    checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    payment_reference: str | None = Field(default=None, max_length=255)
    paid_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    refund_requested_minor: int = Field(
        default=0, description="All refunds asked of the provider so far."
    )
    refunded_minor: int = Field(default=0, description="All refunds the provider has confirmed.")
    paid_minor: int = Field(
        default=0,
        description=(
            "What the guest actually paid: the checkout's total after promotion codes and "
            "discounts, recorded at fulfilment. Every refund is computed from it, never above it."
        ),
    )
    notifications_due: list[dict[str, Any]] | None = Field(
        default=None,
        sa_column=Column(JSON(none_as_null=True), nullable=True),
        description=(
            "E-mails of a change that could not be queued with it ([{kind, …}]), asked again by "
            "`bookings sweep`; NULL when none is due."
        ),
    )

    meeting_kind: str | None = Field(default=None, max_length=10)
    meeting_location: str | None = Field(
        default=None,
        max_length=600,
        description="Where it happens, fixed at confirmation (the video link made from the type's "
        "template, the guest's phone number or the address), so later edits of the type do not "
        "change what the guest was sent.",
    )

    reschedule_count: int = Field(default=0)
    # Who booked, when a signed-in member booked for their organisation (engagements).
    organisation_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    booked_by_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    programme_purchase_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("programme_purchases.id", ondelete="SET NULL"), nullable=True
        ),
        description="The programme whose credit paid for it, kept if the credit is given back.",
    )
    created_at: datetime = Field(sa_type=AwareDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    cancelled_by: str | None = Field(default=None, max_length=20)
    reminder_sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    notes: str | None = Field(default=None, sa_type=Text)
    guest_data_erased_at: datetime | None = Field(
        default=None,
        sa_type=AwareDateTime,
        description="When the guest's personal data was erased (privacy/erasure.py); the "
        "financial record (amounts, dates, payment references) stays.",
    )


class BookingAccessToken(SQLModel, table=True):
    """A secret link that lets the guest view, move or cancel their booking; only its hash is
    stored.

    Each e-mail (confirmation, move, reminder) carries a fresh one, and every one stays valid.
    """

    __tablename__ = "booking_access_tokens"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=AwareDateTime)


class TimeOff(SQLModel, table=True):
    """A one-off span the consultant blocked in the admin; it occupies its time blocks like a
    booking, so no booking can overlap it.
    """

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="span_order"),)

    id: int | None = Field(default=None, primary_key=True)
    starts_at: datetime = Field(sa_type=AwareDateTime, index=True)
    ends_at: datetime = Field(sa_type=AwareDateTime, index=True)
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=AwareDateTime)


class BookingTimeBlock(SQLModel, table=True):
    """One 5-minute block of time a held or confirmed booking (buffers included) or a time off
    occupies.

    The unique block start is the database's own guarantee against double booking: two
    overlapping bookings (or a booking and time off) would have to write the same block, and
    only one insert can win. Blocks are deleted when their owner stops occupying time.
    """

    __tablename__ = "booking_time_blocks"
    __table_args__ = (
        CheckConstraint("(booking_id IS NULL) <> (time_off_id IS NULL)", name="one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    time_off_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("time_off.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    block_start: datetime = Field(sa_type=AwareDateTime, unique=True)


class BookingDayLock(SQLModel, table=True):
    """The lock of one consultation type's consultant-local day.

    Every transaction that adds a booking of a type with a daily maximum to a day (a hold, a
    move, a late payment) creates this row if need be and locks it (`SELECT … FOR UPDATE`)
    before it counts that day's bookings, so two requests can never both take the last place.
    SQLite has no row locks: there `BEGIN IMMEDIATE` already runs such transactions one at a time.
    """

    __tablename__ = "booking_day_locks"

    consultation_type_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("consultation_types.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    day: date = Field(primary_key=True)
