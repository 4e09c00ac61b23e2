"""bookings: online booking of a slot, checked in at the kiosk

Revision ID: 0014_bookings
Revises: 0013_booked_policy

``bookings`` holds one row per booked slot (see :mod:`loket.server.booking.models`). Webhook
events ``booking.created``, ``booking.checked_in``, ``booking.cancelled`` and
``booking.expired`` are written into ``notify_outbox`` by triggers, in the same transaction
as the change, like the ticket events of ``0010_webhooks`` (no personal data in them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_bookings"
down_revision = "0013_booked_policy"
branch_labels = None
depends_on = None

_COLUMNS = ("key, kind, stream, counter_id, params, channel, state, attempts, "
            "next_attempt_ts, created_ts")
_NOW = {
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
    "postgresql": "extract(epoch from clock_timestamp())",
}
_OBJECT = {"sqlite": "json_object", "postgresql": "json_build_object"}
_FIND = {"sqlite": "instr", "postgresql": "strpos"}
_DATA = ("'booking_id', NEW.id, 'code', NEW.code, 'service', NEW.service, 'day', NEW.day, "
         "'start', NEW.slot_start, 'end', NEW.slot_end, 'status', NEW.status, "
         "'source', NEW.source, 'ticket_id', NEW.ticket_id, 'reason', NEW.cancel_reason")
# (trigger, event, when, type, key suffix)
_EVENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("webhook_booking_created", "INSERT", "1 = 1", "booking.created", "created"),
    ("webhook_booking_checked_in", "UPDATE OF status",
     "NEW.status = 'checked_in' AND OLD.status <> 'checked_in'", "booking.checked_in",
     "checked_in"),
    ("webhook_booking_cancelled", "UPDATE OF status",
     "NEW.status = 'cancelled' AND OLD.status <> 'cancelled'", "booking.cancelled",
     "cancelled"),
    ("webhook_booking_expired", "UPDATE OF status",
     "NEW.status = 'expired' AND OLD.status <> 'expired'", "booking.expired", "expired"),
)


def _select(dialect: str, kind: str, suffix: str) -> str:
    now = _NOW[dialect]
    find = _FIND[dialect]
    return (
        f"SELECT 'w' || w.id || ':b' || NEW.id || ':{suffix}', 'webhook', "
        f"'w' || w.id || ':b' || NEW.id, NULL, "
        f"CAST({_OBJECT[dialect]}('type', '{kind}', 'subscription', w.id, "
        f"'ts', NEW.updated_ts, 'data', {_OBJECT[dialect]}({_DATA})) AS TEXT), "
        f"'wh:' || w.id, 'queued', 0, {now}, {now} "
        f"FROM webhook_subscriptions w WHERE w.active "
        f"AND ({find}(w.events, ',{kind},') > 0 OR {find}(w.events, ',*,') > 0)"
    )


def _statements(dialect: str) -> list[str]:
    out = []
    for name, event, when, kind, suffix in _EVENTS:
        select = _select(dialect, kind, suffix)
        if dialect == "sqlite":
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON bookings\n"
                f"WHEN {when} AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active)\n"
                f"BEGIN\n    INSERT OR IGNORE INTO notify_outbox ({_COLUMNS}) {select};\nEND")
        else:
            out.append(
                f"CREATE FUNCTION {name}_note() RETURNS trigger AS $$\nBEGIN\n"
                f"    IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active) THEN\n"
                f"        INSERT INTO notify_outbox ({_COLUMNS}) {select}\n"
                f"        ON CONFLICT (key) DO NOTHING;\n    END IF;\n    RETURN NULL;\n"
                f"END\n$$ LANGUAGE plpgsql")
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON bookings FOR EACH ROW "
                       f"WHEN ({when}) EXECUTE FUNCTION {name}_note()")
    return out


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=2), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("slot_start", sa.String(length=5), nullable=False),
        sa.Column("slot_end", sa.String(length=5), nullable=False),
        sa.Column("slot_ts", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
        sa.Column("checked_in_ts", sa.Float(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("ticket_token_sealed", sa.String(length=64), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("nik_hash", sa.String(length=64), nullable=True),
        sa.Column("nik_last4", sa.String(length=4), nullable=True),
        sa.Column("outreach", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("contact", sa.String(length=120), nullable=True),
        sa.Column("team", sa.String(length=80), nullable=True),
        sa.Column("purged_ts", sa.Float(), nullable=True),
        sa.UniqueConstraint("code", name="uq_bookings_code"),
        sa.UniqueConstraint("token_hash", name="uq_bookings_token_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_bookings_slot", "bookings", ["service", "day", "slot_start", "status"])
    op.create_index("ix_bookings_nik", "bookings", ["service", "day", "nik_hash"])
    op.create_index("ix_bookings_phone", "bookings", ["service", "day", "phone"])
    op.create_index("ix_bookings_due", "bookings", ["status", "slot_ts"])
    op.create_index("ix_bookings_purge", "bookings", ["purged_ts", "day"])
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):  # pragma: no cover
        raise RuntimeError(f"booking webhooks need SQLite or PostgreSQL, not {dialect}")
    connection = op.get_bind()
    for statement in _statements(dialect):
        connection.exec_driver_sql(statement)  # raw: ':b' is not a bind parameter


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, *_ in _EVENTS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON bookings")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_note()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("bookings")
