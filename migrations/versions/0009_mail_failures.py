"""mail failures: count an e-mail's own failed attempts apart from server outages

Revision ID: 0009_mail_failures
Revises: 0006_payment_amounts
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_mail_failures"
down_revision: str | None = "0006_payment_amounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails") as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails") as batch_op:
        batch_op.drop_column("failures")
