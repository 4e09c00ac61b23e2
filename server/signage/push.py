"""The ``signage`` event on ``/display``: every screen's content (playlists, media, running
texts, Standar Pelayanan, maklumat, SKM). Sent whole whenever a supervisor changes any of it,
and answered to a screen that asks (the ``signage`` request it makes on every (re)connect), so
a screen that was offline catches up. The ``snapshot``/``call``/``queue`` events are untouched:
nothing here is on the call path."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from loket.server.extensions import socketio
from loket.server.hub import Hub
from loket.server.signage import content, skm

log = logging.getLogger(__name__)
DISPLAY = "/display"
CACHE_S = 5.0

_cache: dict[str, Any] = {}
_lock = threading.Lock()


def build_state(hub: Hub) -> dict[str, Any]:
    media = {str(m["id"]): m for m in content.media_list(hub)}
    standar = content.all_standar(hub)
    return {
        "version": time.time(),
        "playlists": content.playlists(hub),
        "media": media,
        "texts": content.texts(hub),
        "standar": {
            prefix: {"service": svc.name, "name_en": getattr(svc, "name_en", "") or svc.name,
                     "standar": standar.get(prefix, {})}
            for prefix, svc in hub.services.items()
        },
        "maklumat": content.note(hub, "maklumat"),
        "skm": skm.public(hub),
    }


def state(hub: Hub) -> dict[str, Any]:
    """The current content, cached briefly (fifty screens reconnecting ask at once; other
    hub processes drop their copy within seconds, and pushes always carry fresh content)."""
    with _lock:
        cached = _cache.get("state")
        if cached is not None and time.monotonic() - _cache["at"] < CACHE_S \
                and _cache.get("hub") is hub:
            return dict(cached)
    fresh = build_state(hub)
    with _lock:
        _cache.update(state=fresh, at=time.monotonic(), hub=hub)
    return fresh


def changed(hub: Hub) -> None:
    """Something changed: drop the cache and push the new content to every open screen."""
    with _lock:
        _cache.clear()
    try:
        socketio.emit("signage", state(hub), namespace=DISPLAY)
    except Exception:  # a push failing must not fail the supervisor's change
        log.exception("could not push signage content")


def init_socket(hub: Hub) -> None:
    @socketio.on("signage", namespace=DISPLAY)
    def signage_request(data: Any = None) -> dict[str, Any]:
        return state(hub)
