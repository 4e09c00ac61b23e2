"""The supervisor's part: live dashboard, controls, reports and the satisfaction survey (SKM).

Modules: :mod:`.dashboard` (the live payload and alert rules), :mod:`.controls` (moving
queues, running text, pausing services), :mod:`.reports` (SQL aggregation) with
:mod:`.sql` (its building blocks), :mod:`.exports` (CSV/XLSX), :mod:`.survey` (responses and
complaints), :mod:`.routes` (pages and JSON API), :mod:`.live` (the ``/supervisor``
Socket.IO namespace). The IKM arithmetic is in :mod:`loket.server.ikm`, report helpers in
:mod:`loket.server.report_stats`."""

from __future__ import annotations

from flask import Flask

from loket.server.context import get_hub
from loket.server.supervisor import messages, models  # noqa: F401  (strings and tables)


def init_app(app: Flask) -> None:
    """Register this part's pages, API endpoints and Socket.IO namespace."""
    from loket.server.extensions import csrf
    from loket.server.supervisor import live, routes

    csrf.exempt(routes.api)  # checked per request: only session-authenticated writes need it
    app.register_blueprint(routes.pages)
    app.register_blueprint(routes.api)
    live.init_app(app, get_hub(app))
