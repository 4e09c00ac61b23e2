"""booked line indexes: a NEXT reads the heads of a booked line in index order

Revision ID: 0015_booked_line_index
Revises: 0014_bookings

A NEXT loads the first eight tickets of each line of its counter's services with one
``LIMIT 8`` query per line (``counter_actions._candidates``). A walk-in line walks
``ix_tickets_queue``; a booked line is read by queue time and by slot start, which that index
cannot give without scanning the service's whole line. Two partial indexes (booked tickets
only, so a walk-in's insert and status changes do not pay for them) give both orders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_booked_line_index"
down_revision = "0014_bookings"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_tickets_booked_queue": ["day", "status", "service", "priority", "queued_ts", "id"],
    "ix_tickets_booked_slot": ["day", "status", "service", "priority", "slot_ts", "id"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, "tickets", columns, sqlite_where=sa.text("booked"),
                        postgresql_where=sa.text("booked"))


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="tickets")
