"""The floor of ``bench/hub_load.py``: a bare python-socketio server on the same async mode and
WSGI server as ``loket serve`` (gevent, pywsgi, simple-websocket), with no Flask, no database
behind the calls and no Loket code, that sends the same messages as the hub.

* ``POST /api/counters/<n>/next`` emits one ``call`` (a payload of the same size as the
  hub's) to every ``/display`` connection, plus one ``counter`` to the displays that asked for
  counter events (``auth={"counter_events": "all"}``, the hub's default), marks the waiting
  counts dirty and answers ``{"called": label}``;
* a coalescing greenlet emits one ``queue`` (the hub's size for the bench's hall) to every
  ``/display`` and ``/status`` connection at most every ``--queue-interval`` seconds, as the
  hub's notifier does;
* ``POST /api/tickets`` inserts one row into a SQLite file in WAL mode with
  ``synchronous=FULL`` and commits it (one durable write per ticket, as the hub promises)
  and answers ``{"ticket": label}``.

Like the hub's handler (server/wsgi_handler.py), it turns Nagle's algorithm off on every
connection: gevent's pywsgi sends a response's headers and body in two writes, and with Nagle
on, the body waits for the client's delayed acknowledgement (40 ms).

So the bench's latency, CPU per call, tickets/s and RSS measured against this process are
what the same machine, Python stack and message count cost with nothing of Loket's own.

    python bench/floor_server.py --port 5001 --db /tmp/floor.db [--queue-interval 0.5]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import sqlite3  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import socketio  # noqa: E402
from gevent import pywsgi, socket  # noqa: E402

COUNTERS = 100
SERVICES = "ABCDEFGH"


def call_payload(counter: int, label: str, seq: int) -> dict[str, Any]:
    """A ``call`` event of the hub's shape and size."""
    return {
        "id": seq, "ticket": label, "service": label[0], "counter": str(counter),
        "counter_name": f"Loket {counter}", "counter_spoken_name": "",
        "zone": "lantai-1" if counter <= COUNTERS // 2 else "lantai-2", "recall": False,
        "priority": False, "booked": False, "at": "2026-11-30T15:40:33+07:00",
    }


def counter_payload(counter: int, label: str) -> dict[str, Any]:
    """A ``counter`` event of the hub's public shape."""
    return {
        "counter": str(counter), "counter_name": f"Loket {counter}", "zone": "lantai-1",
        "status": "serving", "open": True, "ticket": label, "service": label[0], "waiting": 12,
        "since": "2026-11-30T15:40:33+07:00", "ticket_status": "called",
    }


def queue_payload(counters: int, waiting: int) -> dict[str, Any]:
    """A ``queue`` event of the hub's shape for a hall of ``counters`` counters."""
    return {
        "services": [{"prefix": p, "waiting": waiting} for p in SERVICES],
        "counters": [{"id": str(i), "waiting": waiting * 8} for i in range(1, counters + 1)],
        "at": "2026-11-30T15:40:33+07:00",
    }


class Floor:
    """The bare server's state: the Socket.IO server, the queue notifier, the ticket file."""

    def __init__(self, db_path: str, queue_interval: float, counters: int) -> None:
        self.sio = socketio.Server(async_mode="gevent", ping_interval=10, ping_timeout=10)
        self.sio.on("connect", self.connect, namespace="/display")
        self.sio.on("connect", self.connect_status, namespace="/status")
        self.db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, "
                        "service TEXT, number INTEGER, UNIQUE (service, number))")
        self.numbers: dict[str, int] = {}
        self.seq = 0
        self.counters = counters
        self.queue_interval = queue_interval
        self.dirty = gevent.event.Event()
        gevent.spawn(self.notifier)

    def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        wanted = auth.get("counter_events", "all") if isinstance(auth, dict) else "all"
        if wanted == "all":
            self.sio.enter_room(sid, "counter-events", namespace="/display")
        return True

    def connect_status(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        return True

    def notifier(self) -> None:
        while True:
            self.dirty.wait()
            self.dirty.clear()
            payload = queue_payload(self.counters, self.seq % 50)
            self.sio.emit("queue", payload, namespace="/display")
            self.sio.emit("queue", payload, namespace="/status")
            gevent.sleep(self.queue_interval)

    def next(self, counter: int) -> bytes:
        self.seq += 1
        label = f"{SERVICES[self.seq % len(SERVICES)]}-{self.seq:03d}"
        self.sio.emit("call", call_payload(counter, label, self.seq), namespace="/display")
        self.sio.emit("counter", counter_payload(counter, label), namespace="/display",
                      to="counter-events")
        self.dirty.set()
        return json.dumps({"called": label}).encode()

    def issue(self, body: bytes) -> bytes:
        service = str(json.loads(body or b"{}").get("service", "A"))[:1]
        number = self.numbers.get(service, 0) + 1
        self.numbers[service] = number
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT INTO tickets (service, number) VALUES (?, ?)", (service, number))
        self.db.execute("COMMIT")
        self.dirty.set()
        return json.dumps({"ticket": f"{service}-{number:03d}",
                           "status_token": f"floor{time.time_ns()}"}).encode()

    def http(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            body, status = b'{"ok": true}', "200 OK"
        elif path.startswith("/api/counters/") and path.endswith("/next"):
            body, status = self.next(int(path.split("/")[3])), "200 OK"
        elif path == "/api/tickets":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body, status = self.issue(environ["wsgi.input"].read(length)), "201 CREATED"
        else:
            body, status = b"{}", "404 NOT FOUND"
        start(status, [("Content-Type", "application/json"),
                       ("Content-Length", str(len(body)))])
        return [body]


class NoDelayHandler(pywsgi.WSGIHandler):
    """gevent's handler with Nagle's algorithm off (see module)."""

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        super().__init__(sock, address, server, rfile)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--queue-interval", type=float, default=0.5)
    parser.add_argument("--counters", type=int, default=COUNTERS)
    args = parser.parse_args()
    floor = Floor(args.db, args.queue_interval, args.counters)
    app = socketio.WSGIApp(floor.sio, floor.http)
    pywsgi.WSGIServer(("127.0.0.1", args.port), app, log=None,
                      handler_class=NoDelayHandler).serve_forever()


if __name__ == "__main__":
    main()
