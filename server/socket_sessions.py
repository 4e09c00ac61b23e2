"""Socket.IO connections opened with a person's session (the officer panel's ``/counter``, the
supervisor dashboard's namespace) end when that session ends: at logout at once, and within
:data:`SWEEP_S` seconds after a password change, disable, role change (made by ``loket user``
in another process) or the idle timeout."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask

from loket.server import context
from loket.server.auth import load_session_user
from loket.server.context import get_db, get_extension
from loket.server.extensions import socketio

log = logging.getLogger(__name__)
SWEEP_S = 30.0


class SocketSessions:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._open: dict[tuple[str, str], str] = {}

    def opened(self, namespace: str, sid: str, cookie_id: str) -> None:
        with self._lock:
            self._open[(namespace, sid)] = cookie_id

    def sweep(self, now: float | None = None) -> int:
        """Disconnect sockets whose session ended; returns how many."""
        now = time.time() if now is None else now
        with self._lock:
            entries = list(self._open.items())
        ended = 0
        with self.app.app_context():
            db = get_db(self.app)
            for (namespace, sid), cookie_id in entries:
                connected = socketio.server.manager.is_connected(sid, namespace)
                alive = connected and load_session_user(db, cookie_id, now, touch=False)
                if alive:
                    continue
                with self._lock:
                    self._open.pop((namespace, sid), None)
                if connected:
                    socketio.server.disconnect(sid, namespace=namespace)
                    ended += 1
        if ended:
            log.info("closed %d Socket.IO connection(s) of ended sessions", ended)
        return ended

    def run(self) -> None:
        while True:
            socketio.sleep(SWEEP_S)
            try:
                self.sweep()
            except Exception:
                log.exception("could not check the sessions of Socket.IO connections")


def register_socket(namespace: str, sid: str, cookie_id: str) -> None:
    """Remember a connection made with a person's session (no-op outside a Loket app)."""
    sessions: Any = get_extension(context.SOCKET_SESSIONS)
    if sessions is not None:
        sessions.opened(namespace, sid, cookie_id)


def init_app(app: Flask, testing: bool) -> SocketSessions:
    sessions = SocketSessions(app)
    app.extensions[context.SOCKET_SESSIONS] = sessions
    if not testing:
        socketio.start_background_task(sessions.run)
    return sessions
