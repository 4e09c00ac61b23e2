"""Read-only endpoints use read transactions (docs/architecture.md, "The read path").

On SQLite a write transaction begins with ``BEGIN IMMEDIATE`` and takes the database's write
lock; a read (``Database.read``) begins with a deferred ``BEGIN`` and never waits for it.
Every GET route of the hall's application is requested, as an admin, with a hall that has
tickets, calls and survey answers:

* the engine's ``begin`` events during each request must all be read transactions (a
  best-effort stamp, ``Database.best_effort``, is allowed: it never waits);
* while a second process holds ``BEGIN IMMEDIATE`` on the same database file, every GET must
  answer at once and never ``503 busy`` (a write would wait ``[storage] busy_timeout_s``)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from loket.server.app import create_app
from loket.server.config import load_config
from tests.support.locks import LockHolder
from tests.support.login import login

BUSY_BOUND_S = 2.0
"""The hall's ``busy_timeout_s`` here: a GET that wanted the write lock would take this long."""
FAST_S = 0.75
"""A GET answered within this while the lock is held did not wait for it."""
SKIPPED = re.compile(r"/static/|^/vendor/|^/media/|/logo$|\.wav$|^/socket\.io")
"""Files, not database reads."""
VALUES = {"prefix": "A", "service": "A", "counter_id": "1", "kiosk_id": "k1", "call_id": "1",
          "zone": "lantai-1", "agency": "dukcapil", "fmt": "csv", "group": "lantai-1"}



@pytest.fixture
def busy_hall(write_config: Callable[..., Path]) -> Iterator[tuple[Any, Any, str, Path]]:
    """The app (threading), an admin's client, a status token, and the database file."""
    path = write_config(extra=f"[storage]\nbusy_timeout_s = {BUSY_BOUND_S}\n")
    config = load_config(path)
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    client = app.test_client()
    login(client, hub, "adm", "admin")
    issued = hub.issue_ticket("A")
    hub.issue_ticket("B", priority=True)
    hub.counter_action("1", "next")
    hub.counter_action("1", "start")
    hub.counter_action("1", "done")
    database = Path(str(hub.db.url.database))
    yield app, client, issued["status_token"], database
    hub.db.dispose()


def get_urls(app: Any, token: str) -> list[str]:
    """Every GET route of the app with its arguments filled in."""
    values = dict(VALUES, token=token)
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or SKIPPED.search(rule.rule):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values.get(arg, "1"), url)
        urls.append(url)
    return urls


def test_get_endpoints_begin_only_read_transactions(busy_hall: tuple[Any, Any, str, Path]
                                                    ) -> None:
    app, client, token, _database = busy_hall
    hub = app.extensions["loket.hub"]
    writes: list[str] = []

    def on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if not options.get("loket_read_only") and options.get("loket_busy_timeout_s") != 0:
            writes.append(current)

    event.listen(hub.db.engine, "begin", on_begin)
    answered = 0
    try:
        for current in get_urls(app, token):
            response = client.get(current)
            answered += response.status_code == 200
    finally:
        event.remove(hub.db.engine, "begin", on_begin)
    assert answered >= 50, "too few GET routes answered 200: the test would prove little"
    assert not writes, f"GET endpoints that began a write transaction: {sorted(set(writes))}"


def test_get_endpoints_answer_while_another_process_holds_the_write_lock(
        busy_hall: tuple[Any, Any, str, Path]) -> None:
    app, client, token, database = busy_hall
    with LockHolder(database):
        slow, busy = [], []
        for url in get_urls(app, token):
            started = time.monotonic()
            response = client.get(url)
            took = time.monotonic() - started
            if response.status_code == 503:
                busy.append(url)
            elif took > FAST_S:
                slow.append(f"{url} ({took:.2f} s)")
        # The proof that the lock was held all along: a write waits for the bound, then 503.
        started = time.monotonic()
        refused = client.post("/api/tickets", json={"service": "A"})
        assert refused.status_code == 503 and refused.get_json()["error"] == "busy"
        assert time.monotonic() - started >= BUSY_BOUND_S * 0.9
    assert not busy, f"GET endpoints refused as busy: {busy}"
    assert not slow, f"GET endpoints that waited for the write lock: {slow}"
