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
    # Reports read a range of business days one group at a time (the configured services or
    # counters are named in the query): these indexes lead with the group, then the day, and
    # hold every column the aggregation reads, so SQLite answers from the index alone.
    times = ["issued_ts", "called_ts", "served_ts", "finished_ts"]
    op.create_index(
        "ix_tickets_report_service", "tickets",
        ["service", "day", "status", "transfers", *times],
    )
    op.create_index(
        "ix_tickets_report_issued", "tickets", ["issued_service", "day", "transfers"]
    )
    op.create_index(
        "ix_tickets_report_counter", "tickets",
        ["counter_id", "day", "status", "transfers", "officer", *times],
    )
    op.create_index(
        "ix_tickets_report_officer", "tickets",
        ["officer", "day", "status", "transfers", *times],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_report_officer", table_name="tickets")
    op.drop_index("ix_tickets_report_issued", table_name="tickets")
    op.drop_index("ix_tickets_report_counter", table_name="tickets")
    op.drop_index("ix_tickets_report_service", table_name="tickets")
    op.drop_index("ix_survey_open_comments", table_name="survey_responses")
    op.drop_index("ix_survey_day_service", table_name="survey_responses")
    op.drop_table("survey_responses")
