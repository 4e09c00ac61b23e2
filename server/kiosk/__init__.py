"""Where the queue starts: the ticket kiosk (``/kiosk``), the printed ticket (ESC/POS through
python-escpos), the citizen's phone status page (``/t/<token>``) and the data behind the
waiting-time estimate (kept in the core, :mod:`loket.server.service_times`). See docs/kiosk.md.

Imports inside :func:`init_app` stay lazy: importing this package loads no view, app or hub."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the kiosk and status pages, their JSON endpoints and Socket.IO handlers."""
    from loket.server.kiosk import views

    views.init_app(app)


def start_in_hub(app: Flask) -> Any:
    """The kiosk runs in a browser and prints on request: nothing to start in the hub."""
    return None
