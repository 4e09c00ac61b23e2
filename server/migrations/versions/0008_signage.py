"""signage: media, playlists, running texts, Standar Pelayanan, public notes, complaints

Revision ID: 0008_signage
Revises: 0007_assistance
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_signage"
down_revision = "0007_assistance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signage_media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(80), nullable=False),
        sa.Column("mimetype", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("thumbnail", sa.String(80), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "signage_playlists",
        sa.Column("group", sa.String(48), primary_key=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "signage_texts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("zone", sa.String(32), nullable=True),
        sa.Column("from_day", sa.String(10), nullable=True),
        sa.Column("until_day", sa.String(10), nullable=True),
        sa.Column("days", sa.String(40), nullable=False),
        sa.Column("time_window", sa.String(11), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "signage_standar",
        sa.Column("prefix", sa.String(2), primary_key=True),
        *[sa.Column(name, sa.Text(), nullable=False)
          for name in ("persyaratan", "prosedur", "waktu", "biaya", "produk", "pengaduan")],
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "signage_notes",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "signage_complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("service", sa.String(2), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(120), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_ts", sa.Float(), nullable=True),
        sa.Column("answered_by", sa.String(80), nullable=True),
    )
    op.create_index("ix_signage_complaints_ts", "signage_complaints", ["answered_ts", "ts"])


def downgrade() -> None:
    op.drop_index("ix_signage_complaints_ts", table_name="signage_complaints")
    for table in ("signage_complaints", "signage_notes", "signage_standar", "signage_texts",
                  "signage_playlists", "signage_media"):
        op.drop_table(table)
