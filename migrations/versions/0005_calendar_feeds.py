"""calendar feeds: external feeds, their busy intervals, the private bookings feed's key

Revision ID: 0005_calendar_feeds
Revises: 0004
Create Date: 2026-11-25 15:51:03.754385
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005_calendar_feeds"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_bookings_feed_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_bookings_feed_keys")),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("last_modified", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_warning", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
    )
    op.create_table(
        "calendar_busy_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "starts_at < ends_at", name=op.f("ck_calendar_busy_intervals_span_order")
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["calendar_feeds.id"],
            name=op.f("fk_calendar_busy_intervals_feed_id_calendar_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_busy_intervals")),
    )
    with op.batch_alter_table("calendar_busy_intervals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_busy_intervals_feed_id"), ["feed_id"], unique=False
        )
        batch_op.create_index(
            "ix_calendar_busy_intervals_span", ["ends_at", "starts_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_busy_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_busy_intervals_span")
        batch_op.drop_index(batch_op.f("ix_calendar_busy_intervals_feed_id"))

    op.drop_table("calendar_busy_intervals")
    op.drop_table("calendar_feeds")
    op.drop_table("calendar_bookings_feed_keys")
