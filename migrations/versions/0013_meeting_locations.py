"""meeting locations, time off, bookings the consultant makes with "invoice later"

Revision ID: 0013_meeting_locations
Revises: 0014_pending_starts
Create Date: 2026-11-25 19:16:33.795841
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013_meeting_locations"
down_revision: str | None = "0014_pending_starts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYMENT_STATES = (
    "'not_required', 'unpaid', 'paid', 'refund_pending', 'refunded', 'partially_refunded', "
    "'refund_failed'"
)


def upgrade() -> None:
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_time_off_span_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_off_starts_at"), ["starts_at"], unique=False)

    with op.batch_alter_table("booking_time_blocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_off_id", sa.Integer(), nullable=True))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_booking_time_blocks_time_off_id"), ["time_off_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_time_blocks_time_off_id_time_off"),
            "time_off",
            ["time_off_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            op.f("ck_booking_time_blocks_one_owner"),
            "(booking_id IS NULL) <> (time_off_id IS NULL)",
        )

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meeting_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "meeting_location", sqlmodel.sql.sqltypes.AutoString(length=600), nullable=True
            )
        )
        batch_op.drop_constraint(op.f("ck_bookings_payment_state"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_bookings_payment_state"),
            f"payment_state IN ('invoice_later', {PAYMENT_STATES})",
        )

    # A location that is an https address was a video link; anything else was a place.
    with op.batch_alter_table("consultation_types", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "location_kind",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="place",
            )
        )
    op.execute(
        "UPDATE consultation_types SET location_kind = 'video' WHERE location LIKE 'https://%'"
    )
    with op.batch_alter_table("consultation_types", schema=None) as batch_op:
        batch_op.alter_column("location_kind", server_default=None)
        batch_op.create_check_constraint(
            op.f("ck_consultation_types_location_kind"),
            "location_kind IN ('video', 'phone', 'place')",
        )
    # Bookings confirmed before keep showing what their type said (no template existed then).
    op.execute(
        "UPDATE bookings SET meeting_kind = (SELECT t.location_kind FROM consultation_types t "
        "WHERE t.id = bookings.consultation_type_id), meeting_location = (SELECT t.location "
        "FROM consultation_types t WHERE t.id = bookings.consultation_type_id) "
        "WHERE status IN ('confirmed', 'completed', 'no_show') AND EXISTS (SELECT 1 FROM "
        "consultation_types t WHERE t.id = bookings.consultation_type_id AND t.location <> '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("consultation_types", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consultation_types_location_kind"), type_="check")
        batch_op.drop_column("location_kind")

    op.execute("UPDATE bookings SET payment_state = 'unpaid' WHERE payment_state = 'invoice_later'")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_bookings_payment_state"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_bookings_payment_state"), f"payment_state IN ({PAYMENT_STATES})"
        )
        batch_op.drop_column("meeting_location")
        batch_op.drop_column("meeting_kind")

    op.execute("DELETE FROM booking_time_blocks WHERE booking_id IS NULL")
    with op.batch_alter_table("booking_time_blocks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_time_blocks_one_owner"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_booking_time_blocks_time_off_id_time_off"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_booking_time_blocks_time_off_id"))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("time_off_id")

    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_starts_at"))
        batch_op.drop_index(batch_op.f("ix_time_off_ends_at"))

    op.drop_table("time_off")
