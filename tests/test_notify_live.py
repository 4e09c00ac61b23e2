"""Notices across real processes: a hub (`loket serve`) and a sender (`loket notify worker`)
killed with SIGKILL mid-delivery lose no notice and resend none that was acknowledged and
recorded as sent; and on
PostgreSQL, several workers claim each notice exactly once (SKIP LOCKED)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from loket.server import notify
from loket.server.app import create_app, database_url
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.hub import Hub
from loket.server.notify.models import NotifyOutbox
from loket.server.notify.worker import Worker
from tests.support.gateways import Gateway
from tests.support.hall import ROOT, SMALL_HALL, LiveHub, free_port
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow


def channels(url: str, timeout: float = 3.0, run_worker: bool = False) -> str:
    return f"""
[kiosk]
public_url = "http://antrean.test"

[notify]
run_worker = {str(run_worker).lower()}
retry_base_s = 0.2
retry_max_s = 1
max_attempts = 50
poll_s = 0.1
workers = 3

[[notify.channels]]
name = "gw"
kind = "webhook"
url = "{url}/send"
timeout_s = {timeout}
body = {{ to = "{{phone}}", message = "{{text}}" }}
"""


class WorkerProcess:
    def __init__(self, config_path: Path) -> None:
        self.log = (config_path.parent / "worker.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "loket", "notify", "worker", "--config", str(config_path),
             "--log-level", "debug"],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway().start()
    yield g
    g.stop()


def test_killed_hub_and_worker_lose_nothing_and_resend_nothing_acknowledged(
        tmp_path: Path, gateway: Gateway) -> None:
    config_path = tmp_path / "loket.toml"
    config_path.write_text(SMALL_HALL + channels(gateway.url))
    gateway.hang_after = 3  # three delivered, then every request hangs
    hub = LiveHub(config_path, free_port()).start()
    workers: list[WorkerProcess] = []
    try:
        token = hub.token("device", "notify-test")
        auth = {"Authorization": f"Bearer {token}"}
        for i in range(6):
            r = requests.post(f"{hub.url}/api/tickets", headers=auth, timeout=5,
                              json={"service": "A", "phone": f"0812 3456 {i:04d}"})
            assert r.status_code == 201, r.text
        workers.append(WorkerProcess(config_path))
        assert wait_until(lambda: gateway.requests > 3), "deliveries under way"
        for _ in range(3):
            r = requests.post(f"{hub.url}/api/counters/1/next", headers=auth, timeout=5)
            assert r.status_code == 200
        config = load_config(config_path)
        db = Database(database_url(config))

        def sent() -> set[str]:
            with db.read() as s:
                return {r.key for r in s.scalars(select(NotifyOutbox))
                        if r.state == "sent"}

        # The promise is about what the worker recorded: a notice marked sent is never sent
        # again. One the gateway answered but the worker had not yet marked when it died is
        # sent again with the same Idempotency-Key (at least once; the gateway dedupes), so
        # the kill waits until the three answered ones are recorded.
        assert wait_until(lambda: len(sent()) == 3, timeout=20), sent()
        hub.kill()  # SIGKILL right after the NEXTs were acknowledged
        workers[0].kill()  # SIGKILL with requests in flight
        acknowledged_before = gateway.acked_keys()
        assert len(acknowledged_before) == 3
        assert set(acknowledged_before) == sent()
        gateway.hang_after = None
        gateway.release.set()  # the hung requests are closed unanswered

        hub = LiveHub(config_path, free_port()).start()
        workers.append(WorkerProcess(config_path))

        def all_sent() -> bool:
            with db.read() as s:
                rows = list(s.scalars(select(NotifyOutbox)))
            # 6 issued, 3 called, and "near" for the three still waiting
            return len(rows) == 12 and all(r.state == "sent" for r in rows)

        assert wait_until(all_sent, timeout=40), gateway.acked_keys()
        keys = gateway.acked_keys()
        assert len(keys) == len(set(keys)) == 12, "every notice once, none twice"
        assert keys[:3] == acknowledged_before
        assert {k.split(":")[1] for k in keys} == {"issued", "call", "near"}
        with db.read() as s:
            rows = {r.key: r.id for r in s.scalars(select(NotifyOutbox))}
        for ticket in {k.split(":")[0] for k in keys}:
            ids = [rows[k] for k in keys if k.startswith(ticket + ":")]
            assert ids == sorted(ids), "in order per ticket"
        db.dispose()
    finally:
        for w in workers:
            w.stop()
        hub.stop()


def test_the_hub_runs_its_own_sender_which_ends_with_the_hub(
        tmp_path: Path, gateway: Gateway) -> None:
    import psutil

    config_path = tmp_path / "loket.toml"
    config_path.write_text(SMALL_HALL + channels(gateway.url, run_worker=True))
    hub = LiveHub(config_path, free_port()).start()
    try:
        token = hub.token("device", "notify-test")
        r = requests.post(f"{hub.url}/api/tickets", timeout=5, json={
            "service": "A", "phone": "0812 3456 7890"},
            headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201
        assert wait_until(lambda: gateway.acked_keys() == ["t1:issued"], timeout=30)
        assert hub.process is not None
        (child,) = [p for p in psutil.Process(hub.process.pid).children()
                    if "notify" in p.cmdline()]
        hub.kill()
        child.wait(timeout=20)  # standard input closed: the sender stops with its hub
        assert not child.is_running()
    finally:
        hub.stop()


@pytest.mark.services
def test_postgres_workers_claim_each_notice_once(
        tmp_path: Path, pg_url: str, gateway: Gateway) -> None:  # noqa: F811
    gateway.delay_s = 0.01
    path = tmp_path / "loket.toml"
    path.write_text(SMALL_HALL + f'\n[storage]\nurl = "{pg_url}"\n' + channels(gateway.url))
    config = load_config(path)
    db = Database(database_url(config))
    db.upgrade()
    hub = Hub(config, db)
    create_app(config, async_mode="threading", testing=True, hub=hub)
    for i in range(20):
        ticket = hub.issue_ticket("AB"[i % 2])
        notify.opt_in(hub, ticket["status_token"], f"+62812345{i:05d}", "id")
    for _ in range(10):
        hub.counter_action("1", "next")
        hub.counter_action("1", "recall")
    senders = [Worker(config, Database(database_url(config))) for _ in range(3)]
    errors: list[BaseException] = []

    def run(worker: Any) -> None:
        try:
            worker.drain(timeout=60)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in senders:
        w.close()
    assert not errors
    keys = gateway.acked_keys()
    with db.read() as s:
        rows = list(s.scalars(select(NotifyOutbox)))
    assert len(rows) == 40 and all(r.state == "sent" for r in rows), [r.key for r in rows]
    assert sorted(keys) == sorted(r.key for r in rows), "each exactly once"
    db.dispose()
