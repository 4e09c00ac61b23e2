"""The ``/supervisor`` Socket.IO namespace: a fresh dashboard payload pushed on hub events.

Only a logged-in supervisor or admin (the page's session cookie) or a supervisor token
(``auth={"token": ...}``) may connect. Events mark the dashboard dirty; one background task
rebuilds it at most every :data:`COALESCE_S` seconds (a burst of fifty tickets is one push) and
at least every :data:`REFRESH_S` seconds so waits keep growing on screen and an SLA alert
appears even when nothing happens. Nothing is built while nobody watches."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, request

from loket.server import context
from loket.server.auth import principal_from_socket
from loket.server.events import Event
from loket.server.extensions import socketio
from loket.server.hub import Hub
from loket.server.supervisor import dashboard

log = logging.getLogger(__name__)
NAMESPACE = "/supervisor"
COALESCE_S = 0.3
REFRESH_S = 10.0


class DashboardPusher:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.dirty = threading.Event()
        self.watchers: set[str] = set()
        self.lock = threading.Lock()
        self.started = False

    def on_event(self, event: Event) -> None:
        if self.watchers:
            self.dirty.set()

    def connected(self, sid: str) -> None:
        with self.lock:
            self.watchers.add(sid)
            if not self.started:
                self.started = True
                socketio.start_background_task(self.run)

    def disconnected(self, sid: str) -> None:
        with self.lock:
            self.watchers.discard(sid)

    def run(self) -> None:
        while True:
            self.dirty.wait(REFRESH_S)
            self.dirty.clear()
            if self.watchers:
                try:
                    payload = dashboard.build(self.hub)
                    # Only this process's watchers: every process pushes to its own, woken
                    # by its own and the relayed events of the others (server.relay).
                    socketio.emit("dashboard", payload, namespace=NAMESPACE, ignore_queue=True)
                except Exception:
                    log.exception("could not push the supervisor dashboard")
            socketio.sleep(COALESCE_S)


def init_app(app: Flask, hub: Hub) -> None:
    pusher = DashboardPusher(hub)
    app.extensions[context.SUPERVISOR_PUSHER] = pusher

    @socketio.on("connect", namespace=NAMESPACE)
    def supervisor_connect(auth: Any = None) -> bool:
        principal = principal_from_socket(auth)
        if principal is None or not principal.is_supervisor:
            return False
        pusher.connected(request.sid)  # type: ignore[attr-defined]
        socketio.emit("dashboard", dashboard.build(hub), namespace=NAMESPACE,
                      to=request.sid)  # type: ignore[attr-defined]
        return True

    @socketio.on("disconnect", namespace=NAMESPACE)
    def supervisor_disconnect(*_: Any) -> None:
        pusher.disconnected(request.sid)  # type: ignore[attr-defined]

    hub.events.subscribe(pusher.on_event)
