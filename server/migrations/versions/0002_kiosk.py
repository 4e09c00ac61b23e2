"""kiosk print log

Revision ID: 0002_kiosk
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_kiosk"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("kiosk", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kiosk_prints", schema=None) as batch_op:
        batch_op.create_index("ix_kiosk_prints_kiosk", ["kiosk", "ts"], unique=False)
        batch_op.create_index("ix_kiosk_prints_ticket", ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kiosk_prints", schema=None) as batch_op:
        batch_op.drop_index("ix_kiosk_prints_ticket")
        batch_op.drop_index("ix_kiosk_prints_kiosk")
    op.drop_table("kiosk_prints")
