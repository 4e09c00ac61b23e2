"""Several `loket serve` processes sharing one PostgreSQL database and one Redis server:
calls reach every display exactly once and in order whichever process made them, NEXT is
exactly-once across processes, numbers stay unique, and a process killed mid-burst loses
nothing."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.support.hall import ROOT, LiveHub, free_port
from tests.support.services import pg_server, pg_url, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]
COUNTERS = 100
DISPLAYS = 50


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


class DisplayPool:
    """Many ``/display`` clients on one asyncio loop in one thread: a thread-based client per
    display (three threads each) would starve a 2-core machine before the hubs do."""

    def __init__(self, urls: list[str]) -> None:
        self.calls: list[list[dict[str, Any]]] = [[] for _ in urls]
        self.queues: list[dict[str, Any] | None] = [None] * len(urls)
        """Each display's latest waiting counts (``queue`` event)."""
        self.snapshots = [0] * len(urls)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients = asyncio.run_coroutine_threadsafe(
            self._connect(urls), self.loop).result(120)

    async def _connect(self, urls: list[str]) -> list[Any]:
        clients = []
        for i, url in enumerate(urls):
            client = socketio.AsyncClient(reconnection=False)
            client.on("call", functools.partial(self._on_call, i), namespace="/display")
            client.on("snapshot", functools.partial(self._on_snapshot, i), namespace="/display")
            client.on("queue", functools.partial(self._on_queue, i), namespace="/display")
            await client.connect(url, namespaces=["/display"], transports=["websocket"],
                                 wait_timeout=10)
            clients.append(client)
        return clients

    def _on_call(self, i: int, data: dict[str, Any]) -> None:
        self.calls[i].append(data)

    def _on_queue(self, i: int, data: dict[str, Any]) -> None:
        self.queues[i] = data

    def _on_snapshot(self, i: int, _data: Any) -> None:
        self.snapshots[i] += 1

    def close(self) -> None:
        async def disconnect() -> None:
            await asyncio.gather(*(c.disconnect() for c in self.clients))

        asyncio.run_coroutine_threadsafe(disconnect(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def start_all(hubs: list[LiveHub]) -> list[LiveHub]:
    """Start hub processes side by side (each takes seconds to import and migrate; the
    migration's advisory lock makes them take turns where it matters)."""
    with concurrent.futures.ThreadPoolExecutor(len(hubs)) as pool:
        futures = [pool.submit(hub.start) for hub in hubs]
        try:
            for future in futures:
                future.result()
        except Exception:
            concurrent.futures.wait(futures)
            for hub in hubs:
                hub.stop()
            raise
    return hubs


@pytest.fixture
def three_hubs(tmp_path: Path, pg_url: str, redis_url: str) -> Any:  # noqa: F811
    path = tmp_path / "loket.toml"
    path.write_text(big_hall(pg_url, redis_url))
    hubs = start_all([LiveHub(path, free_port()) for _ in range(3)])
    yield hubs, pg_url
    for hub in hubs:
        hub.stop()


def post(url: str, token: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=20)


def test_three_processes_share_calls_and_never_double_call(three_hubs: Any) -> None:
    hubs, url = three_hubs
    token = hubs[0].token("device", "scale")
    displays = DisplayPool([hubs[i % 3].url for i in range(DISPLAYS)])
    assert wait_until(lambda: all(displays.snapshots))

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

    got = wait_until(lambda: all(len(c) >= COUNTERS for c in displays.calls), timeout=30)
    assert got, sorted(len(c) for c in displays.calls)
    time.sleep(0.5)
    for calls in displays.calls:
        ids = [c["id"] for c in calls]
        assert len(ids) == COUNTERS and len(set(ids)) == COUNTERS  # each call exactly once
        assert ids == sorted(ids)  # and in order, whichever process made it

    # The waiting counts every display ends with are the true ones (20 of 120 left), though
    # three processes pushed counts: an older count never lands after a newer one.
    def final_counts() -> list[Any]:
        return [{s["prefix"]: s["waiting"] for s in q["services"]} if q else None
                for q in displays.queues]

    assert wait_until(lambda: all(c == {"A": 10, "B": 10} for c in final_counts())), (
        final_counts())
    displays.close()


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


def test_announcer_on_one_process_speaks_every_call_once(
    tmp_path: Path, pg_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """Speakers hang on one PC: its hub process announces calls made through any process
    (relayed hub events), each exactly once and in order."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    quiet = tmp_path / "loket.toml"
    quiet.write_text(big_hall(pg_url, redis_url))
    speaking = tmp_path / "speakers.toml"
    speaking.write_text(big_hall(pg_url, redis_url).replace(
        "[audio]\nenabled = false", '[audio]\nenabled = true\nengines = ["espeak"]\nchime = false'))
    hubs = [LiveHub(speaking, free_port(), extra_args=[]), LiveHub(quiet, free_port()),
            LiveHub(quiet, free_port())]
    start_all(hubs)
    try:
        token = hubs[1].token("device", "scale-audio")
        for _ in range(3):
            assert post(f"{hubs[1].url}/api/tickets", token, {"service": "A"}).status_code == 201
        # Two calls through the other processes, one through the speaking one (each takes
        # seconds to speak: SDL's dummy driver plays in real time).
        for counter, hub in ((2, hubs[1]), (4, hubs[2]), (6, hubs[0])):
            assert post(f"{hub.url}/api/counters/{counter}/next", token).status_code == 200

        def announced() -> list[str]:
            lines = hubs[0].log_path.read_text().splitlines()
            return [line.split("announced ", 1)[1].split()[0] for line in lines
                    if "loket.audio.player: announced " in line]

        assert wait_until(lambda: len(announced()) >= 3, timeout=60), announced()
        time.sleep(2)
        assert announced() == ["A-001", "A-002", "A-003"]
        for hub in hubs[1:]:
            assert "announced" not in hub.log_path.read_text()
    finally:
        for hub in hubs:
            hub.stop()


def test_network_keypad_bridge_on_any_process(tmp_path: Path, three_hubs: Any) -> None:
    """A keypad bridge talks to process 2; tickets are issued through process 3 and the
    display sits on process 1: the keypad shows the waiting count, its NEXT reaches the
    display, and the keypad shows the called number."""
    from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair
    from tests.support.keypads import keypads_toml

    hubs, _url = three_hubs
    master, path = pty_pair()
    keypad = VirtualKeypadPort(master)
    bridge_config = tmp_path / "bridge.toml"
    bridge_config.write_text(hubs[0].config_path.read_text() + keypads_toml(
        path, addresses='{ "1" = "2" }'))
    token = hubs[1].token("device", "bridge-2", counters="2")
    bridge = subprocess.Popen(
        [sys.executable, "-m", "loket", "keypads", "--hub", hubs[1].url, "--token", token,
         "--config", str(bridge_config)],
        cwd=ROOT, stdout=(tmp_path / "bridge.log").open("wb"), stderr=subprocess.STDOUT)
    display = DisplayPool([hubs[0].url])
    try:
        keypad.expect("D", 1, timeout=20)
        time.sleep(0.5)
        keypad.drain()
        device = hubs[2].token("device", "kiosk-3")
        issued = post(f"{hubs[2].url}/api/tickets", device, {"service": "A"})
        assert issued.status_code == 201
        ticket = issued.json()["ticket"]
        # past a late greeting of the bridge (it shows the counter on connecting and again
        # once it has re-read it)
        keypad.expect("D", 1, timeout=10, where=lambda shown: shown.waiting == 1)
        seq = keypad.press(1, "NEXT")
        assert keypad.expect("A", 1).seq == seq
        keypad.expect("D", 1, timeout=10, where=lambda shown: shown.ticket == ticket)
        assert wait_until(lambda: [c["ticket"] for c in display.calls[0]] == [ticket])
        assert display.calls[0][0]["counter"] == "2"
    finally:
        display.close()
        bridge.terminate()
        bridge.wait(10)
        keypad.close()


class Supervisor:
    """A ``/supervisor`` client that notes when each dashboard arrived."""

    def __init__(self, url: str, token: str) -> None:
        self.dashboards: list[tuple[float, dict[str, Any]]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("dashboard", self._dashboard, namespace="/supervisor")
        self.client.connect(url, namespaces=["/supervisor"], transports=["websocket"],
                            auth={"token": token}, wait_timeout=10)

    def _dashboard(self, data: dict[str, Any]) -> None:
        self.dashboards.append((time.monotonic(), data))

    def waiting(self) -> dict[str, int]:
        if not self.dashboards:
            return {}
        return {s["prefix"]: s["waiting"] for s in self.dashboards[-1][1]["services"]}


def test_keypads_and_supervisors_follow_the_other_processes(
    tmp_path: Path, pg_url: str, redis_url: str  # noqa: F811
) -> None:
    """Process 1 drives keypads itself (the in-process bridge); tickets and calls go through
    process 2. The keypads show both, through the relayed hub events. Supervisors on both
    processes see every change, each dashboard once: every process pushes only to its own
    supervisors."""
    from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair
    from loket.server.supervisor.live import COALESCE_S
    from tests.support.keypads import DEVICES_ON, keypads_toml

    master, path = pty_pair()
    keypad = VirtualKeypadPort(master)
    wired = tmp_path / "keypads.toml"
    wired.write_text(big_hall(pg_url, redis_url) + keypads_toml(path, addresses='{ "1" = "2" }'))
    plain = tmp_path / "loket.toml"
    plain.write_text(big_hall(pg_url, redis_url))
    hubs = start_all([LiveHub(wired, free_port(), extra_args=DEVICES_ON),
                      LiveHub(plain, free_port())])
    supervisors: list[Supervisor] = []
    try:
        keypad.expect("D", 1, timeout=20)  # the bridge greets its keypad
        supervisors = [Supervisor(hub.url, hubs[1].token("supervisor", f"wall-{n}"))
                       for n, hub in enumerate(hubs)]
        assert wait_until(lambda: all(s.dashboards for s in supervisors), timeout=10)
        time.sleep(0.5)
        keypad.drain()
        device = hubs[1].token("device", "kiosk-2")
        issued = post(f"{hubs[1].url}/api/tickets", device, {"service": "A"})
        assert issued.status_code == 201
        ticket = issued.json()["ticket"]
        # a relayed "queue" event (past a late greeting of the bridge)
        keypad.expect("D", 1, timeout=10, where=lambda shown: shown.waiting == 1)
        assert wait_until(lambda: all(s.waiting().get("A") == 1 for s in supervisors), 10)

        called = post(f"{hubs[1].url}/api/counters/2/next", device)
        assert called.status_code == 200 and called.json()["ticket"] == ticket
        # a relayed "counter" event
        keypad.expect("D", 1, timeout=10, where=lambda shown: shown.ticket == ticket)
        assert wait_until(lambda: all(s.waiting().get("A") == 0 for s in supervisors), 10)
        time.sleep(1.0)
        for supervisor in supervisors:
            # One process pushes at most once per COALESCE_S; a copy of another process's
            # push would arrive within milliseconds of this process's own.
            times = [at for at, _ in supervisor.dashboards[1:]]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert all(gap > COALESCE_S / 2 for gap in gaps), gaps
        # The keypad's own NEXT, through process 1, still works and reaches process 2's view.
        issued = post(f"{hubs[1].url}/api/tickets", device, {"service": "A"})
        second = issued.json()["ticket"]
        keypad.drain()
        seq = keypad.press(1, "NEXT")
        assert keypad.expect("A", 1).seq == seq
        assert keypad.expect("D", 1, timeout=10).ticket == second
        state = requests.get(f"{hubs[1].url}/api/counters/2", timeout=10,
                             headers={"Authorization": f"Bearer {device}"}).json()
        assert state["ticket"] == second
    finally:
        for supervisor in supervisors:
            supervisor.client.disconnect()
        for hub in hubs:
            hub.stop()
        keypad.close()
