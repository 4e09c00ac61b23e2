"""kiosks: pairing, last seen, rate-limit trips

Revision ID: 0006_kiosks
Revises: 0005_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_kiosks"
down_revision = "0005_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("printer", sa.String(length=200), nullable=False),
        sa.Column("paper_width_mm", sa.Integer(), nullable=False),
        sa.Column("agencies", sa.String(length=400), nullable=False),
        sa.Column("rate_limit", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("paired_ts", sa.Float(), nullable=True),
        sa.Column("base_url", sa.String(length=200), nullable=False),
        sa.Column("pair_code_hash", sa.String(length=64), nullable=True),
        sa.Column("pair_code_expires_ts", sa.Float(), nullable=True),
        sa.Column("last_seen_ts", sa.Float(), nullable=True),
        sa.Column("limited_ts", sa.Float(), nullable=True),
        sa.Column("limited_count", sa.Integer(), nullable=False),
        sa.Column("unpaired_limited_ts", sa.Float(), nullable=True),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("in_file", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("kiosks")
