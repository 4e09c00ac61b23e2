"""Indonesian voice announcements over the hall's speakers (see docs/voice-pack.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask

from loket.server.context import get_config, get_hub

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the audio routes that displays with in-browser sound use."""
    from loket.audio import web

    web.init_app(app)


def start_in_hub(app: Flask) -> Callable[[], None] | None:
    """Speak the hub's calls on this machine's speakers when ``[audio] enabled``."""
    config = get_config(app)
    if not config.audio.enabled:
        log.info("speech is off ([audio] enabled = false)")
        return None
    from loket.audio.player import Announcer

    hub = get_hub(app)
    announcer = Announcer(config).start()
    unsubscribe = hub.events.subscribe(announcer.on_event, {"call"})

    def follow_hall(_event: object) -> None:  # a counter's spoken name changed in /admin
        announcer.config = hub.config

    unfollow = hub.events.subscribe(follow_hall, {"hall"})
    zones = ", ".join(config.audio.zones) or "every zone"
    log.info("announcer speaks calls of %s (engines: %s)", zones, ", ".join(config.audio.engines))

    def stop() -> None:
        unsubscribe()
        unfollow()
        announcer.stop()

    return stop
