"""booking day locks: one row per consultation type and consultant-local day, locked while a
transaction counts that day's bookings against the type's daily maximum

Revision ID: 0007_booking_day_locks
Revises: 0009_mail_failures
Create Date: 2026-11-25 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_booking_day_locks"
down_revision: str | None = "0009_mail_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_day_locks",
        sa.Column("consultation_type_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_type_id"],
            ["consultation_types.id"],
            name=op.f("fk_booking_day_locks_consultation_type_id_consultation_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_type_id", "day", name=op.f("pk_booking_day_locks")),
    )


def downgrade() -> None:
    op.drop_table("booking_day_locks")
