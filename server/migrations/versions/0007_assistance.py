"""assistance requests (Butuh bantuan)

Revision ID: 0007_assistance
Revises: 0006_kiosks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_assistance"
down_revision = "0006_kiosks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("kiosk", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("zones", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("on_call", sa.Boolean(), nullable=False),
        sa.Column("taken_ts", sa.Float(), nullable=True),
        sa.Column("taken_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_open", ["day", "taken_ts"], unique=False)
        batch_op.create_index("ix_assistance_ticket", ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_ticket")
        batch_op.drop_index("ix_assistance_open")
    op.drop_table("assistance_requests")
