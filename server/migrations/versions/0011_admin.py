"""admin: the hall's live configuration and the hall calendar

Revision ID: 0011_admin
Revises: 0010_webhooks

``hall_config`` holds one row: the agencies, services and counters as a JSON document with a
version number (seeded from ``loket.toml`` on first start, then edited in ``/admin``).
``hall_calendar`` holds closures (a date or a range, the whole hall or some services) and
recurring breaks such as the Friday prayer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_admin"
down_revision = "0010_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_config",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
    )
    op.create_table(
        "hall_calendar",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("date_from", sa.String(length=10), nullable=True),
        sa.Column("date_until", sa.String(length=10), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=True, unique=True),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("hall_calendar")
    op.drop_table("hall_config")
