"""Socket.IO push over real sockets, against a real `loket serve` (gevent): snapshot on
connect, call after NEXT/RECALL, queue after an issue, zone filtering, order of calls."""

from __future__ import annotations

import queue
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio

from tests.support.hall import SMALL_HALL, LiveHub, free_port

pytestmark = pytest.mark.slow

CALL_KEYS = {"ticket", "service", "counter", "counter_name", "zone", "recall", "at"}


class Display:
    """A python-socketio client on /display that records every event in arrival order."""

    def __init__(self, url: str, auth: dict[str, str] | None = None,
                 namespace: str = "/display") -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        for name in ("snapshot", "call", "queue", "counter", "settings", "ticket"):
            self.sio.on(name, self._recorder(name), namespace=namespace)
        self.sio.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth,
                         wait_timeout=10)

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        return lambda data: self.events.put((name, data))

    def next(self, kind: str, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind!r} event within {timeout}s")
            name, data = self.events.get(timeout=remaining)
            if name == kind:
                return data

    def drain(self, kind: str, count: int, quiet: float = 0.2) -> list[Any]:
        """The next ``count`` events of ``kind`` as they arrive, plus any more of that kind
        within ``quiet`` seconds after them (so an extra event is seen too)."""
        found = [self.next(kind) for _ in range(count)]
        deadline = time.monotonic() + quiet
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                name, data = self.events.get(timeout=remaining)
            except queue.Empty:
                break
            if name == kind:
                found.append(data)
        return found

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture(scope="module")
def shared_hub(tmp_path_factory) -> Iterator[tuple[LiveHub, str]]:
    """One hub for the module (starting one costs seconds); each test empties its queues."""
    path = tmp_path_factory.mktemp("realtime") / "loket.toml"
    path.write_text(textwrap.dedent(SMALL_HALL), encoding="utf-8")
    hub = LiveHub(path, free_port()).start()
    try:
        yield hub, hub.token("device", "bridge")
    finally:
        hub.stop()


@pytest.fixture
def hall(shared_hub) -> Iterator[tuple[Any, str, list[Display]]]:
    hub, token = shared_hub
    empty_the_hall(hub, token)
    displays: list[Display] = []
    yield hub, token, displays
    closers = [threading.Thread(target=d.close) for d in displays]  # each takes a while
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(10)


def empty_the_hall(hub: Any, token: str) -> None:
    """Call every waiting ticket and finish it, so each test starts from empty queues."""
    for counter in ("1", "5", "2"):
        while post(hub, f"/api/counters/{counter}/next", token).status_code == 200:
            pass
    time.sleep(0.2)  # let the coalesced queue event of the drain go out first


