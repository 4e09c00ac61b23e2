"""Help on request (*Butuh bantuan*) and the kiosk's spoken prompts for its accessible mode:
requests from the kiosk and the phone's status page appear on the supervisor dashboard and
the officer panels of the right zone until a member of staff takes them. See
docs/accessibility.md and docs/api.md."""

from __future__ import annotations

from flask import Flask

from loket.server.context import get_hub


def init_app(app: Flask) -> None:
    from loket.server.assistance import (
        messages,  # noqa: F401  (registers the words)
        push,
        routes,
    )
    from loket.server.extensions import csrf

    csrf.exempt(routes.bp)
    app.register_blueprint(routes.bp)
    push.subscribe(get_hub(app))
