"""Two `loket serve` processes on one PostgreSQL database and one Redis server: a change made
through one process's admin API takes effect on the other within 2 s (its API answers, its
ticket issuing, and a `hall` event to its displays)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.conftest import SMALL_HALL, LiveHub, free_port
from tests.support.services import pg_server, pg_url, redis_server, redis_url  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.services, pytest.mark.slow]


def until(check: Any, within_s: float = 2.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {within_s} s")


def test_a_change_on_one_process_applies_on_the_other(
        tmp_path: Path, pg_url: str, redis_url: str) -> None:  # noqa: F811
    path = tmp_path / "loket.toml"
    path.write_text(SMALL_HALL.replace(
        "[realtime]", f'[storage]\nurl = "{pg_url}"\n\n[realtime]\nmessage_queue = "{redis_url}"'))
    one = LiveHub(path, free_port()).start()
    two = LiveHub(path, free_port()).start()
    halls: list[Any] = []
    display = socketio.Client(reconnection=False)
    display.on("hall", halls.append, namespace="/display")
    try:
        display.connect(two.url, namespaces=["/display"], transports=["websocket"],
                        wait_timeout=10)
        admin = {"Authorization": f"Bearer {one.token('admin', 'adm')}"}
        device = {"Authorization": f"Bearer {one.token('device', 'dev')}"}

        def quota_on_two() -> Any:
            hall = requests.get(two.url + "/api/admin/hall", headers=admin, timeout=5).json()
            return next(s for s in hall["services"] if s["prefix"] == "A")["quota"]

        assert requests.post(two.url + "/api/tickets", json={"service": "A"}, headers=device,
                             timeout=5).status_code == 201
        assert requests.patch(one.url + "/api/admin/services/A", json={"quota": 1},
                              headers=admin, timeout=5).status_code == 200
        until(lambda: quota_on_two() == 1)
        until(lambda: len(halls) >= 1)
        assert requests.post(two.url + "/api/tickets", json={"service": "A"}, headers=device,
                             timeout=5).json()["error"] == "quota_full"

        # a new service made on process one is issued by process two
        assert requests.post(one.url + "/api/admin/services",
                             json={"prefix": "K", "name": "BPJS", "agency": "BPJS"},
                             headers=admin, timeout=5).status_code == 201
        until(lambda: requests.post(two.url + "/api/tickets", json={"service": "K"},
                                    headers=device, timeout=5).status_code == 201)

        # a holiday made on process two closes process one
        today = requests.get(one.url + "/healthz", timeout=5).json()["day"]
        assert requests.post(two.url + "/api/admin/calendar",
                             json={"date": today, "reason": "Cuti bersama"},
                             headers=admin, timeout=5).status_code == 201
        until(lambda: requests.post(one.url + "/api/tickets", json={"service": "B"},
                                    headers=device, timeout=5).status_code == 409)
        refused = requests.post(one.url + "/api/tickets", json={"service": "B"},
                                headers=device, timeout=5).json()
        assert refused["error"] == "closed" and "Cuti bersama" in refused["message"]
    finally:
        display.disconnect()
        one.stop()
        two.stop()
