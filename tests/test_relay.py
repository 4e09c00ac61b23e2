"""The relay of hub events between processes, on a real Redis server: each event reaches every
other process once, marked remote, and is never echoed back or relayed twice; Socket.IO
emitters skip remote events; an outage of Redis is logged once and survived, and so is a link
that silently drops everything (a half-open connection)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from loket.server.events import Event, EventBus
from loket.server.extensions import socketio
from loket.server.relay import EventRelay, channel_for
from tests.support.services import TcpProxy, redis_server, redis_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until

pytestmark = pytest.mark.services


def spawn(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


class Process:
    """One hub process's bus and relay, and what its subscribers heard."""

    def __init__(self, url: str, hall: str = "MPP Uji", **options: float) -> None:
        self.bus = EventBus()
        self.heard: list[Event] = []
        self.bus.subscribe(self.heard.append)
        self.relay = EventRelay(self.bus, url, channel_for(hall), **options)
        self.relay.start(spawn)
        assert self.relay.subscribed.wait(10)

    def remote(self) -> list[Event]:
        return [e for e in self.heard if e.remote]


@pytest.fixture
def processes(redis_url: str) -> Iterator[Callable[..., Process]]:  # noqa: F811
    started: list[Process] = []

    def make(url: str = redis_url, hall: str = "MPP Uji", **options: float) -> Process:
        process = Process(url, hall, **options)
        started.append(process)
        return process

    yield make
    for process in started:
        process.relay.stop()


def test_each_event_reaches_every_other_process_once(processes: Any) -> None:
    a, b, c = processes(), processes(), processes()
    other_hall = processes(hall="MPP Lain")
    for n in range(20):
        a.bus.publish(Event("call", {"id": n, "ticket": f"A-{n:03d}", "counter_name": "Lokét 5"}))
    b.bus.publish(Event("queue", {"services": {"A": 3}}))
    assert wait_until(lambda: len(b.remote()) == 20 and len(c.remote()) == 21)
    time.sleep(0.3)  # nothing more arrives: no echo, no second relay of a relayed event
    assert [e.data["id"] for e in b.remote()] == list(range(20))  # in order
    assert b.remote()[0].data["counter_name"] == "Lokét 5"
    assert len(c.remote()) == 21 and c.remote()[-1].kind == "queue"
    assert len(a.remote()) == 1 and a.remote()[0].kind == "queue"
    assert [e for e in a.heard if not e.remote] == a.heard[:20]
    assert other_hall.remote() == []  # another hall's channel
    assert a.relay.sent == 20 and b.relay.received == 20 and c.relay.received == 21


def test_a_malformed_message_is_dropped_and_counted(processes: Any, redis_url: str) -> None:  # noqa: F811
    a, b = processes(), processes()
    client = redis.Redis.from_url(redis_url)
    client.publish(channel_for("MPP Uji"), b"{not json")
    client.publish(channel_for("MPP Uji"), b'{"origin": "x"}')
    a.bus.publish(Event("call", {"id": 1}))
    assert wait_until(lambda: len(b.remote()) == 1)
    assert b.relay.dropped == 2
    client.close()