def post(hub: Any, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(hub.url + path, headers=headers, timeout=10, **kwargs)


def test_snapshot_call_and_queue(hall) -> None:
    hub, token, displays = hall
    display = Display(hub.url)
    displays.append(display)
    snapshot = display.next("snapshot")
    state = requests.get(hub.url + "/api/state", timeout=5).json()
    assert set(snapshot) == set(state)
    assert {c["counter"] for c in snapshot["counters"]} == {"1", "2", "5"}

    issued = post(hub, "/api/tickets", token, json={"service": "A"})
    assert issued.status_code == 201
    label = issued.json()["ticket"]
    queued = display.next("queue")
    assert {s["prefix"]: s["waiting"] for s in queued["services"]} == {"A": 1, "B": 0, "C": 0}

    assert post(hub, "/api/counters/1/next", token).status_code == 200
    call = display.next("call")
    assert set(call) >= CALL_KEYS
    assert (call["ticket"], call["service"], call["counter"], call["counter_name"],
            call["zone"], call["recall"]) == (label, "A", "1", "Loket 1", "lantai-1", False)
    assert call["at"].endswith("+07:00")
    assert display.next("queue")["services"][0]["waiting"] == 0

    assert post(hub, "/api/counters/1/recall", token).status_code == 200
    recall = display.next("call")
    assert recall["ticket"] == label and recall["recall"] is True


def test_zone_filtering(hall) -> None:
    hub, token, displays = hall
    upstairs = Display(hub.url, auth={"zone": "lantai-2"})
    downstairs = Display(hub.url, auth={"zone": "lantai-1"})
    everywhere = Display(hub.url)
    displays += [upstairs, downstairs, everywhere]
    assert [c["counter"] for c in upstairs.next("snapshot")["counters"]] == ["5"]
    assert {c["counter"] for c in downstairs.next("snapshot")["counters"]} == {"1", "2"}
    everywhere.next("snapshot")
    for service in ("A", "C"):
        post(hub, "/api/tickets", token, json={"service": service})
    post(hub, "/api/counters/5/next", token)  # prefers C: lantai-2
    post(hub, "/api/counters/1/next", token)  # A: lantai-1
    assert [c["counter"] for c in everywhere.drain("call", 2)] == ["5", "1"]
    assert [c["counter"] for c in upstairs.drain("call", 1)] == ["5"]
    assert [c["counter"] for c in downstairs.drain("call", 1)] == ["1"]


def test_calls_arrive_in_call_order(hall) -> None:
    hub, token, displays = hall
    display = Display(hub.url)
    displays.append(display)
    display.next("snapshot")
    for _ in range(12):
        post(hub, "/api/tickets", token, json={"service": "B"})
    expected = []
    for _ in range(12):
        counter = "2" if len(expected) % 2 else "1"
        response = post(hub, f"/api/counters/{counter}/next", token)
        expected.append(response.json()["called"])
    calls = [c["ticket"] for c in display.drain("call", 12)]
    assert calls == expected
    assert calls == sorted(calls)  # FIFO: B numbers in issue order


def test_join_switches_zone(hall) -> None:
    hub, token, displays = hall
    display = Display(hub.url, auth={"zone": "lantai-1"})
    displays.append(display)
    display.next("snapshot")
    snapshot = display.sio.call("join", {"zone": "lantai-2"}, namespace="/display", timeout=5)
    assert [c["counter"] for c in snapshot["counters"]] == ["5"]
    post(hub, "/api/tickets", token, json={"service": "A"})
    post(hub, "/api/tickets", token, json={"service": "A"})
    post(hub, "/api/counters/1/next", token)
    post(hub, "/api/counters/5/next", token)
    assert [c["counter"] for c in display.drain("call", 1)] == ["5"]


def test_status_namespace_follows_one_ticket(hall) -> None:
    hub, token, displays = hall
    issued = post(hub, "/api/tickets", token, json={"service": "A"}).json()
    phone = Display(hub.url, auth={"token": issued["status_token"]}, namespace="/status")
    displays.append(phone)
    first = phone.next("ticket")
    assert first["ticket"] == issued["ticket"] and first["status"] == "waiting"
    assert "token_hash" not in first
    post(hub, "/api/counters/1/next", token)
    update = phone.next("ticket")
    assert update["status"] == "called" and update["counter"] == "1"


def test_status_namespace_refuses_unknown_token(hall) -> None:
    hub, _, _ = hall
    with pytest.raises(socketio.exceptions.ConnectionError):
        Display(hub.url, auth={"token": "nope"}, namespace="/status")


def events_until_call(display: Display, ticket: str, timeout: float = 5.0) -> list[tuple[str, Any]]:
    """Every event ``display`` got up to and including the ``call`` of ``ticket`` (events of
    one connection arrive in the order they were sent, so nothing sent before is still due)."""
    seen: list[tuple[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no call of {ticket} within {timeout}s")
        name, data = display.events.get(timeout=remaining)
        seen.append((name, data))
        if name == "call" and data["ticket"] == ticket:
            return seen


def test_counter_events_option(hall) -> None:
    hub, token, displays = hall
    every = Display(hub.url)
    own = Display(hub.url, auth={"counter": "1", "counter_events": "own"})
    none = Display(hub.url, auth={"counter_events": "none"})
    displays += [every, own, none]
    for display in (every, own, none):
        display.next("snapshot")
    for service in ("A", "C", "B"):
        post(hub, "/api/tickets", token, json={"service": service})
    post(hub, "/api/counters/1/next", token)  # A
    post(hub, "/api/counters/5/next", token)  # C
    last = post(hub, "/api/counters/2/next", token).json()["called"]  # B: the marker

    def counters(display: Display) -> list[str]:
        return [d["counter"] for name, d in events_until_call(display, last) if name == "counter"]

    assert counters(every) == ["1", "5"]  # the marker's own counter event follows its call
    assert counters(own) == ["1"]
    got = events_until_call(none, last)
    assert [d["counter"] for name, d in got if name == "call"] == ["1", "5", "2"]
    assert [name for name, _ in got if name == "counter"] == []

    # `join` keeps the connection's choice and follows the new counter
    own.sio.call("join", {"counter": "5"}, namespace="/display", timeout=5)
    post(hub, "/api/tickets", token, json={"service": "C"})
    post(hub, "/api/tickets", token, json={"service": "A"})
    post(hub, "/api/counters/5/next", token)
    marker = post(hub, "/api/counters/1/next", token).json()["called"]
    seen = events_until_call(own, marker)
    assert [d["counter"] for name, d in seen if name == "counter"] == ["5"]


def test_a_late_reader_gets_every_call_whole_and_in_order(hall) -> None:
    """A screen with a tiny receive buffer that reads nothing while 60 calls go out gets
    them all afterwards, whole and in call order (the hub writes each broadcast's frame
    straight to the socket, server.broadcast; the full-buffer case is in test_hub_speed)."""
    import json
    import socket as socket_module

    import websocket

    hub, token, _ = hall
    calls_made = 60
    ws = websocket.create_connection(
        hub.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
        sockopt=[(socket_module.SOL_SOCKET, socket_module.SO_RCVBUF, 2048)], timeout=10)
    try:
        assert ws.recv().startswith("0")
        ws.send('40/display,{"counter_events": "none"}')
        while not ws.recv().startswith("40/display"):
            pass
        for _ in range(calls_made):
            post(hub, "/api/tickets", token, json={"service": "B"})
        expected = []
        for i in range(calls_made):
            counter = "2" if i % 2 else "1"
            expected.append(post(hub, f"/api/counters/{counter}/next", token).json()["called"])
        calls: list[str] = []
        while len(calls) < len(expected):
            message = ws.recv()
            if message == "2":
                ws.send("3")
            elif message.startswith('42/display,["call",'):
                calls.append(json.loads(message[len("42/display,"):])[1]["ticket"])
            elif message.startswith("42/display,"):
                json.loads(message[len("42/display,"):])  # every frame whole
        assert calls == expected
    finally:
        ws.close()
