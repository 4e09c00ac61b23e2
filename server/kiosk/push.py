"""Live updates for the phone's status page on the ``/status`` Socket.IO namespace.

:mod:`loket.server.realtime` sends ``ticket`` (this ticket changed) and ``queue`` (waiting counts
changed somewhere). The page answers a ``queue`` event that touches its service with a
``refresh`` event (``{"token": ...}``) whose acknowledgement is its fresh status: people
ahead and the estimate. Refreshes are throttled per connection, so a busy hall costs at most
one status query per phone per :data:`MIN_INTERVAL_S`."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, request

from loket.server.estimate import describe_wait
from loket.server.extensions import socketio
from loket.server.hub import Hub

log = logging.getLogger(__name__)
STATUS = "/status"
MIN_INTERVAL_S = 2.0
_last: dict[str, float] = {}


def init_app(app: Flask, hub: Hub) -> None:
    @socketio.on("refresh", namespace=STATUS)
    def status_refresh(data: Any = None) -> dict[str, Any]:
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or len(token) > 64:
            return {"error": "not_found"}
        now = time.monotonic()
        sid = str(getattr(request, "sid", ""))
        if now - _last.get(sid, 0.0) < MIN_INTERVAL_S:
            return {"error": "too_soon", "retry_s": MIN_INTERVAL_S}
        if len(_last) > 20000:
            _last.clear()
        _last[sid] = now
        found = hub.ticket_by_token(token)
        if found is None:
            return {"error": "not_found"}
        status: dict[str, Any] = {**found}
        status.pop("id", None)
        status["stale"] = status.get("status") == "waiting" and "ahead" not in status
        lang = data.get("lang") if data.get("lang") in ("id", "en") else "id"
        if "estimate" in status:
            status["estimate"] = dict(status["estimate"],
                                      text=describe_wait(status["estimate"], lang))
        return status

    @socketio.on("disconnect", namespace=STATUS)
    def status_disconnect(*_args: Any) -> None:
        _last.pop(str(getattr(request, "sid", "")), None)
