"""Several `loket serve` processes sharing one PostgreSQL database and one Redis server:
calls reach every display exactly once and in order whichever process made them, NEXT is
exactly-once across processes, numbers stay unique, and a process killed mid-burst loses
nothing."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.conftest import LiveHub, free_port
from tests.services import pg_server, pg_url, redis_server, redis_url  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.services, pytest.mark.slow]
COUNTERS = 100
DISPLAYS = 24


def big_hall(storage_url: str, queue_url: str) -> str:
    counters = "\n".join(
        f'[[counters]]\nid = "{n}"\nname = "Loket {n}"\nzone = "lantai-{1 + n % 2}"\n'
        f'services = ["{"AB"[n % 2]}"]\n'
        for n in range(1, COUNTERS + 1)
    )
    return f"""
[hall]
name = "MPP Skala"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"

[[services]]
prefix = "B"
name = "Paspor"
agency = "Imigrasi"

{counters}
[audio]
enabled = false

[storage]
url = "{storage_url}"

[realtime]
message_queue = "{queue_url}"
queue_event_interval_s = 0.1
"""


class Display:
    def __init__(self, url: str) -> None:
        self.calls: list[dict[str, Any]] = []
        self.snapshots = 0
        self.client = socketio.Client(reconnection=False)
        self.client.on("call", self.calls.append, namespace="/display")
        self.client.on("snapshot", self._snapshot, namespace="/display")
        self.client.connect(url, namespaces=["/display"], transports=["websocket"],
                            wait_timeout=10)

    def _snapshot(self, _data: Any) -> None:
        self.snapshots += 1


def wait_until(predicate: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.fixture
def three_hubs(tmp_path: Path, pg_url: str, redis_url: str) -> Any:  # noqa: F811
    path = tmp_path / "loket.toml"
    path.write_text(big_hall(pg_url, redis_url))
    hubs = [LiveHub(path, free_port()).start() for _ in range(3)]
    yield hubs, pg_url
    for hub in hubs:
        hub.stop()


def post(url: str, token: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=20)


def test_three_processes_share_calls_and_never_double_call(three_hubs: Any) -> None:
    hubs, url = three_hubs
    token = hubs[0].token("device", "scale")
    displays = [Display(hubs[i % 3].url) for i in range(DISPLAYS)]
    assert wait_until(lambda: all(d.snapshots for d in displays))

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        issued = list(pool.map(
            lambda n: post(f"{hubs[n % 3].url}/api/tickets", token, {"service": "AB"[n % 2]}),
            range(120)))
    assert all(r.status_code == 201 for r in issued)
    labels = [r.json()["ticket"] for r in issued]
    assert len(set(labels)) == 120  # numbers unique across processes

    def press(counter: int) -> requests.Response:
        return post(f"{hubs[counter % 3].url}/api/counters/{counter}/next", token)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(press, range(1, COUNTERS + 1)))
    called = [a.json()["ticket"] for a in answers if a.status_code == 200]
    assert all(a.status_code in (200, 409) for a in answers)
    assert len(called) == COUNTERS and len(set(called)) == COUNTERS  # 100 waited for 100

    engine = create_engine(url)
    with engine.connect() as db:
        held = db.execute(text("SELECT current_ticket_id, count(*) FROM counters "
                               "WHERE current_ticket_id IS NOT NULL GROUP BY 1 "
                               "HAVING count(*) > 1")).all()
        assert held == []
        dup = db.execute(text("SELECT day, issued_service, number FROM tickets GROUP BY 1, 2, 3 "
                              "HAVING count(*) > 1")).all()
        assert dup == []
    engine.dispose()

    assert wait_until(lambda: all(len(d.calls) >= COUNTERS for d in displays))
    time.sleep(0.5)
    for display in displays:
        ids = [c["id"] for c in display.calls]
        assert len(ids) == COUNTERS and len(set(ids)) == COUNTERS  # each call exactly once
    for display in displays:
        display.client.disconnect()


def test_killing_one_process_mid_burst_loses_nothing(three_hubs: Any) -> None:
    hubs, url = three_hubs
    token = hubs[0].token("device", "scale-kill")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def issue(worker: int) -> None:
        n = 0
        while not stop.is_set():
            hub = hubs[(worker + n) % 3]
            n += 1
            try:
                response = post(f"{hub.url}/api/tickets", token, {"service": "A"})
            except requests.RequestException:
                continue  # that process is gone: the next try goes to another
            if response.status_code == 201:
                with lock:
                    acknowledged.append(response.json()["ticket"])

    threads = [threading.Thread(target=issue, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    hubs[1].kill()
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) > 20
    engine = create_engine(url)
    with engine.connect() as db:
        stored = set(db.execute(text("SELECT label FROM tickets WHERE service = 'A'")).scalars())
    engine.dispose()
    assert set(acknowledged) <= stored
    assert len(acknowledged) == len(set(acknowledged))
    # A display of the dead process reconnects to a live one and resynchronises.
    display = Display(hubs[2].url)
    assert wait_until(lambda: display.snapshots >= 1)
    state = requests.get(f"{hubs[0].url}/api/state", timeout=10).json()
    waiting = {s["prefix"]: s["waiting"] for s in state["services"]}
    assert waiting["A"] == len(stored)
    display.client.disconnect()
