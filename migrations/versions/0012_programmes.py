"""programmes: programmes, purchases, credits; bookings tied to organisations

Revision ID: 0012_programmes
Revises: 0011_audit_log
Create Date: 2026-11-25 16:50:34.211772
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012_programmes"
down_revision: str | None = "0011_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("included_rounds", sa.Integer(), nullable=False),
        sa.Column("full_refund_days", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_days > 0", name=op.f("ck_programmes_duration_positive")),
        sa.CheckConstraint(
            "full_refund_days >= 0", name=op.f("ck_programmes_refund_days_not_negative")
        ),
        sa.CheckConstraint("included_rounds >= 0", name=op.f("ck_programmes_rounds_not_negative")),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_programmes_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
    )
    op.create_table(
        "programme_inclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("consultation_type_id", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.CheckConstraint("sessions > 0", name=op.f("ck_programme_inclusions_sessions_positive")),
        sa.ForeignKeyConstraint(
            ["consultation_type_id"],
            ["consultation_types.id"],
            name=op.f("fk_programme_inclusions_consultation_type_id_consultation_types"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_inclusions_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_inclusions")),
        sa.UniqueConstraint(
            "programme_id", "consultation_type_id", name="uq_programme_inclusions_programme_type"
        ),
    )
    with op.batch_alter_table("programme_inclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_inclusions_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "programme_purchases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("bought_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("included_rounds", sa.Integer(), nullable=False),
        sa.Column("full_refund_days", sa.Integer(), nullable=False),
        sa.Column("inclusions", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("payment_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payment_provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "checkout_session_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("checkout_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_reference", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_minor", sa.Integer(), nullable=False),
        sa.Column("refund_requested_minor", sa.Integer(), nullable=False),
        sa.Column("refunded_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.CheckConstraint(
            "payment_state IN ('not_required', 'unpaid', 'paid', 'refund_pending', 'refunded', "
            "'partially_refunded', 'refund_failed')",
            name=op.f("ck_programme_purchases_payment_state"),
        ),
        sa.CheckConstraint(
            "source IN ('purchase', 'grant')", name=op.f("ck_programme_purchases_source")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'abandoned', 'cancelled')",
            name=op.f("ck_programme_purchases_status"),
        ),
        sa.CheckConstraint(
            "refunded_minor <= paid_minor", name=op.f("ck_programme_purchases_refund_within_paid")
        ),
        sa.ForeignKeyConstraint(
            ["bought_by_id"],
            ["users.id"],
            name=op.f("fk_programme_purchases_bought_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_programme_purchases_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_purchases_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_purchases")),
        sa.UniqueConstraint(
            "checkout_session_id", name=op.f("uq_programme_purchases_checkout_session_id")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_programme_purchases_public_id")),
    )
    with op.batch_alter_table("programme_purchases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_purchases_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_programme_purchases_payment_reference"),
            ["payment_reference"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_programme_purchases_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_programme_purchases_status"), ["status"], unique=False)

    op.create_table(
        "programme_credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_id", sa.Integer(), nullable=False),
        sa.Column("consultation_type_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_programme_credits_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_type_id"],
            ["consultation_types.id"],
            name=op.f("fk_programme_credits_consultation_type_id_consultation_types"),
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["programme_purchases.id"],
            name=op.f("fk_programme_credits_purchase_id_programme_purchases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_credits")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_programme_credits_booking_id")),
    )
    with op.batch_alter_table("programme_credits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_credits_purchase_id"), ["purchase_id"], unique=False
        )

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("booked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("programme_purchase_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_bookings_booked_by_id"), ["booked_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bookings_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_booked_by_id_users"),
            "users",
            ["booked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bookings_programme_purchase_id_programme_purchases"),
            "programme_purchases",
            ["programme_purchase_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_bookings_programme_purchase_id_programme_purchases"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_bookings_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_bookings_booked_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_bookings_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_booked_by_id"))
        batch_op.drop_column("programme_purchase_id")
        batch_op.drop_column("booked_by_id")
        batch_op.drop_column("organisation_id")

    with op.batch_alter_table("programme_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_credits_purchase_id"))

    op.drop_table("programme_credits")
    with op.batch_alter_table("programme_purchases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_purchases_status"))
        batch_op.drop_index(batch_op.f("ix_programme_purchases_programme_id"))
        batch_op.drop_index(batch_op.f("ix_programme_purchases_payment_reference"))
        batch_op.drop_index(batch_op.f("ix_programme_purchases_organisation_id"))

    op.drop_table("programme_purchases")
    with op.batch_alter_table("programme_inclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_inclusions_programme_id"))

    op.drop_table("programme_inclusions")
    op.drop_table("programmes")
