"""A durable commit's wait for the disk never freezes the hub's event loop
(server.db.OffLoopCommitConnection; docs/architecture.md, "The write path").

Each test runs a real hub on gevent (standard library patched, as ``loket serve`` does) in a
child process on a real SQLite file, with a heartbeat greenlet beating every millisecond. The
commit is made slow in a controlled way, and only here: SQLite's progress handler, called by
SQLite inside the ``COMMIT`` statement itself, sleeps (a real, unpatched sleep) the first time
it runs, as a slow disk's fsync would. Then:

* the loop keeps beating while the commit waits, and ticket requests arriving meanwhile are
  gathered into the next batch (one transaction for all of them, gap-free numbers);
* a commit that fails (a foreign key checked only at ``COMMIT``) raises from the write as
  before, publishes nothing and leaves nothing written; the next ticket takes the next number;
* a greenlet killed while its commit runs in the thread dies only once the commit is over,
  and the connection is sound for the next transaction;
* another writer of the process waits for that commit cooperatively, and only then begins
  (not in SQLite's busy wait, which would block the loop 10 ms at a time)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SLOW_COMMIT_S = 0.3
OFF_LOOP = "[storage]\ncommit_off_loop = true\n"
"""The switch these tests turn on (its default is off: docs/benchmarks.md)."""
"""How long the slowed commit waits (the heartbeat beats every millisecond meanwhile)."""

CHILD = r"""
from gevent import monkey
monkey.patch_all()

import json, sys, time
import gevent
from sqlalchemy import event, text

from loket.server.app import create_app
from loket.server.config import load_config

real_sleep = monkey.get_original("time", "sleep")
native_id = monkey.get_original("threading", "get_native_id")
loop_thread = native_id()
scenario, config_path, slow_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
app = create_app(load_config(config_path), async_mode="gevent", testing=True)
hub = app.extensions["loket.hub"]
db = hub.db
published = []
hub.events.subscribe(lambda e: published.append(e.kind))
beats = []
slow = {"next": False, "threads": [], "ended": None}


def heartbeat():
    while True:
        beats.append(time.monotonic())
        gevent.sleep(0.001)


@event.listens_for(db.engine, "commit")
def _slow_next_commit(connection):
    if not slow["next"] or connection.get_execution_options().get("loket_read_only"):
        return  # reads (the waiting counts' notifier...) commit too: only the next write
    slow["next"] = False
    calls = {"n": 0}

    def in_commit():
        if calls["n"] == 0:
            slow["threads"].append(native_id() == loop_thread)
            real_sleep(slow_s)
            slow["ended"] = time.monotonic()
        calls["n"] += 1
        return 0

    raw = connection.connection.driver_connection
    raw.set_progress_handler(in_commit, 1)  # removed when the connection goes back


@event.listens_for(db.engine, "checkin")
def _clear(dbapi_connection, _record):
    dbapi_connection.set_progress_handler(None, 1)


def beats_between(t0, t1):
    return sum(1 for b in beats if t0 <= b <= t1)


gevent.spawn(heartbeat)
gevent.sleep(0.01)
out = {}

if scenario == "slow":
    first = hub.issue_ticket("A")  # the number rows exist: the next batch only inserts
    from loket.server.issue_batch import batcher_for
    batcher = batcher_for(hub)
    batches0 = batcher.batches
    slow["next"] = True
    t0 = time.monotonic()
    leader = gevent.spawn(hub.issue_ticket, "A")
    gevent.sleep(slow_s / 3)  # the leader's commit is in the thread now
    joiners = [gevent.spawn(hub.issue_ticket, s) for s in "ABABA"]
    leader.join(); gevent.joinall(joiners)
    t1 = time.monotonic()
    out = {
        "first": first["ticket"], "leader": leader.value["ticket"],
        "joiners": [g.value["ticket"] for g in joiners],
        "batches": batcher.batches - batches0, "took": t1 - t0,
        "beats_in_commit": beats_between(t0 + 0.02, slow["ended"]),
        "commit_on_loop_thread": slow["threads"],
    }
elif scenario == "fail":
    hub.issue_ticket("A")
    failure = None
    published.clear()
    slow["next"] = True
    t0 = time.monotonic()
    try:
        with hub.write() as w:
            w.session.execute(text("PRAGMA defer_foreign_keys = ON"))
            hub.issue_in(w, "A")
            # A dangling reference: checked only by COMMIT, which then fails.
            w.session.execute(text("UPDATE counters SET current_ticket_id = 999999"))
    except Exception as exc:
        failure = type(exc).__name__ + ": " + str(exc).splitlines()[0]
    t1 = time.monotonic()
    published_by_failed = [kind for kind in published if kind == "ticket"]
    after = hub.issue_ticket("A")
    with db.read() as s:
        labels = list(s.execute(text("SELECT label FROM tickets ORDER BY id")).scalars())
        dangling = s.execute(text(
            "SELECT count(*) FROM counters WHERE current_ticket_id = 999999")).scalar()
    out = {
        "failure": failure, "published_by_failed": published_by_failed,
        "after": after["ticket"], "labels": labels,
        "dangling": dangling, "beats_in_commit": beats_between(t0 + 0.02, slow["ended"]),
        "commit_on_loop_thread": slow["threads"],
    }
