"""pending starts: the organisation a visitor's start makes once their address is confirmed

Revision ID: 0014_pending_starts
Revises: 0013_hold_limits
Create Date: 2026-11-25 19:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014_pending_starts"
down_revision: str | None = "0013_hold_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(
            sa.Column(
                "organisation_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("organisation_name")
