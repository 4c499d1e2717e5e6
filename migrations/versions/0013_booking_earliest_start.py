"""bookings: the earliest start each booking ever had, the clock of its refund

Revision ID: 0013_booking_earliest_start
Revises: 0013_meeting_locations
Create Date: 2026-11-25 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_booking_earliest_start"
down_revision: str | None = "0013_meeting_locations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("earliest_starts_at", sa.DateTime(timezone=True), nullable=True)
        )
    # A booking moved before this column existed keeps its current start: the best known.
    op.execute("UPDATE bookings SET earliest_starts_at = starts_at")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column(
            "earliest_starts_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("earliest_starts_at")