def test_redis_outage_is_logged_once_and_survived(
    processes: Any, redis_server: Any, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    proxy = TcpProxy(redis_server.port).start()
    url = f"redis://127.0.0.1:{proxy.port}/0"
    caplog.set_level(logging.INFO, logger="loket.server.relay")
    a, b = processes(url), processes(url)
    a.bus.publish(Event("call", {"id": 1}))
    assert wait_until(lambda: len(b.remote()) == 1)

    proxy.cut()
    for n in range(2, 6):  # the hub goes on; these are lost for the other process
        a.bus.publish(Event("call", {"id": n}))
    assert wait_until(lambda: not b.relay.subscribed.is_set())
    time.sleep(1.5)  # several reconnect attempts
    proxy.restore()
    assert wait_until(lambda: a.relay.subscribed.is_set() and b.relay.subscribed.is_set(), 20)
    a.bus.publish(Event("call", {"id": 6}))
    assert wait_until(lambda: [e.data["id"] for e in b.remote()][-1:] == [6], 10)

    messages = [r.getMessage() for r in caplog.records]
    assert sum("cannot relay hub events" in m for m in messages) == 1
    assert sum("relaying hub events to the other processes again" in m for m in messages) == 1
    # Each listener logs the outage once and the recovery once, however many retries.
    assert sum(m.startswith("cannot hear the other hub processes") for m in messages) == 2
    assert sum("hearing the other hub processes again" in m for m in messages) == 2
    proxy.cut()


class SilentLink:
    """A TCP relay that can go silent: it keeps every connection open and accepts new ones,
    but drops all bytes both ways, like a link whose packets vanish (no reset, no close)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.silent = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                return
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if not self.silent:
                    dst.sendall(data)

    def close(self) -> None:
        for s in [self._listener, *self._conns]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def test_a_silent_link_is_noticed_and_redone(
    processes: Any, redis_server: Any, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    """No reset ever comes: the listener notices the silence by an unanswered ping, drops the
    connection and subscribes again once the link carries bytes."""
    link = SilentLink(redis_server.port)
    url = f"redis://127.0.0.1:{link.port}/0"
    caplog.set_level(logging.INFO, logger="loket.server.relay")
    a = processes(url, keepalive_s=0.5, pong_timeout_s=0.5)
    b = processes(url, keepalive_s=0.5, pong_timeout_s=0.5)
    try:
        time.sleep(1.5)  # a quiet channel is pinged and answered: nothing is redone
        assert a.relay.subscribed.is_set() and b.relay.subscribed.is_set()
        # Only this test's link counts: relays of earlier tests may still be retrying theirs.
        assert not any("cannot hear" in r.getMessage() and (
            f":{link.port}" in r.getMessage() or "connecting to" not in r.getMessage())
            for r in caplog.records)
        link.silent = True
        assert wait_until(lambda: not b.relay.subscribed.is_set(), 5)
        time.sleep(1.5)  # resubscriptions on new connections go unanswered too
        assert not b.relay.subscribed.is_set()
        link.silent = False
        assert wait_until(lambda: a.relay.subscribed.is_set() and b.relay.subscribed.is_set(), 20)
        a.bus.publish(Event("call", {"id": 9}))
        assert wait_until(lambda: [e.data["id"] for e in b.remote()] == [9], 10)
        messages = [r.getMessage() for r in caplog.records]
        assert sum(m.startswith("cannot hear the other hub processes") for m in messages) == 2
        assert sum("hearing the other hub processes again" in m for m in messages) == 2
    finally:
        for process in (a, b):
            process.relay.stop()
        link.close()


def test_socketio_emitters_skip_remote_events(app: Any, hub: Any) -> None:
    """A display on this process gets a call once: from its own process's emit (through the
    message queue when there is one), never again from the relayed copy."""
    client = socketio.test_client(app, namespace="/display")
    client.get_received("/display")  # the snapshot
    hub.events.publish(Event("call", {"id": 7, "zone": "lantai-1", "counter": "1"},
                             remote=True))
    assert client.get_received("/display") == []
    hub.events.publish(Event("call", {"id": 8, "zone": "lantai-1", "counter": "1"}))
    received = client.get_received("/display")
    assert [r["args"][0]["id"] for r in received if r["name"] == "call"] == [8]
    client.disconnect(namespace="/display")


def test_links_to_redis_cannot_hang_for_ever(
    redis_url: str, write_config: Callable[..., Any]  # noqa: F811
) -> None:
    """The relay's and Socket.IO's Redis connections carry keepalives and TCP_USER_TIMEOUT, so
    a dead Redis host breaks a blocked publish (held under the call-order lock) within
    seconds instead of never."""
    import socket

    from loket.server.app import create_app
    from loket.server.config import load_config
    from loket.server.relay import link_options

    options = link_options(dead_after_s=15)
    client = redis.Redis.from_url(redis_url, **options)
    client.ping()
    connection = client.connection_pool.get_connection()
    sock = connection._sock
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 15000
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 10
    client.connection_pool.release(connection)
    client.close()

    from tests.support.hall import SMALL_HALL

    path = write_config(SMALL_HALL.replace(
        "[realtime]\n", f'[realtime]\nmessage_queue = "{redis_url}"\n'))
    app = create_app(load_config(path), async_mode="threading", testing=True)
    manager = socketio.server.manager
    assert manager.redis_options == link_options()
    assert manager.channel == "loket:socketio:mpp-uji"
    app.extensions["loket.hub"].db.dispose()
