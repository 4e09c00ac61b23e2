"""Socket.IO push: the ``/display`` namespace (wall screens, the announcer, anyone public) and
``/status`` (a citizen's phone following one ticket).

``/display``: on connect the server sends ``snapshot`` (the shape of ``GET /api/state``); then
``call`` on every call or recall, ``queue`` when waiting counts change, ``counter`` when a
counter's state changes, ``settings`` when a supervisor changes the running text. A client may
limit itself to one zone with ``auth={"zone": "lantai-2"}`` (or ``?zone=`` in the URL), or to
one counter with ``auth={"counter": "5"}``; it may switch with the ``join`` event. A client that
does not show counters' states asks for fewer messages with ``counter_events``: ``"all"`` (the
default), ``"own"`` (only its ``counter``'s) or ``"none"`` — the hall's TVs ask for none, so a
call costs one message per TV instead of two (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask_socketio import join_room, leave_room, rooms

from loket.server.broadcast import Broadcaster
from loket.server.events import Event
from loket.server.extensions import socketio
from loket.server.hub import Hub, hash_token
from loket.server.i18n import translate

log = logging.getLogger(__name__)
DISPLAY = "/display"
STATUS = "/status"
ALL_ZONES = "zone:*"
COUNTER_EVENTS = "counter-events:"
"""Prefix of the rooms that get ``counter`` events: ``counter-events:*`` every counter's,
``counter-events:<id>`` one counter's."""
COUNTER_EVENT_MODES = ("all", "own", "none")
_PUBLIC_COUNTER_FIELDS = (
    "counter", "counter_name", "zone", "status", "open", "ticket", "service", "waiting", "since",
    "ticket_status",
)


STAFF_ONLY_FIELDS = ("officer",)
"""Fields of a counter that only signed-in staff see (officers' user names are personal data)."""


