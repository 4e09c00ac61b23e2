"""Pushes of help requests, a new ``assistance`` Socket.IO event (existing events unchanged):

* on ``/supervisor`` to every dashboard: ``{"action": "open"|"taken", "id", ...}``;
* on ``/counter`` to the panels of the counters in the request's zones (every panel when the
  zone is unknown): the same, plus ``{"action": "fetch", "ticket", "where", "counter"}`` to the
  panel whose counter calls a ticket that was marked as needing assistance."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from loket.server.assistance import store
from loket.server.events import Event
from loket.server.extensions import socketio

if TYPE_CHECKING:
    from loket.server.hub import Hub

log = logging.getLogger(__name__)
SUPERVISOR = "/supervisor"
COUNTER = "/counter"


def counter_rooms(hub: Hub, zones: list[str]) -> list[str]:
    return [f"counter:{c.id}" for c in hub.counters.values() if not zones or c.zone in zones]


def subscribe(hub: Hub) -> None:
    def on_event(event: Event) -> None:
        if event.remote:  # its process already pushed it through the message queue
            return
        if event.kind == store.EVENT:
            data = event.data
            socketio.emit(store.EVENT, data, namespace=SUPERVISOR)
            rooms = counter_rooms(hub, list(data.get("zones") or []))
            if rooms:
                socketio.emit(store.EVENT, data, namespace=COUNTER, to=rooms)
        elif event.kind == "call":
            fetch = store.mark_for_call(hub, event.data)
            if fetch is not None:
                socketio.emit(store.EVENT, fetch, namespace=COUNTER,
                              to=f"counter:{event.data.get('counter')}")

    hub.events.subscribe(on_event, {store.EVENT, "call"})
