"""booked policy: per-counter bookkeeping of the "every_n" booked policy

Revision ID: 0013_booked_policy
Revises: 0012_booked_tickets

``counters.calls_since_booked`` counts the calls a counter made since it last called a booked
ticket, as ``calls_since_priority`` does for priority tickets: ``[queue] booked_policy =
"every_n"`` gives one call in ``booked_every`` to a booked ticket.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_booked_policy"
down_revision = "0012_booked_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild), with a default for the existing counters.
    op.add_column("counters", sa.Column("calls_since_booked", sa.Integer(), nullable=False,
                                        server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("calls_since_booked")
