"""The wall screens citizens watch: the hall screen (``/display``) and the compact screen above
one counter (``/display/counter/<id>``). Both are static pages fed by Socket.IO push on the
``/display`` namespace (see :mod:`loket.server.realtime`); nothing here polls."""

from __future__ import annotations

from typing import Any

from flask import Flask

from loket.display import messages  # noqa: F401  (registers the screens' words)
from loket.display.views import bp


def init_app(app: Flask) -> None:
    """Register the display pages, their templates and their static files."""
    app.register_blueprint(bp)


def start_in_hub(app: Flask) -> Any:
    """The displays run in browsers: nothing to start inside the hub."""
    return None
