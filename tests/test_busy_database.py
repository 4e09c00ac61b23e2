"""Another program holding SQLite's write lock never freezes the hall
(docs/architecture.md, "Waiting for the write lock").

A real ``loket serve`` process (gevent, real sockets) and a second process that holds
``BEGIN IMMEDIATE`` on the hall's database file, as ``loket user add``, a backup or a
technician's ``sqlite3`` does for a moment:

* while the lock is held, ``/healthz``, ``GET /api/state``, a Socket.IO request and the
  snapshot pushed to a display that connects meanwhile all answer within
  :data:`RESPONSIVE_S`, and a keypad's frame is acknowledged as quickly;
* a ticket asked for meanwhile waits and is issued once the lock is released within the
  bound (``[storage] busy_timeout_s``);
* held beyond the bound, the ticket is refused with ``503 {"error": "busy"}`` and nothing was
  written: the next ticket takes the next number.

The same rules at the database's level (fast): a write refused after the bound writes
nothing, a best-effort write is skipped at once, a write proceeds once the lock is released,
command-line programs wait longer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import text

from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair
from loket.server.cli_support import open_database
from loket.server.config import load_config
from loket.server.db import CLI_BUSY_TIMEOUT_S, Database, DatabaseBusy
from tests.support.keypads import DEVICES_ON, keypads_toml
from tests.support.locks import LockHolder
from tests.support.wait import Collected

BOUND_S = 3.0
"""The hall's ``[storage] busy_timeout_s`` in these tests."""
RESPONSIVE_S = 0.5
"""An answer within this while the lock is held: the event loop was not frozen."""


class Timed:
    """A request run in a thread, with when it answered."""

    def __init__(self, call: Callable[[], requests.Response]) -> None:
        self.response: requests.Response | None = None
        self.started = time.monotonic()
        self.answered_at: float | None = None
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(call,), daemon=True).start()

    def _run(self, call: Callable[[], requests.Response]) -> None:
        try:
            self.response = call()
        finally:
            self.answered_at = time.monotonic()
            self.done.set()


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def assert_responsive(url: str, display: socketio.Client, rounds: int = 5) -> None:
    """The hub answers HTTP ``rounds`` times and a Socket.IO request (displays may ask for a
    snapshot only now and then) within :data:`RESPONSIVE_S`."""
    answer, took = timed(lambda: display.call("snapshot", {}, namespace="/display", timeout=5))
    assert "counters" in answer and took < RESPONSIVE_S, (answer, took)
    for _ in range(rounds):
        health, took = timed(lambda: requests.get(url + "/healthz", timeout=5))
        assert health.status_code == 200 and took < RESPONSIVE_S, (health.status_code, took)
        state, took = timed(lambda: requests.get(url + "/api/state", timeout=5))
        assert state.status_code == 200 and took < RESPONSIVE_S, (state.status_code, took)
        time.sleep(0.1)  # spread the checks over the lock's time


def connect_display(url: str) -> tuple[socketio.Client, Collected[dict[str, Any]]]:
    """A display client and the snapshots pushed to it."""
    snapshots: Collected[dict[str, Any]] = Collected()
    client = socketio.Client(reconnection=False)
    client.on("snapshot", snapshots.append, namespace="/display")
    client.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    return client, snapshots


def issued_a(url: str) -> int:
    state = requests.get(url + "/api/state", timeout=5).json()
    return int(next(s for s in state["services"] if s["prefix"] == "A")["issued"])


