"""accounts: server-side login sessions and counted login failures

Revision ID: 0005_accounts
Revises: 0004_city

``user_sessions``: one row per signed-in browser; the session cookie carries only the row's
random id, so logout, a password change, a disable or a role change ends the session on the
server (a copied cookie is worth nothing afterwards), and ``last_seen_ts`` gives the idle
timeout. ``login_failures``: failed logins only (never successes), per account and address,
for the lockout.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_accounts"
down_revision = "0004_city"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_ts", sa.Float, nullable=False),
        sa.Column("last_seen_ts", sa.Float, nullable=False),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
    )
    op.create_index("ix_login_failures_user", "login_failures", ["username", "ts"])
    op.create_index("ix_login_failures_address", "login_failures", ["address", "ts"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_address", "login_failures")
    op.drop_index("ix_login_failures_user", "login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_user_sessions_user", "user_sessions")
    op.drop_table("user_sessions")
