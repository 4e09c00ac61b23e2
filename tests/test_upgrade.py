"""``loket db upgrade`` from every released schema: a database is built at a release's schema
with the migrations of that time, filled with a realistic day (tickets in every status, calls,
recalls and transfers, kiosk prints, survey responses, users, tokens, settings, audit, the city
outbox), upgraded to this Loket's heads, and compared table by table: every row of every
table that existed is still there, unchanged, and the hub runs on the result.

It upgrades to "heads" and compares the released columns only, so it keeps holding as new
migrations are added."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from loket.server.app import create_app
from loket.server.config import load_config
from loket.server.db import Database, alembic_config
from tests.support.hall import ROOT

RELEASES = {
    "0.1.0": ("0002_kiosk", "0004_city"),
}
"""Each released Loket and its schema's alembic heads (the first release: 0.1.0)."""
SCHEMAS = [*RELEASES.values(), ("0001_initial",)]


def build_at(url: str, revisions: tuple[str, ...]) -> Database:
    db = Database(url)
    with db.engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        for revision in revisions:
            command.upgrade(cfg, revision)
    return db


def fill_day(connection: Connection, day: str, now: float) -> None:
    """A realistic day of a hall at whatever schema ``connection`` has."""
    tables = set(inspect(connection).get_table_names())
    rng = random.Random(18)

    def insert(table: str, **row: Any) -> None:
        if table in tables:
            names = ", ".join(row)
            connection.execute(text(f"INSERT INTO {table} ({names}) VALUES "
                                    f"({', '.join(':' + k for k in row)})"), row)

    if "city_link" in tables:  # forwarding is on: the triggers fill the outbox
        insert("city_link", key="forwarding", value="1", updated_ts=now - 9 * 3600)
        insert("city_link", key="instance", value="a1b2c3d4", updated_ts=now - 9 * 3600)
    insert("users", id=1, username="siti", display_name="Siti Aminah",
           password_hash="scrypt:32768:8:1$salt$hash", role="officer", counters="1,2",
           active=True, created_ts=now - 86400)
    insert("users", id=2, username="budi", display_name="Budi", password_hash="pbkdf2:x$y$z",
           role="supervisor", counters="", active=True, created_ts=now - 86400)
    insert("users", id=3, username="lama", display_name="", password_hash="pbkdf2:a$b$c",
           role="officer", counters="5", active=False, created_ts=now - 5 * 86400)
    insert("api_tokens", id=1, name="bridge-lantai-1", role="device",
           token_hash="e" * 64, counters="1,2", created_ts=now - 86400, revoked_ts=None)
    insert("api_tokens", id=2, name="old-speakers", role="announcer", token_hash="f" * 64,
           counters="", created_ts=now - 9 * 86400, revoked_ts=now - 86400)
    insert("settings", key="running_text", value='"Selamat datang di MPP"', updated_ts=now)
    insert("settings", key="paused_services", value='["C"]', updated_ts=now)
    statuses = ["done"] * 20 + ["no_show"] * 4 + ["serving"] * 2 + ["called"] * 1 + \
        ["waiting"] * 13
    counters = {"A": "1", "B": "2", "C": "5"}
    numbers = {"A": 0, "B": 0, "C": 0}
    call_id = 0
    for ticket_id, status in enumerate(statuses, start=1):
        issued_service = "ABC"[ticket_id % 3]
        numbers[issued_service] += 1
        label = f"{issued_service}-{numbers[issued_service]:03d}"
        issued = now - 8 * 3600 + ticket_id * 600
        transferred = status == "done" and ticket_id % 7 == 0 and issued_service != "C"
        service = "C" if transferred else issued_service
        called = None if status == "waiting" else issued + rng.randint(60, 1800)
        served = called + 30 if status in ("serving", "done") and called else None
        finished = served + 400 if status == "done" and served else (
            called + 300 if status == "no_show" and called else None)
        insert("tickets", id=ticket_id, day=day, issued_service=issued_service,
               number=numbers[issued_service], label=label,
               service=service, priority=ticket_id % 9 == 0, status=status, issued_ts=issued,
               queued_ts=issued + (120 if transferred else 0), called_ts=called,
               served_ts=served, finished_ts=finished,
               counter_id=counters[service] if called else None,
               officer="siti" if called and service != "C" else None,
               recalls=1 if status == "no_show" else 0, transfers=1 if transferred else 0,
               transferred_from=issued_service if transferred else None,
               status_token_hash=f"{ticket_id:064x}", kiosk="kiosk-1" if ticket_id % 2 else None)
        if called:
            for recall in (False, True) if status == "no_show" else (False,):
                call_id += 1
                insert("calls", id=call_id, ts=called + (90 if recall else 0),
                       ticket_id=ticket_id, label=label,
                       service=service, counter_id=counters[service], recall=recall)
        if ticket_id % 2:
            insert("kiosk_prints", ts=issued, kiosk="kiosk-1", ticket_id=ticket_id,
                   status="printed" if ticket_id % 5 else "failed",
                   detail="" if ticket_id % 5 else "paper out")
        if status == "done" and ticket_id % 3 == 0:
            scores = {f"u{i}": rng.randint(1, 4) for i in range(1, 10)}
            comment = "Pelayanan cepat" if ticket_id % 2 else ""
            insert("survey_responses", ticket_id=ticket_id, ts=(finished or now) + 60,
                   day=day, service=service, counter_id=counters[service], officer="siti",
                   comment=comment, has_comment=1 if comment else 0,
                   handled_ts=now if ticket_id == 9 else None,
                   handled_by="budi" if ticket_id == 9 else None,
                   handled_note="sudah ditindaklanjuti" if ticket_id == 9 else "", **scores)
    for service, last in numbers.items():
        insert("service_days", day=day, service=service, last_number=last)
    insert("counters", id="1", status="open", current_ticket_id=26, officer="siti",
           calls_since_priority=2, updated_ts=now)
    insert("counters", id="2", status="open", current_ticket_id=None, officer=None,
           calls_since_priority=0, updated_ts=now)
    insert("counters", id="5", status="break", current_ticket_id=None, officer=None,
           calls_since_priority=1, updated_ts=now)
    for i, action in enumerate(["login", "counter:pause", "settings:running_text",
                                "token:create", "user:disable"]):
        insert("audit_log", ts=now - 3600 + i, actor="budi", action=action, target=str(i),
               detail="{}")


