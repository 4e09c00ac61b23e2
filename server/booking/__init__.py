"""Online booking (reservasi antrean): citizens book a slot from home and check in at the
kiosk, where their booking becomes a ticket marked as booked. See docs/booking.md.

* :mod:`.rules` — pure: slots, windows, capacity, check-in window, codes;
* :mod:`.store` — bookings through the hub's write path, with their notices;
* :mod:`.api` — the JSON API; :mod:`.reports` — figures for the reports;
* :mod:`.cli` — ``loket booking purge`` / ``expire``.

Imports inside :func:`init_app` stay lazy: importing this package loads no view or hub."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)
EXPIRE_EVERY_S = 30.0
"""How often the hub process expires no-shows."""
PURGE_EVERY_S = 3600.0
"""How often it deletes personal data past the retention period."""


def init_app(app: Flask) -> None:
    """Register the booking API; cancel bookings a new calendar closure falls on (every hall
    change is checked); outside tests, expire no-shows and purge old personal data
    periodically."""
    from loket.server.booking import api, housekeeping, messages  # noqa: F401  (messages: words)
    from loket.server.context import get_hub
    from loket.server.events import Event

    api.init_app(app)
    hub = get_hub(app)

    def on_hall(event: Event) -> None:
        housekeeping.cancel_closed(hub)

    hub.events.subscribe(on_hall, {"hall"})
    if not app.config.get("TESTING"):
        from loket.server.extensions import socketio

        socketio.start_background_task(_housekeeping, hub)


def _housekeeping(hub: Any) -> None:
    """Expire no-shows every :data:`EXPIRE_EVERY_S`, purge every :data:`PURGE_EVERY_S`."""
    from loket.server.booking import housekeeping
    from loket.server.extensions import socketio

    last_purge: float | None = None
    while True:
        try:
            housekeeping.expire_due(hub)
            if last_purge is None or time.monotonic() - last_purge >= PURGE_EVERY_S:
                housekeeping.purge(hub)
                last_purge = time.monotonic()
        except Exception:
            log.exception("booking housekeeping failed")
        socketio.sleep(EXPIRE_EVERY_S)
