"""notify: citizens' phone opt-ins, the delivery outbox and channel health

Revision ID: 0009_notify
Revises: 0008_signage

Ticket notices are written into ``notify_outbox`` by triggers, in the same transaction as the
change that causes them (a call or recall inserted into ``calls``, a ticket set to
``no_show``), and only for tickets that have a row in ``notify_phones``: a hall without
opt-ins pays one primary-key lookup per call. No hub code has to remember to write them, and
an idempotency key per notice (``t<ticket>:call:<call id>``, ``t<ticket>:skipped``) makes a
second insert a no-op.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_notify"
down_revision = "0008_signage"
branch_labels = None
depends_on = None

_COLUMNS = ("key, kind, stream, ticket_id, counter_id, state, attempts, next_attempt_ts, "
            "created_ts")
_CALL_VALUES = ("'t' || NEW.ticket_id || ':call:' || NEW.id, "
                "CASE WHEN NEW.recall THEN 'recalled' ELSE 'called' END, "
                "'t' || NEW.ticket_id, NEW.ticket_id, NEW.counter_id, 'queued', 0, NEW.ts, NEW.ts")
_SKIP_VALUES = ("'t' || NEW.id || ':skipped:' || NEW.transfers, 'skipped', 't' || NEW.id, "
                "NEW.id, NEW.counter_id, 'queued', 0, "
                "COALESCE(NEW.finished_ts, NEW.issued_ts), COALESCE(NEW.finished_ts, "
                "NEW.issued_ts)")

_SQLITE = (
    f"""
CREATE TRIGGER notify_call AFTER INSERT ON calls
WHEN EXISTS (SELECT 1 FROM notify_phones WHERE ticket_id = NEW.ticket_id)
BEGIN
    INSERT OR IGNORE INTO notify_outbox ({_COLUMNS}) VALUES ({_CALL_VALUES});
END
""",
    f"""
CREATE TRIGGER notify_skip AFTER UPDATE OF status ON tickets
WHEN NEW.status = 'no_show' AND OLD.status <> 'no_show'
    AND EXISTS (SELECT 1 FROM notify_phones WHERE ticket_id = NEW.id)
BEGIN
    INSERT OR IGNORE INTO notify_outbox ({_COLUMNS}) VALUES ({_SKIP_VALUES});
END
""",
)
_PG = (
    f"""
CREATE FUNCTION notify_call_note() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM notify_phones WHERE ticket_id = NEW.ticket_id) THEN
        INSERT INTO notify_outbox ({_COLUMNS}) VALUES ({_CALL_VALUES})
        ON CONFLICT (key) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE FUNCTION notify_skip_note() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM notify_phones WHERE ticket_id = NEW.id) THEN
        INSERT INTO notify_outbox ({_COLUMNS}) VALUES ({_SKIP_VALUES})
        ON CONFLICT (key) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER notify_call AFTER INSERT ON calls FOR EACH ROW "
    "EXECUTE FUNCTION notify_call_note()",
    "CREATE TRIGGER notify_skip AFTER UPDATE OF status ON tickets FOR EACH ROW "
    "WHEN (NEW.status = 'no_show' AND OLD.status IS DISTINCT FROM 'no_show') "
    "EXECUTE FUNCTION notify_skip_note()",
)


def upgrade() -> None:
    op.create_table(
        "notify_phones",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("status_url", sa.String(length=300), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("ahead_at_opt_in", sa.Integer(), nullable=True),
    )
    op.create_index("ix_notify_phones_day", "notify_phones", ["day"])
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(length=120), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("counter_id", sa.String(length=16), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=True),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ts", sa.Float(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("sent_ts", sa.Float(), nullable=True),
        sa.Column("sent_channel", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notify_outbox_due", "notify_outbox", ["state", "next_attempt_ts"])
    op.create_index("ix_notify_outbox_stream", "notify_outbox", ["stream", "id"])
    op.create_table(
        "notify_channels",
        sa.Column("name", sa.String(length=32), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("failing_streak", sa.Integer(), nullable=False),
        sa.Column("last_ok_ts", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_ts", sa.Float(), nullable=True),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in _PG:
            op.execute(statement)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"notices need SQLite or PostgreSQL, not {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notify_call ON calls")
        op.execute("DROP TRIGGER IF EXISTS notify_skip ON tickets")
        op.execute("DROP FUNCTION IF EXISTS notify_call_note()")
        op.execute("DROP FUNCTION IF EXISTS notify_skip_note()")
    else:
        op.execute("DROP TRIGGER IF EXISTS notify_call")
        op.execute("DROP TRIGGER IF EXISTS notify_skip")
    op.drop_table("notify_channels")
    op.drop_index("ix_notify_outbox_stream", table_name="notify_outbox")
    op.drop_index("ix_notify_outbox_due", table_name="notify_outbox")
    op.drop_table("notify_outbox")
    op.drop_index("ix_notify_phones_day", table_name="notify_phones")
    op.drop_table("notify_phones")
