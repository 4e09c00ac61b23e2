"""Live administration of the hall: the store that holds its configuration, the hall calendar,
the admin API and pages, and the ``loket config`` / ``loket calendar`` commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin API (and its error handler for calendar refusals)."""
    from loket.server.admin import (  # noqa: F401  (messages registers strings)
        access,
        accounts_api,
        api,
        calendar_api,
        kiosks_api,
        messages,
    )
    from loket.server.extensions import csrf

    for blueprint in (api.api, calendar_api.api, accounts_api.api, kiosks_api.api):
        csrf.exempt(blueprint)  # checked per request: only session-authenticated writes
        app.register_blueprint(blueprint)
    from loket.server.admin import pages
    from loket.server.admin.store import InvalidChange

    app.register_blueprint(pages.pages)
    app.register_error_handler(InvalidChange, access.invalid_response)