def contents(connection: Connection, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    out = {}
    for table, names in columns.items():
        cols = ", ".join(names)
        rows = connection.execute(text(f"SELECT {cols} FROM {table}")).all()
        out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: "+".join(s))
def test_db_upgrade_from_a_released_schema_keeps_a_whole_day(
    schema: tuple[str, ...], write_config: Callable[..., Path],
) -> None:
    config_path = write_config()
    config = load_config(config_path)
    url = f"sqlite:///{config_path.parent / 'loket.db'}"
    tz = ZoneInfo(config.hall.timezone)
    now = time.time()
    day = datetime.fromtimestamp(now, tz).date().isoformat()
    old = build_at(url, schema)
    with old.engine.begin() as connection:
        fill_day(connection, day, now)
    with old.engine.connect() as connection:
        inspector = inspect(connection)
        columns = {t: sorted(c["name"] for c in inspector.get_columns(t))
                   for t in inspector.get_table_names() if t != "alembic_version"}
        before = contents(connection, columns)
    old.dispose()
    assert len(before["tickets"]) == 40 and before["calls"] and before["users"]
    if "city_outbox" in before:
        assert len(before["city_outbox"]) >= 40  # the triggers noted the day

    result = subprocess.run([sys.executable, "-m", "loket", "db", "upgrade", "--config",
                             str(config_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr

    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        with hub.db.engine.connect() as connection:
            after = contents(connection, columns)
            heads = {r[0] for r in connection.execute(text("SELECT version_num FROM "
                                                           "alembic_version"))}
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for table in columns:
            assert after[table] == before[table], f"{table} changed in the upgrade"
        from alembic.script import ScriptDirectory

        assert heads == set(ScriptDirectory.from_config(alembic_config()).get_heads())
        # The hub works on the upgraded hall: today's queue, and new tickets.
        state = hub.snapshot()
        waiting = {s["prefix"]: s["waiting"] for s in state["services"]}
        assert sum(waiting.values()) == 13
        issued = hub.issue_ticket("A")
        assert issued["ticket"] == f"A-{sum(1 for t in range(1, 41) if t % 3 == 0) + 1:03d}"
        called = hub.counter_action("2", "next")
        assert called["ticket"] and called["ticket"].startswith("B-")
    finally:
        hub.db.dispose()
