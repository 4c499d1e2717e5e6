"""stored_scores: a closed round's whole scored result, kept on closing

Rounds closed before this revision have none; their results pages score them on view.

Revision ID: 0013_stored_scores
Revises: 0014_nudges
Create Date: 2026-11-25 20:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_stored_scores"
down_revision: str | None = "0014_nudges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_rounds") as batch_op:
        batch_op.add_column(sa.Column("scores", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment_rounds") as batch_op:
        batch_op.drop_column("scores")
