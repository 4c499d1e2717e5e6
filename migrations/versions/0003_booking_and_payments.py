"""booking and payments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:41:29.656737
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_step_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_settings")),
    )
    op.create_table(
        "consultation_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("minimum_notice_hours", sa.Integer(), nullable=False),
        sa.Column("booking_window_days", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("intake_questions", sa.JSON(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "duration_minutes > 0", name=op.f("ck_consultation_types_duration_positive")
        ),
        sa.CheckConstraint(
            "price_minor >= 0", name=op.f("ck_consultation_types_price_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_types")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultation_types_slug")),
    )
    op.create_table(
        "date_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.CheckConstraint(
            "(start_time IS NULL) = (end_time IS NULL)",
            name=op.f("ck_date_overrides_both_times_or_none"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_overrides")),
    )
    with op.batch_alter_table("date_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_date_overrides_day"), ["day"], unique=False)

    op.create_table(
        "processed_webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_webhook_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_processed_webhook_events_event_id")),
    )
    op.create_table(
        "test_checkouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("customer_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("success_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("cancel_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payment_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payment_reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("refunded_minor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_checkouts")),
        sa.UniqueConstraint("session_id", name=op.f("uq_test_checkouts_session_id")),
    )
    op.create_table(
        "weekly_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_weekly_hours_range_order")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_weekly_hours_weekday_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_hours")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("consultation_type_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupies_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occupies_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("guest_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("guest_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("guest_time_zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("intake_answers", sa.JSON(), nullable=False),
        sa.Column("policy_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("payment_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payment_provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "checkout_session_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("payment_reference", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_requested_minor", sa.Integer(), nullable=False),
        sa.Column("refunded_minor", sa.Integer(), nullable=False),
        sa.Column("reschedule_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "payment_state IN ('not_required', 'unpaid', 'paid', 'refund_pending', 'refunded', "
            "'partially_refunded', 'refund_failed')",
            name=op.f("ck_bookings_payment_state"),
        ),
        sa.CheckConstraint(
            "status IN ('held', 'confirmed', 'expired', 'cancelled', 'completed', 'no_show')",
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_type_id"],
            ["consultation_types.id"],
            name=op.f("fk_bookings_consultation_type_id_consultation_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("checkout_session_id", name=op.f("uq_bookings_checkout_session_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_bookings_public_id")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bookings_consultation_type_id"), ["consultation_type_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bookings_guest_email"), ["guest_email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_bookings_occupies_until"), ["occupies_until"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bookings_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "booking_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_access_tokens_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_booking_access_tokens_token_hash")),
    )
    with op.batch_alter_table("booking_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_access_tokens_booking_id"), ["booking_id"], unique=False
        )

    op.create_table(
        "booking_time_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("block_start", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_time_blocks_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_time_blocks")),
        sa.UniqueConstraint("block_start", name=op.f("uq_booking_time_blocks_block_start")),
    )
    with op.batch_alter_table("booking_time_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_time_blocks_booking_id"), ["booking_id"], unique=False
        )

    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("attachments")

    with op.batch_alter_table("booking_time_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_time_blocks_booking_id"))

    op.drop_table("booking_time_blocks")
    with op.batch_alter_table("booking_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_access_tokens_booking_id"))

    op.drop_table("booking_access_tokens")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_bookings_occupies_until"))
        batch_op.drop_index(batch_op.f("ix_bookings_guest_email"))
        batch_op.drop_index(batch_op.f("ix_bookings_consultation_type_id"))

    op.drop_table("bookings")
    op.drop_table("weekly_hours")
    op.drop_table("test_checkouts")
    op.drop_table("processed_webhook_events")
    with op.batch_alter_table("date_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_date_overrides_day"))

    op.drop_table("date_overrides")
    op.drop_table("consultation_types")
    op.drop_table("booking_settings")
