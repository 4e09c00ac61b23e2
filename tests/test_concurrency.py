"""Concurrency promises against the real SQLite file: 100 counters pressing NEXT at the same
moment each get a different ticket or a clean "empty"; 20 kiosks issuing at once never
duplicate a number. Real threads, and real separate processes (spawn) that each open their
own Database and Hub, released together by a barrier."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter as Tally
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from loket.server.config import load_config
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.hub import Hub
from loket.server.models import CallRecord, Counter, ServiceDay, Ticket
from tests.support.hall import hall_with_counters

N_COUNTERS = 100


@pytest.fixture
def big_hall(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "loket.toml"
    path.write_text(hall_with_counters(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    db = Database(url)
    db.upgrade()
    Hub(load_config(path), db).start()
    db.dispose()
    return path, url


def open_hub(config_path: str, url: str) -> Hub:
    db = Database(url)
    return Hub(load_config(config_path), db)


# ------------------------------------------------------------------ workers (module level: spawn)


def press_next(config_path: str, url: str, counter_ids: list[str], barrier: Any,
               results: Any) -> None:
    """One process: threads for its counters, all waiting on the shared barrier."""
    hub = open_hub(config_path, url)
    out: list[tuple[str, str | None, str]] = []

    def one(counter_id: str) -> None:
        barrier.wait(timeout=120)
        try:
            state = hub.counter_action(counter_id, "next", actor=f"proc:{counter_id}")
            out.append((counter_id, state["called"], "ok"))
        except HubError as exc:
            out.append((counter_id, None, exc.code))

    threads = [threading.Thread(target=one, args=(c,)) for c in counter_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hub.db.dispose()
    results.extend(out)


def issue_many(config_path: str, url: str, kiosk: str, count: int, barrier: Any,
               results: Any) -> None:
    hub = open_hub(config_path, url)
    barrier.wait(timeout=120)
    out = []
    for i in range(count):
        service = "A" if i % 3 else "B"
        out.append(hub.issue_ticket(service, kiosk=kiosk)["ticket"])
    hub.db.dispose()
    results.extend(out)


# ------------------------------------------------------------------ checks


def assert_consistent(url: str, called: list[str | None], waiting_before: int) -> None:
    labels = [c for c in called if c is not None]
    assert len(labels) == len(set(labels)), Tally(labels).most_common(3)
    assert len(labels) == min(waiting_before, len(called))
    db = Database(url)
    try:
        with db.session() as s:
            rows = s.execute(select(Ticket.label, Ticket.status, Ticket.counter_id)).all()
            active = [(label, cid) for label, status, cid in rows if status == "called"]
            assert sorted(label for label, _ in active) == sorted(labels)
            holders = [cid for _, cid in active]
            assert len(holders) == len(set(holders)), "a counter holds two tickets"
            current = {cid: tid for cid, tid in s.execute(
                select(Counter.id, Counter.current_ticket_id)) if tid is not None}
            assert len(set(current.values())) == len(current), "one ticket at two counters"
            by_id = dict(s.execute(select(Ticket.id, Ticket.counter_id)).all())
            for counter_id, ticket_id in current.items():
                assert by_id[ticket_id] == counter_id
            calls = s.scalars(select(CallRecord.label)).all()
            assert sorted(calls) == sorted(labels)
    finally:
        db.dispose()


def _issue(url: str, config_path: Path, n: int) -> None:
    hub = open_hub(str(config_path), url)
    for i in range(n):
        hub.issue_ticket("A" if i % 2 else "B")
    hub.db.dispose()


def test_100_counters_threads_same_moment(big_hall) -> None:
    config_path, url = big_hall
    _issue(url, config_path, 60)
    hub = open_hub(str(config_path), url)
    barrier = threading.Barrier(N_COUNTERS)
    results: list[tuple[str, str | None, str]] = []
    press_threads = []

    def one(counter_id: str) -> None:
        barrier.wait(timeout=60)
        try:
            results.append((counter_id, hub.counter_action(counter_id, "next")["called"], "ok"))
        except HubError as exc:
            results.append((counter_id, None, exc.code))

    for i in range(1, N_COUNTERS + 1):
        press_threads.append(threading.Thread(target=one, args=(str(i),)))
    for t in press_threads:
        t.start()
    for t in press_threads:
        t.join(120)
    hub.db.dispose()
    assert len(results) == N_COUNTERS
    assert {code for _, _, code in results} <= {"ok", "empty"}
    assert sum(code == "empty" for _, _, code in results) == 40
    assert_consistent(url, [label for _, label, _ in results], 60)


@pytest.mark.slow
def test_100_counters_in_10_processes_same_moment(big_hall) -> None:
    config_path, url = big_hall
    _issue(url, config_path, 70)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(N_COUNTERS)
        results = manager.list()
        procs = []
        for p in range(10):
            ids = [str(i) for i in range(p * 10 + 1, p * 10 + 11)]
            procs.append(ctx.Process(target=press_next,
                                     args=(str(config_path), url, ids, barrier, results)))
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(180)
            assert proc.exitcode == 0
        results = list(results)
    assert len(results) == N_COUNTERS
    assert {code for _, _, code in results} <= {"ok", "empty"}
    assert sum(code == "ok" for _, _, code in results) == 70
    assert_consistent(url, [label for _, label, _ in results], 70)


def test_20_kiosk_threads_never_duplicate(big_hall) -> None:
    config_path, url = big_hall
    hub = open_hub(str(config_path), url)
    barrier = threading.Barrier(20)
    labels: list[str] = []

    def kiosk(k: int) -> None:
        barrier.wait(timeout=60)
        for i in range(10):
            labels.append(hub.issue_ticket("A" if (i + k) % 3 else "B",
                                           kiosk=f"k{k}")["ticket"])

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    hub.db.dispose()
    _assert_numbers_unique(url, labels, 200)


@pytest.mark.slow
def test_20_kiosk_processes_never_duplicate(big_hall) -> None:
    config_path, url = big_hall
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(20)
        results = manager.list()
        procs = [ctx.Process(target=issue_many,
                             args=(str(config_path), url, f"kiosk-{k}", 15, barrier, results))
                 for k in range(20)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(180)
            assert proc.exitcode == 0
        labels = list(results)
    _assert_numbers_unique(url, labels, 300)


def _assert_numbers_unique(url: str, labels: list[str], expected: int) -> None:
    assert len(labels) == expected
    assert len(set(labels)) == expected, Tally(labels).most_common(3)
    db = Database(url)
    try:
        with db.session() as s:
            stored = s.scalars(select(Ticket.label)).all()
            assert sorted(stored) == sorted(labels)
            for service in ("A", "B"):
                numbers = sorted(s.scalars(select(Ticket.number)
                                           .where(Ticket.issued_service == service)))
                assert numbers == list(range(1, len(numbers) + 1)), "gap or duplicate"
                last = s.scalar(select(ServiceDay.last_number)
                                .where(ServiceDay.service == service))
                assert last == len(numbers)
            assert s.scalar(select(func.count()).select_from(Ticket)) == expected
    finally:
        db.dispose()


@pytest.mark.slow
def test_mixed_processes_issue_and_call(big_hall) -> None:
    """Kiosks issuing and counters calling at once, in separate processes."""
    config_path, url = big_hall
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(3 + 20)
        issued = manager.list()
        called = manager.list()
        procs = [ctx.Process(target=issue_many,
                             args=(str(config_path), url, f"k{k}", 20, barrier, issued))
                 for k in range(3)]
        for p in range(2):
            ids = [str(i) for i in range(p * 10 + 1, p * 10 + 11)]
            procs.append(ctx.Process(target=press_next,
                                     args=(str(config_path), url, ids, barrier, called)))
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(180)
            assert proc.exitcode == 0
        issued_labels, calls = list(issued), list(called)
    assert len(set(issued_labels)) == 60
    labels = [label for _, label, code in calls if code == "ok"]
    assert len(labels) == len(set(labels))
    assert set(labels) <= set(issued_labels)
    assert {code for _, _, code in calls} <= {"ok", "empty"}
