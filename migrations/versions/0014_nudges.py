"""nudges: which reminders were sent (each once) and who stopped them

Revision ID: 0014_nudges
Revises: 0013_organisation_notes
Create Date: 2026-11-25 19:57:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014_nudges"
down_revision: str | None = "0013_organisation_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudge_opt_outs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_nudge_opt_outs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_nudge_opt_outs")),
    )
    op.create_table(
        "nudges_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nudges_sent_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges_sent")),
        sa.UniqueConstraint(
            "kind", "subject_key", "user_id", name="uq_nudges_sent_kind_subject_user"
        ),
    )
    with op.batch_alter_table("nudges_sent") as batch_op:
        batch_op.create_index(batch_op.f("ix_nudges_sent_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudges_sent") as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_sent_user_id"))
    op.drop_table("nudges_sent")
    op.drop_table("nudge_opt_outs")
