"""benchmark figures: every organisation's latest result on an assessment version, summed up

Made when a round closes; for a version whose rounds closed before this revision, on the first
results page that needs them.

Revision ID: 0014_benchmark_figures
Revises: 0013_stored_scores
Create Date: 2026-11-25 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014_benchmark_figures"
down_revision: str | None = "0013_stored_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benchmark_figures",
        sa.Column("definition_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint(
            "definition_key", "definition_version", name=op.f("pk_benchmark_figures")
        ),
    )


def downgrade() -> None:
    op.drop_table("benchmark_figures")
