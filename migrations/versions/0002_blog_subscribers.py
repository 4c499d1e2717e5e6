"""blog subscribers and newsletter deliveries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:06:22.596076
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "confirm_token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmation_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'unsubscribed')", name=op.f("ck_subscribers_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
        sa.UniqueConstraint("confirm_token_hash", name=op.f("uq_subscribers_confirm_token_hash")),
        sa.UniqueConstraint("email", name=op.f("uq_subscribers_email")),
    )
    op.create_table(
        "newsletter_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("post_slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_newsletter_deliveries_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_deliveries")),
        sa.UniqueConstraint(
            "subscriber_id", "post_slug", name="uq_newsletter_deliveries_subscriber_post"
        ),
    )
    with op.batch_alter_table("newsletter_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_newsletter_deliveries_post_slug"), ["post_slug"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("newsletter_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_deliveries_post_slug"))

    op.drop_table("newsletter_deliveries")
    op.drop_table("subscribers")
