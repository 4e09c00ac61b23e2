"""booked tickets: a ticket issued by a booking's check-in

Revision ID: 0012_booked_tickets
Revises: 0011_admin

``tickets.booked`` marks a ticket issued at a booking's check-in; ``tickets.slot_ts`` is the
start of its booked slot (the queue rules' ``booked_policy`` orders by it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_booked_tickets"
down_revision = "0011_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the notification triggers on tickets stay.
    op.add_column("tickets", sa.Column("booked", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("tickets", sa.Column("slot_ts", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("slot_ts")
        batch.drop_column("booked")
