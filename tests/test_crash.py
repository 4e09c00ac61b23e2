"""Durability: a real `loket serve` killed with SIGKILL in the middle of a burst of issues and
NEXTs restarts with every acknowledged ticket present, no number reused, and no ticket held by
two counters."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from loket.server.app import database_url
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.models import Counter, ServiceDay, Ticket
from tests.support.hall import SMALL_HALL
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow

HALL = SMALL_HALL.replace("quota = 50\n", "")


class Burst:
    """Threads issuing tickets and pressing NEXT until the hub stops answering."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.acknowledged: list[str] = []
        self.called: list[tuple[str, str]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._issuer, args=(i,)) for i in range(4)]
        self.threads += [threading.Thread(target=self._caller, args=(c,)) for c in ("1", "2", "5")]

    def _post(self, session: requests.Session, path: str, **kwargs: Any) -> requests.Response:
        return session.post(self.url + path, headers={"Authorization": f"Bearer {self.token}"},
                            timeout=5, **kwargs)

    def _issuer(self, i: int) -> None:
        session = requests.Session()
        n = 0
        while not self.stop.is_set():
            service = "ABC"[(i + n) % 3]
            n += 1
            try:
                response = self._post(session, "/api/tickets", json={"service": service})
            except requests.RequestException:
                return
            if response.status_code == 201:
                with self.lock:
                    self.acknowledged.append(response.json()["ticket"])

    def _caller(self, counter: str) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            try:
                response = self._post(session, f"/api/counters/{counter}/next")
            except requests.RequestException:
                return
            if response.status_code == 200 and response.json().get("called"):
                with self.lock:
                    self.called.append((counter, response.json()["called"]))
            time.sleep(0.01)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(15)


def check_database(config_path: Path, acknowledged: list[str],
                   called: list[tuple[str, str]]) -> dict[str, int]:
    db = Database(database_url(load_config(config_path)))
    try:
        with db.session() as s:
            tickets = s.execute(select(Ticket.id, Ticket.day, Ticket.issued_service,
                                       Ticket.number, Ticket.label, Ticket.status,
                                       Ticket.counter_id)).all()
            stored = {t.label for t in tickets}
            missing = set(acknowledged) - stored
            assert not missing, f"acknowledged tickets lost: {sorted(missing)[:5]}"
            keys = [(t.day, t.issued_service, t.number) for t in tickets]
            assert len(keys) == len(set(keys)), Tally(keys).most_common(2)
            last = {(d.day, d.service): d.last_number for d in s.scalars(select(ServiceDay))}
            for t in tickets:
                assert t.number <= last[(t.day, t.issued_service)], "a number above its counter"
            by_label = {t.label: t for t in tickets}
            for _counter, label in called:
                assert by_label[label].status != "waiting", f"{label} was called, then lost"
            active = [t for t in tickets if t.status in ("called", "serving")]
            holders = [t.counter_id for t in active]
            assert len(holders) == len(set(holders)), "a counter holds two tickets"
            current = {c.id: c.current_ticket_id for c in s.scalars(select(Counter))}
            held = [tid for tid in current.values() if tid is not None]
            assert len(held) == len(set(held)), "one ticket held by two counters"
            assert sorted(held) == sorted(t.id for t in active)
            by_id = {t.id: t for t in tickets}
            for counter_id, tid in current.items():
                if tid is not None:
                    assert by_id[tid].counter_id == counter_id
            return {service: max((t.number for t in tickets if t.issued_service == service),
                                 default=0) for service in "ABC"}
    finally:
        db.dispose()


def test_sigkill_mid_burst_loses_nothing(live_hub, write_config) -> None:
    config_path = write_config(HALL)
    hub = live_hub(config_path)
    token = hub.token("device", "crash-bridge")
    all_acknowledged: list[str] = []
    for round_ in range(2):
        burst = Burst(hub.url, token)
        burst.start()
        wanted = 60 + 40 * round_
        wait_until(lambda b=burst, n=wanted: len(b.acknowledged) >= n, 10)
        hub.kill()  # SIGKILL in the middle of the burst
        burst.join()
        assert burst.acknowledged, "the burst issued nothing before the kill"
        all_acknowledged += burst.acknowledged
        highest = check_database(config_path, all_acknowledged, burst.called)

        hub = live_hub(config_path)  # restart on the same database
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        for service in "ABC":
            response = session.post(hub.url + "/api/tickets", json={"service": service},
                                    headers=headers, timeout=5)
            assert response.status_code == 201
            label = response.json()["ticket"]
            assert int(label.split("-")[1]) == highest[service] + 1, "number reused or skipped"
            all_acknowledged.append(label)
        state = session.get(hub.url + "/api/state", timeout=5).json()
        tickets = [c["ticket"] for c in state["counters"] if c["ticket"]]
        assert len(tickets) == len(set(tickets))
        response = session.post(hub.url + "/api/counters/1/next", headers=headers, timeout=5)
        assert response.status_code in (200, 409)
    check_database(config_path, all_acknowledged, [])
