"""organisation notes: the consultant's private and shared notes about an organisation

Revision ID: 0013_organisation_notes
Revises: 0013_booking_earliest_start
Create Date: 2026-11-25 19:16:04.622779
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013_organisation_notes"
down_revision: str | None = "0013_booking_earliest_start"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('private', 'shared')", name=op.f("ck_organisation_notes_visibility")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_organisation_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_notes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_notes")),
    )
    with op.batch_alter_table("organisation_notes") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_notes_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation_notes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_notes_organisation_id"))
    op.drop_table("organisation_notes")