def public_snapshot(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """``snapshot`` without what only staff may see, for displays and anonymous clients."""
    counters = [{k: v for k, v in c.items() if k not in STAFF_ONLY_FIELDS}
                for c in snapshot.get("counters", [])]
    return dict(snapshot, counters=counters)


def _counter_event_mode(joined: list[str]) -> str:
    """The ``counter_events`` mode a connection chose, read from the rooms it is in."""
    if COUNTER_EVENTS + "*" in joined:
        return "all"
    return "own" if any(r.startswith(COUNTER_EVENTS) for r in joined) else "none"


def _status_token(auth: Any) -> str | None:
    """The status token a phone connects with (``auth`` or ``?token=``); None if unusable."""
    token = (auth or {}).get("token") if isinstance(auth, dict) else request.args.get("token")
    return token if isinstance(token, str) and len(token) <= 64 else None


def _wanted(auth: Any, key: str) -> str | None:
    value = auth.get(key) if isinstance(auth, dict) else None
    value = value or request.args.get(key)
    return str(value)[:32] if value else None


class SnapshotThrottle:
    """At most one ``snapshot``/``join`` answer per connection every ``interval_s`` (a
    snapshot reads the whole hall: a client asking in a loop would load the hub)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: dict[str, float] = {}

    def allow(self, sid: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        last = self._last.get(sid)
        if last is not None and now - last < self.interval_s:
            return False
        self._last[sid] = now
        return True

    def forget(self, sid: str) -> None:
        self._last.pop(sid, None)


def _throttled() -> dict[str, Any]:
    return {"error": "rate_limited", "message": translate("error.rate_limited", "id")}


def join_display_rooms(zone: str | None, counter: str | None, mode: str | None) -> None:
    """Put the connection in the rooms of its zone (or every zone), its counter and its
    ``counter_events`` mode (``mode`` None or unknown: keep the one it has)."""
    current = rooms(namespace=DISPLAY)
    if mode not in COUNTER_EVENT_MODES:  # unset or unknown: keep the connection's mode
        mode = _counter_event_mode(current)
    for room in current:
        if room.startswith(("zone:", "counter:", COUNTER_EVENTS)):
            leave_room(room, namespace=DISPLAY)
    join_room(f"zone:{zone}" if zone else ALL_ZONES, namespace=DISPLAY)
    if counter:
        join_room(f"counter:{counter}", namespace=DISPLAY)
    if mode == "all":
        join_room(COUNTER_EVENTS + "*", namespace=DISPLAY)
    elif mode == "own" and counter:
        join_room(COUNTER_EVENTS + counter, namespace=DISPLAY)


class Pushes:
    """What each hub event sends to the ``/display`` and ``/status`` clients."""

    def __init__(self, broadcaster: Broadcaster) -> None:
        self.broadcaster = broadcaster

    def push(self, event: Event) -> None:
        """Send ``event`` to the clients that follow it (events of other kinds: nothing)."""
        handler = getattr(self, f"_{event.kind}", None)
        if handler is not None:
            handler(event.data)

    def _call(self, data: dict[str, Any]) -> None:
        rooms_to = [ALL_ZONES, f"zone:{data['zone']}", f"counter:{data['counter']}"]
        self.broadcaster.emit("call", data, DISPLAY, rooms_to)

    def _queue(self, data: dict[str, Any]) -> None:
        self.broadcaster.emit("queue", data, DISPLAY)
        self.broadcaster.emit("queue", data, STATUS)

    def _counter(self, data: dict[str, Any]) -> None:
        public = {k: data.get(k) for k in _PUBLIC_COUNTER_FIELDS}
        self.broadcaster.emit("counter", public, DISPLAY,
                              [COUNTER_EVENTS + "*", COUNTER_EVENTS + str(data.get("counter"))])

    def _settings(self, data: dict[str, Any]) -> None:
        socketio.emit("settings", data, namespace=DISPLAY)

    def _hall(self, data: dict[str, Any]) -> None:  # the hall changed: pages re-fetch
        for namespace in (DISPLAY, STATUS, "/counter", "/supervisor"):
            socketio.emit("hall", data, namespace=namespace)

    def _ticket(self, data: dict[str, Any]) -> None:
        public = {k: v for k, v in data.items() if k not in ("token_hash", "id")}
        self.broadcaster.emit("ticket", public, STATUS, f"ticket:{data['token_hash']}")


def init_app(app: Flask, hub: Hub) -> None:
    throttle = SnapshotThrottle(hub.config.security.snapshot_interval_s)

    @socketio.on("connect", namespace=DISPLAY)
    def display_connect(auth: Any = None) -> bool:
        zone, counter = _wanted(auth, "zone"), _wanted(auth, "counter")
        join_display_rooms(zone, counter, _wanted(auth, "counter_events") or "all")
        snapshot = public_snapshot(hub.snapshot(zone=zone))
        socketio.emit("snapshot", snapshot, namespace=DISPLAY, to=request.sid)  # type: ignore[attr-defined]
        return True

    @socketio.on("join", namespace=DISPLAY)
    def display_join(data: Any) -> dict[str, Any]:
        if not throttle.allow(request.sid):  # type: ignore[attr-defined]
            return _throttled()
        zone = _wanted(data, "zone")
        counter = _wanted(data, "counter")
        join_display_rooms(zone, counter, _wanted(data, "counter_events"))
        return public_snapshot(hub.snapshot(zone=zone))

    @socketio.on("snapshot", namespace=DISPLAY)
    def display_snapshot(data: Any = None) -> dict[str, Any]:
        if not throttle.allow(request.sid):  # type: ignore[attr-defined]
            return _throttled()
        return public_snapshot(hub.snapshot(zone=_wanted(data, "zone")))

    @socketio.on("disconnect", namespace=DISPLAY)
    def display_disconnect(*_: Any) -> None:
        throttle.forget(request.sid)  # type: ignore[attr-defined]

    @socketio.on("connect", namespace=STATUS)
    def status_connect(auth: Any = None) -> bool:
        token = _status_token(auth)
        if token is None:
            return False
        status = hub.ticket_by_token(token)
        if status is None:
            return False
        join_room(f"ticket:{hash_token(token)}", namespace=STATUS)
        socketio.emit("ticket", status, namespace=STATUS, to=request.sid)  # type: ignore[attr-defined]
        return True

    # The hall-wide pushes, each encoded once for all its clients (server.broadcast).
    pushes = Pushes(Broadcaster(socketio.server))

    def on_event(event: Event) -> None:
        if not event.remote:  # a remote event's process already pushed it to every client
            pushes.push(event)

    hub.events.subscribe(on_event)
