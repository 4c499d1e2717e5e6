"""hold limits: the client address a booking was asked from

Revision ID: 0013_hold_limits
Revises: 0013_two_factor
Create Date: 2026-11-25 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013_hold_limits"
down_revision: str | None = "0013_two_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(
            sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.create_index(batch.f("ix_bookings_client_address"), ["client_address"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_index(batch.f("ix_bookings_client_address"))
        batch.drop_column("client_address")
