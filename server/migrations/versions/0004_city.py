"""city: the hall's outbox towards the city's database, and the city's own tables

Revision ID: 0004_city
Revises: 0003_supervisor

Hall side: ``city_outbox`` is filled by triggers on ``tickets`` and ``survey_responses`` in the
same transaction as the change itself (so no change can be missed, whatever code made it), but
only while ``city_link`` holds the ``forwarding`` row: a hall that forwards nothing pays one
index lookup per write and keeps no backlog. City side: one row per hall, and copies of the
halls' tickets and survey scores keyed by (hall, id in the hall's database).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_city"
down_revision = "0003_supervisor"
branch_labels = None
depends_on = None

_SQLITE_TRIGGER = """
CREATE TRIGGER {name} AFTER {event} ON {table}
WHEN EXISTS (SELECT 1 FROM city_link WHERE key = 'forwarding')
BEGIN
    INSERT INTO city_outbox (kind, row_id) VALUES ('{kind}', NEW.id);
END
"""
_PG_FUNCTION = """
CREATE FUNCTION city_outbox_note() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM city_link WHERE key = 'forwarding') THEN
        INSERT INTO city_outbox (kind, row_id) VALUES (TG_ARGV[0], NEW.id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_TRIGGERS = (
    ("city_outbox_ticket_insert", "INSERT", "tickets", "ticket"),
    ("city_outbox_ticket_update", "UPDATE", "tickets", "ticket"),
    ("city_outbox_survey_insert", "INSERT", "survey_responses", "survey"),
)


def upgrade() -> None:
    # ---- hall side
    op.create_table(
        "city_outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        # Sequence numbers are never reused once sent entries are deleted: the city uses them
        # to tell an older copy of a ticket from a newer one.
        sqlite_autoincrement=True,
    )
    op.create_table(
        "city_link",
        sa.Column("key", sa.String(length=32), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_ts", sa.Float(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, event, table, kind in _TRIGGERS:
            op.execute(_SQLITE_TRIGGER.format(name=name, event=event, table=table, kind=kind))
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for name, event, table, kind in _TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                       f"EXECUTE FUNCTION city_outbox_note('{kind}')")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"forwarding to the city needs SQLite or PostgreSQL, not {dialect}")

    # ---- city side
    op.create_table(
        "city_halls",
        sa.Column("hall_id", sa.String(length=40), primary_key=True),
        sa.Column("instance", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("first_seen_ts", sa.Float(), nullable=False),
        sa.Column("last_seen_ts", sa.Float(), nullable=False),
    )
    op.create_table(
        "city_tickets",
        sa.Column("hall_id", sa.String(length=40), primary_key=True),
        sa.Column("source_id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("service", sa.String(length=2), nullable=False),
        sa.Column("issued_service", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_ts", sa.Float(), nullable=False),
        sa.Column("called_ts", sa.Float(), nullable=True),
        sa.Column("served_ts", sa.Float(), nullable=True),
        sa.Column("finished_ts", sa.Float(), nullable=True),
        sa.Column("counter_id", sa.String(length=16), nullable=True),
    )
    op.create_index("ix_city_tickets_day", "city_tickets", ["day", "hall_id", "service", "status"])
    op.create_table(
        "city_survey",
        sa.Column("hall_id", sa.String(length=40), primary_key=True),
        sa.Column("source_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("service", sa.String(length=2), nullable=False),
        *[sa.Column(f"u{i}", sa.Integer(), nullable=False) for i in range(1, 10)],
    )
    op.create_index("ix_city_survey_day", "city_survey", ["day", "hall_id"])


def downgrade() -> None:
    op.drop_index("ix_city_survey_day", table_name="city_survey")
    op.drop_table("city_survey")
    op.drop_index("ix_city_tickets_day", table_name="city_tickets")
    op.drop_table("city_tickets")
    op.drop_table("city_halls")
    dialect = op.get_bind().dialect.name
    for name, _event, table, _kind in _TRIGGERS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS city_outbox_note()")
    op.drop_table("city_link")
    op.drop_table("city_outbox")