elif scenario == "kill":
    with db.session() as s:
        s.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT)"))

    def write():
        with db.session() as s:
            s.execute(text("INSERT INTO probe (v) VALUES ('killed-writer')"))

    slow["next"] = True
    writer = gevent.spawn(write)
    gevent.sleep(slow_s / 3)
    killed_at = time.monotonic()
    writer.kill(block=True)
    dead_at = time.monotonic()
    with db.session() as s:
        s.execute(text("INSERT INTO probe (v) VALUES ('next')"))
    with db.read() as s:
        rows = list(s.execute(text("SELECT v FROM probe ORDER BY id")).scalars())
    out = {"killed_after_commit_end": dead_at >= slow["ended"], "kill_wait": dead_at - killed_at,
           "rows": rows, "commit_on_loop_thread": slow["threads"]}
elif scenario == "second-writer":
    with db.session() as s:
        s.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT)"))
    begins = []

    @event.listens_for(db.engine, "checkout")
    def _trace(dbapi_connection, _record, _proxy):  # every statement SQLite starts
        dbapi_connection.set_trace_callback(
            lambda sql: begins.append(sql) if sql == "BEGIN IMMEDIATE" else None)

    def write(v):
        with db.session() as s:
            s.execute(text("INSERT INTO probe (v) VALUES (:v)"), {"v": v})

    slow["next"] = True
    first = gevent.spawn(write, "first")
    gevent.sleep(slow_s / 3)  # its commit is in the thread, holding the write lock
    second = gevent.spawn(write, "second")
    gevent.joinall([first, second])
    with db.read() as s:
        rows = list(s.execute(text("SELECT v FROM probe ORDER BY id")).scalars())
    out = {"rows": rows, "begin_attempts": len(begins),
           "commit_on_loop_thread": slow["threads"]}
print("RESULT " + json.dumps(out), flush=True)
"""


def run_child(config: Path, scenario: str) -> dict[str, Any]:
    """Run one scenario of :data:`CHILD` (a fresh gevent process); its JSON result."""
    done = subprocess.run([sys.executable, "-c", CHILD, scenario, str(config),
                           str(SLOW_COMMIT_S)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT "):])
    return result


@pytest.mark.slow
def test_the_loop_keeps_running_while_a_commit_waits_and_requests_gather_meanwhile(
        write_config: Callable[..., Path]) -> None:
    out = run_child(write_config(extra=OFF_LOOP), "slow")
    assert out["commit_on_loop_thread"] == [False]  # the commit ran in a worker thread
    # A frozen loop would not beat at all while the commit waits ~0.3 s (1 ms beats).
    assert out["beats_in_commit"] >= 50, out
    assert out["took"] >= SLOW_COMMIT_S
    assert out["first"] == "A-001" and out["leader"] == "A-002"
    # The five requests that arrived during the commit share the next transaction.
    assert out["batches"] == 2, out
    assert sorted(out["joiners"]) == ["A-003", "A-004", "A-005", "B-001", "B-002"]


@pytest.mark.slow
def test_a_commit_failing_in_the_thread_fails_the_write_and_leaves_nothing(
        write_config: Callable[..., Path]) -> None:
    out = run_child(write_config(extra=OFF_LOOP), "fail")
    assert out["commit_on_loop_thread"] == [False]
    assert out["failure"] is not None and "FOREIGN KEY" in out["failure"].upper(), out
    assert out["beats_in_commit"] >= 50, out
    assert out["published_by_failed"] == [], out  # no event of the failed transaction
    assert out["dangling"] == 0
    assert out["labels"] == ["A-001", "A-002"]  # nothing of it written, no gap
    assert out["after"] == "A-002"


@pytest.mark.slow
def test_a_writer_killed_during_its_commit_dies_after_it_and_the_connection_stays_sound(
        write_config: Callable[..., Path]) -> None:
    out = run_child(write_config(extra=OFF_LOOP), "kill")
    assert out["commit_on_loop_thread"] == [False]
    assert out["killed_after_commit_end"], out
    assert out["rows"] == ["killed-writer", "next"]


@pytest.mark.slow
def test_another_writer_waits_for_a_commit_in_the_thread_without_busy_retries(
        write_config: Callable[..., Path]) -> None:
    out = run_child(write_config(extra=OFF_LOOP), "second-writer")
    assert out["commit_on_loop_thread"] == [False]
    assert out["rows"] == ["first", "second"]
    # It waited for the commit cooperatively, then took the lock at its first attempt
    # (SQLite's busy wait, which would block the loop, never ran).
    assert out["begin_attempts"] == 2, out  # one each


@pytest.mark.slow
@pytest.mark.parametrize("extra", ["", "[storage]\ncommit_off_loop = false\n"],
                         ids=["default", "off"])
def test_the_commit_stays_on_the_loop_by_default_and_when_the_hall_turns_it_off(
        write_config: Callable[..., Path], extra: str) -> None:
    out = run_child(write_config(extra=extra), "slow")
    assert out["commit_on_loop_thread"] == [True]
    assert out["beats_in_commit"] == 0, out  # the loop stopped while the disk "flushed"
