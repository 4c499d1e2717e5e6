"""payment amounts: what was actually paid, e-mails still due, and webhook events as an inbox

Revision ID: 0006_payment_amounts
Revises: 0005_calendar_feeds
Create Date: 2026-11-25 16:04:38.787649
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006_payment_amounts"
down_revision: str | None = "0005_calendar_feeds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid_minor", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("notifications_due", sa.JSON(none_as_null=True), nullable=True)
        )
    # Bookings paid before this column existed paid the list price: no promotion codes were
    # recorded, so it is the best figure there is.
    op.execute(
        "UPDATE bookings SET paid_minor = amount_minor WHERE paid_at IS NOT NULL "
        "AND payment_state IN ('paid', 'refund_pending', 'refunded', 'partially_refunded', "
        "'refund_failed')"
    )

    # Events stored before this migration were all handled when they arrived.
    with op.batch_alter_table("processed_webhook_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="processed",
            )
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_processed_webhook_events_status"), ["status"], unique=False
        )
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'processed', 'ignored', 'failed')"
        )


def downgrade() -> None:
    with op.batch_alter_table("processed_webhook_events", schema=None) as batch_op:
        batch_op.drop_constraint("status", type_="check")
        batch_op.drop_index(batch_op.f("ix_processed_webhook_events_status"))
        batch_op.drop_column("payload")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("notifications_due")
        batch_op.drop_column("paid_minor")
