"""supervisor: survey responses and report indexes

Revision ID: 0003_supervisor
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_supervisor"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("service", sa.String(length=2), nullable=False),
        sa.Column("counter_id", sa.String(length=16), nullable=True),
        sa.Column("officer", sa.String(length=64), nullable=True),
        *[sa.Column(f"u{i}", sa.Integer(), nullable=False) for i in range(1, 10)],
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("has_comment", sa.Integer(), nullable=False),
        sa.Column("handled_ts", sa.Float(), nullable=True),
        sa.Column("handled_by", sa.String(length=80), nullable=True),
        sa.Column("handled_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_survey_day_service", "survey_responses", ["day", "service"])
    op.create_index(
        "ix_survey_open_comments", "survey_responses", ["has_comment", "handled_ts", "ts"]
    )
    # Reports select a range of business days and aggregate per group: these indexes hold
    # every column the aggregation reads, so SQLite answers from the index alone.
    op.create_index(
        "ix_tickets_report_service",
        "tickets",
        ["day", "service", "issued_service", "status", "transfers", "issued_ts", "called_ts",
         "served_ts", "finished_ts"],
    )
    op.create_index(
        "ix_tickets_report_counter",
        "tickets",
        ["day", "counter_id", "officer", "status", "transfers", "issued_ts", "called_ts",
         "served_ts", "finished_ts"],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_report_counter", table_name="tickets")
    op.drop_index("ix_tickets_report_service", table_name="tickets")
    op.drop_index("ix_survey_open_comments", table_name="survey_responses")
    op.drop_index("ix_survey_day_service", table_name="survey_responses")
    op.drop_table("survey_responses")
