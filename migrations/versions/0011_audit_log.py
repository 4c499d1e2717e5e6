"""audit log (append-only, guarded by triggers); answers that outlive their author's account;
when a booking's guest data was erased

Revision ID: 0011_audit_log
Revises: 0007_booking_day_locks
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011_audit_log"
down_revision: str | None = "0007_booking_day_locks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The database's own refusal to change or delete an audit row: a second guard behind the code,
# which has no path that does either.
_POSTGRES_GUARD = [
    """
    CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()
    """,
]
_SQLITE_GUARD = [
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("actor_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("subject_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'guest', 'system')", name=op.f("ck_audit_log_actor_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index("ix_audit_log_occurred", ["occurred_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_event_type"), ["event_type"])
        batch_op.create_index(batch_op.f("ix_audit_log_actor_user_id"), ["actor_user_id"])
        batch_op.create_index(batch_op.f("ix_audit_log_subject_user_id"), ["subject_user_id"])
        batch_op.create_index(batch_op.f("ix_audit_log_organisation_id"), ["organisation_id"])
    guard = _POSTGRES_GUARD if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARD
    for statement in guard:
        op.execute(statement)

    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_constraint("fk_responses_user_id_users", type_="foreignkey")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            "fk_responses_user_id_users", "users", ["user_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(
            sa.Column("guest_data_erased_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("guest_data_erased_at")

    # Answers kept from deleted accounts have no author to give back: they cannot stay.
    op.execute("DELETE FROM responses WHERE user_id IS NULL")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_constraint("fk_responses_user_id_users", type_="foreignkey")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_responses_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_refuse_change()")
    op.drop_table("audit_log")
