"""webhooks: integrators' subscriptions, and events queued in the notice outbox by triggers

Revision ID: 0010_webhooks
Revises: 0009_notify

Events are written into ``notify_outbox`` (kind ``webhook``, channel ``wh:<subscription>``)
by triggers on ``tickets``, ``calls``, ``counters`` and ``survey_responses``, in the same
transaction as the change, one row per subscription that wants the event type: no hub code has
to remember them, and a hall without subscriptions pays one lookup in a tiny table per write.
Each row's ``params`` is a JSON snapshot of the event as it happened (the worker removes the
personal fields a subscription may not receive); its idempotency key ``w<sub>:t<ticket>:...``
makes a second insert a no-op, and its stream ``w<sub>:t<ticket>`` (``w<sub>:c<counter>``)
keeps one ticket's events in order for each receiver.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_webhooks"
down_revision = "0009_notify"
branch_labels = None
depends_on = None

_COLUMNS = ("key, kind, stream, counter_id, params, channel, state, attempts, "
            "next_attempt_ts, created_ts")
_NOW = {
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
    "postgresql": "extract(epoch from clock_timestamp())",
}
_OBJECT = {"sqlite": "json_object", "postgresql": "json_build_object"}
_ARRAY = {"sqlite": "json_array", "postgresql": "json_build_array"}
_FIND = {"sqlite": "instr", "postgresql": "strpos"}

_TICKET = ("'ticket_id', NEW.id, 'ticket', NEW.label, 'service', NEW.service, "
           "'issued_service', NEW.issued_service, 'priority', NEW.priority, 'day', NEW.day")
# (trigger, table, event, when, type, key suffix, stream suffix, counter, data, time)
_EVENTS: tuple[tuple[str, ...], ...] = (
    ("webhook_issued", "tickets", "INSERT", "1 = 1", "'ticket.issued'",
     "':t' || NEW.id || ':issued'", "':t' || NEW.id", "NULL",
     _TICKET + ", 'kiosk', NEW.kiosk", "NEW.issued_ts"),
    ("webhook_call", "calls", "INSERT", "1 = 1",
     "CASE WHEN NEW.recall THEN 'ticket.recalled' ELSE 'ticket.called' END",
     "':t' || NEW.ticket_id || ':call:' || NEW.id", "':t' || NEW.ticket_id", "NEW.counter_id",
     "'ticket_id', NEW.ticket_id, 'ticket', NEW.label, 'service', NEW.service, "
     "'counter', NEW.counter_id, 'call_id', NEW.id, "
     "'officer', (SELECT officer FROM tickets WHERE id = NEW.ticket_id)", "NEW.ts"),
    ("webhook_done", "tickets", "UPDATE OF status",
     "NEW.status = 'done' AND OLD.status <> 'done'", "'ticket.done'",
     "':t' || NEW.id || ':done:' || NEW.transfers", "':t' || NEW.id", "NEW.counter_id",
     _TICKET + ", 'counter', NEW.counter_id, 'officer', NEW.officer, "
     "'wait_s', NEW.called_ts - NEW.issued_ts, 'service_s', NEW.finished_ts - NEW.served_ts, "
     "'transfers', NEW.transfers", "COALESCE(NEW.finished_ts, {now})"),
    ("webhook_no_show", "tickets", "UPDATE OF status",
     "NEW.status = 'no_show' AND OLD.status <> 'no_show'", "'ticket.no_show'",
     "':t' || NEW.id || ':no_show:' || NEW.transfers", "':t' || NEW.id", "NEW.counter_id",
     _TICKET + ", 'counter', NEW.counter_id, 'officer', NEW.officer, "
     "'wait_s', NEW.called_ts - NEW.issued_ts, 'recalls', NEW.recalls, "
     "'transfers', NEW.transfers", "COALESCE(NEW.finished_ts, {now})"),
    ("webhook_transfer", "tickets", "UPDATE OF transfers",
     "NEW.transfers > OLD.transfers", "'ticket.transferred'",
     "':t' || NEW.id || ':transferred:' || NEW.transfers", "':t' || NEW.id", "OLD.counter_id",
     _TICKET + ", 'from_service', OLD.service, 'from_counter', OLD.counter_id, "
     "'officer', OLD.officer, 'transfers', NEW.transfers", "{now}"),
    ("webhook_counter_closed", "counters", "UPDATE OF status",
     "NEW.status = 'closed' AND OLD.status <> 'closed'", "'counter.closed'",
     "':c' || NEW.id || ':closed:' || NEW.updated_ts", "':c' || NEW.id", "NEW.id",
     "'counter', NEW.id, 'status', NEW.status, 'officer', NEW.officer", "{now}"),
    ("webhook_counter_opened", "counters", "UPDATE OF status",
     "NEW.status = 'open' AND OLD.status = 'closed'", "'counter.opened'",
     "':c' || NEW.id || ':opened:' || NEW.updated_ts", "':c' || NEW.id", "NEW.id",
     "'counter', NEW.id, 'status', NEW.status, 'officer', NEW.officer", "{now}"),
    ("webhook_survey", "survey_responses", "INSERT", "1 = 1", "'survey.submitted'",
     "':t' || NEW.ticket_id || ':survey'", "':t' || NEW.ticket_id", "NEW.counter_id",
     "'ticket_id', NEW.ticket_id, 'service', NEW.service, 'counter', NEW.counter_id, "
     "'day', NEW.day, 'scores', {array}(NEW.u1, NEW.u2, NEW.u3, NEW.u4, NEW.u5, NEW.u6, "
     "NEW.u7, NEW.u8, NEW.u9), 'officer', NEW.officer, 'comment', NEW.comment", "NEW.ts"),
)


def _select(dialect: str, kind: str, key: str, stream: str, counter: str, data: str,
            ts: str) -> str:
    now = _NOW[dialect]
    ts = ts.format(now=now)
    data = data.format(array=_ARRAY[dialect])
    find = _FIND[dialect]
    return (
        f"SELECT 'w' || w.id || {key}, 'webhook', 'w' || w.id || {stream}, {counter}, "
        f"CAST({_OBJECT[dialect]}('type', {kind}, 'subscription', w.id, 'ts', {ts}, "
        f"'data', {_OBJECT[dialect]}({data})) AS TEXT), "
        f"'wh:' || w.id, 'queued', 0, {now}, {now} "
        f"FROM webhook_subscriptions w WHERE w.active "
        f"AND ({find}(w.events, ',' || {kind} || ',') > 0 OR {find}(w.events, ',*,') > 0)"
    )


def _statements(dialect: str) -> list[str]:
    out = []
    for name, table, event, when, kind, key, stream, counter, data, ts in _EVENTS:
        select = _select(dialect, kind, key, stream, counter, data, ts)
        if dialect == "sqlite":
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}\n"
                f"WHEN {when} AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active)\n"
                f"BEGIN\n    INSERT OR IGNORE INTO notify_outbox ({_COLUMNS}) {select};\nEND")
        else:
            out.append(
                f"CREATE FUNCTION {name}_note() RETURNS trigger AS $$\nBEGIN\n"
                f"    IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active) THEN\n"
                f"        INSERT INTO notify_outbox ({_COLUMNS}) {select}\n"
                f"        ON CONFLICT (key) DO NOTHING;\n    END IF;\n    RETURN NULL;\n"
                f"END\n$$ LANGUAGE plpgsql")
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                       f"WHEN ({when}) EXECUTE FUNCTION {name}_note()")
    return out


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=40), nullable=False, unique=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("secret_ref", sa.String(length=300), nullable=True),
        sa.Column("secret_salt", sa.String(length=64), nullable=True),
        sa.Column("allow_personal_data", sa.Boolean(), nullable=False),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_ts", sa.Float(), nullable=False),
        sqlite_autoincrement=True,
    )
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):  # pragma: no cover
        raise RuntimeError(f"webhooks need SQLite or PostgreSQL, not {dialect}")
    connection = op.get_bind()
    for statement in _statements(dialect):
        # Raw: the keys' ``':t'`` would be taken for a bind parameter by text().
        connection.exec_driver_sql(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, *_ in _EVENTS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_note()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("webhook_subscriptions")
