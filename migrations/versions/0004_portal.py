"""portal

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:50:29.055318
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("public_id", name=op.f("uq_organisations_public_id")),
    )
    op.create_table(
        "assessment_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("definition_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_assessment_rounds_status")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assessment_rounds_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_rounds")),
        sa.UniqueConstraint("public_id", name=op.f("uq_assessment_rounds_public_id")),
    )
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_rounds_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("role_group", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'member')", name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("organisation_id", "user_id", name="uq_memberships_organisation_user"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_memberships_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "recommendation_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False
        ),
        sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("phase_days", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("effort", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("impact", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("blog_tags", sa.JSON(), nullable=False),
        sa.Column("consultation_type", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'not_doing')",
            name=op.f("ck_action_items_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_action_items_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_action_items_round_id_assessment_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        sa.UniqueConstraint("public_id", name=op.f("uq_action_items_public_id")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_items_round_id"), ["round_id"], unique=False)

    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_group", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["assessment_rounds.id"],
            name=op.f("fk_responses_round_id_assessment_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_responses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("round_id", "user_id", name="uq_responses_round_user"),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responses_round_id"), ["round_id"], unique=False)

    op.create_table(
        "action_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("by_consultant", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_action_notes_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_action_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_notes")),
    )
    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_notes_action_item_id"), ["action_item_id"], unique=False
        )

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "organisation_role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("role_group", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_invitations_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_invitations_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_invitations_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_invitations_organisation_id"))
        batch_op.drop_column("role_group")
        batch_op.drop_column("organisation_role")
        batch_op.drop_column("organisation_id")

    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_notes_action_item_id"))

    op.drop_table("action_notes")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_round_id"))

    op.drop_table("responses")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_items_round_id"))

    op.drop_table("action_items")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_organisation_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("assessment_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_rounds_organisation_id"))

    op.drop_table("assessment_rounds")
    op.drop_table("organisations")