@pytest.mark.slow
def test_the_hall_keeps_answering_while_another_process_holds_the_write_lock(
        write_config: Callable[..., Path], live_hub: Any) -> None:
    # No snapshot throttle: the display asks for one in each phase, and with fast answers the
    # second came within the default 1 s of the first and was refused as rate_limited.
    config = write_config(extra=f"[storage]\nbusy_timeout_s = {BOUND_S}\n"
                                "[security]\nsnapshot_interval_s = 0\n")
    hub = live_hub(config)
    device = {"Authorization": f"Bearer {hub.token('device', 'busy-test')}"}
    database = config.parent / "loket.db"
    assert database.is_file()
    display, _ = connect_display(hub.url)
    queues: Collected[dict[str, Any]] = Collected()
    display.on("queue", queues.append, namespace="/display")

    def ticket() -> requests.Response:
        return requests.post(hub.url + "/api/tickets", json={"service": "A"}, headers=device,
                             timeout=BOUND_S + 10)

    try:
        assert ticket().json()["ticket"] == "A-001"

        # 1. Released within the bound: the ticket waits, the hall keeps answering.
        holder = LockHolder(database)
        try:
            waiting = Timed(ticket)
            assert_responsive(hub.url, display)
            # A TV switched on meanwhile gets its snapshot pushed (a client's disconnect can
            # take seconds: it is left until the lock is released).
            late, late_snapshots = connect_display(hub.url)
            assert late_snapshots.first(lambda s: "counters" in s, RESPONSIVE_S) is not None
            assert not waiting.done.is_set(), "the ticket did not wait for the lock"
        finally:
            released_at = time.monotonic()
            holder.release()
        late.disconnect()
        assert waiting.done.wait(5)
        assert waiting.response is not None and waiting.response.status_code == 201, (
            waiting.response.text if waiting.response is not None else None)
        assert waiting.response.json()["ticket"] == "A-002"
        assert waiting.answered_at is not None and waiting.answered_at - released_at < 1.0
        assert queues.first(lambda q: any(s["prefix"] == "A" and s["waiting"] == 2
                                          for s in q["services"]), 5) is not None

        # 2. Held beyond the bound: 503 busy after about the bound, nothing written.
        holder = LockHolder(database)
        try:
            refused = Timed(ticket)
            assert_responsive(hub.url, display, rounds=3)
            assert refused.done.wait(BOUND_S + 5)
            assert refused.response is not None
            assert refused.response.status_code == 503, refused.response.text
            assert refused.response.json()["error"] == "busy"
            assert refused.response.json()["message"]
            assert refused.answered_at is not None
            assert BOUND_S * 0.9 <= refused.answered_at - refused.started < BOUND_S + 2
            assert issued_a(hub.url) == 2  # read while the lock is still held
        finally:
            holder.release()
        assert issued_a(hub.url) == 2
        assert ticket().json()["ticket"] == "A-003"
    finally:
        display.disconnect()


@pytest.mark.slow
@pytest.mark.hardware
def test_keypad_frames_are_acknowledged_while_another_process_holds_the_write_lock(
        write_config: Callable[..., Path], live_hub: Any) -> None:
    master, path = pty_pair()
    keypad = VirtualKeypadPort(master)
    config = write_config(extra=keypads_toml(path) + f"\n[storage]\nbusy_timeout_s = {BOUND_S}\n")
    hub = live_hub(config, extra_args=DEVICES_ON)
    try:
        keypad.expect("D", 1, timeout=10)  # the bridge greets its keypads when the port opens
        issued = requests.post(hub.url + "/api/tickets", json={"service": "A"}, timeout=5)
        assert issued.status_code == 201
        holder = LockHolder(config.parent / "loket.db")
        try:
            started = time.monotonic()
            seq = keypad.press(1, "NEXT")
            assert keypad.expect("A", 1, timeout=RESPONSIVE_S).seq == seq
            assert time.monotonic() - started < RESPONSIVE_S
            health, took = timed(lambda: requests.get(hub.url + "/healthz", timeout=5))
            assert health.status_code == 200 and took < RESPONSIVE_S
        finally:
            holder.release()
        # The press was kept waiting, not lost: the call goes out once the lock is free.
        assert keypad.expect("D", 1, timeout=5).ticket == issued.json()["ticket"]
    finally:
        keypad.close()


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM t")).scalar_one())


@pytest.fixture
def small_db(tmp_path: Path) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_s=1.0)
    with db.session() as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
    yield db, tmp_path / "x.db"
    db.dispose()


def test_a_write_waits_for_the_lock_then_is_refused_with_nothing_written(small_db: Any
                                                                         ) -> None:
    db, path = small_db
    holder = LockHolder(path)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as refused, db.session() as s:
            s.execute(text("INSERT INTO t VALUES (1)"))
        took = time.monotonic() - started
        assert refused.value.code == "busy" and refused.value.status == 503
        assert 0.9 <= took < 2.0
        assert _count(db) == 0  # a read still works while the lock is held
        with db.best_effort() as s:  # skipped at once, no error
            s.execute(text("INSERT INTO t VALUES (2)"))
        assert time.monotonic() - started - took < 0.2
    finally:
        holder.release()
    assert _count(db) == 0
    with db.session() as s:
        s.execute(text("INSERT INTO t VALUES (3)"))
    assert _count(db) == 1


def test_a_write_proceeds_once_the_lock_is_released_within_the_bound(small_db: Any) -> None:
    db, path = small_db
    holder = LockHolder(path)
    done = threading.Event()

    def write() -> None:
        with db.session() as s:
            s.execute(text("INSERT INTO t VALUES (1)"))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(0.3)
    holder.release()
    assert done.wait(1.0)
    writer.join()
    assert _count(db) == 1


def test_command_line_programs_wait_longer(write_config: Callable[..., Path]) -> None:
    db = open_database(load_config(write_config()))
    try:
        assert db.busy_timeout_s == CLI_BUSY_TIMEOUT_S
    finally:
        db.dispose()
