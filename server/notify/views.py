"""``POST /api/tickets/status/<status_token>/notify`` (opt in later, from the status page or
the kiosk), the page parts (opt-in form, number pad, system notification) and their
scripts under ``/notify/static``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, g, jsonify

from loket.server import context
from loket.server.context import get_config, get_db, get_hub
from loket.server.errors import HubError
from loket.server.extensions import csrf, limiter
from loket.server.i18n import catalog
from loket.server.openapi import parse
from loket.server.openapi.requests import PhoneBody

log = logging.getLogger(__name__)
bp = Blueprint("notify", __name__, template_folder="templates", static_folder="static",
               static_url_path="/notify/static")


@bp.post("/api/tickets/status/<token>/notify")
@limiter.limit("10 per minute;30 per hour")
def opt_in(token: str) -> Any:
    from loket.server.notify import entry as notify

    if len(token) > 64:
        raise HubError("not_found")
    body = parse(PhoneBody)
    hub = get_hub()
    phone = notify.phone_from(body, hub.config)
    if phone is None:
        raise HubError("bad_phone")
    return jsonify(notify.opt_in(hub, token, phone, g.lang)), 200


@bp.get("/api/notify/health")
def health() -> Any:
    """Delivery figures for the dashboard's notices section (supervisors and admins)."""
    from loket.server.auth import require_principal
    from loket.server.notify.health import delivery_health

    require_principal("supervisor", "admin")
    return jsonify({"notify": delivery_health(get_hub(), g.lang)})


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # the status token in the URL is the credential; no cookie is used
    app.register_blueprint(bp)

    @app.context_processor
    def _notify_helpers() -> dict[str, Any]:
        config = get_config()
        return {
            "notify_enabled": config.notify.enabled,
            "notify_words": lambda: catalog(getattr(g, "lang", config.hall.language),
                                            "notify."),
        }

    _purge_on_start(app)
    if not app.testing:
        _start_worker(app)


def _start_worker(app: Flask) -> None:
    """`loket serve`: run the sender as a child process that stops when this one ends (its
    standard input closes), so a hall needs no second service. HTTP and SMTP never run in the
    hub's process."""
    import atexit
    import subprocess
    import sys

    from loket.server.integrations.subscriptions import any_active

    config = get_config(app)
    wanted = config.notify.enabled or any_active(config, get_db(app))
    if not (wanted and config.notify.run_worker):  # notices, or webhook events
        return
    if config.source is None:
        log.warning("notices: no config file to give `loket notify worker`; start it yourself")
        return
    child = subprocess.Popen(
        [sys.executable, "-m", "loket", "notify", "worker", "--config", str(config.source),
         "--stop-with-stdin"],
        stdin=subprocess.PIPE,
    )
    app.extensions[context.NOTIFY_WORKER] = child
    log.info("notices: sender started (pid %d)", child.pid)

    def _stop() -> None:
        if child.stdin is not None:
            child.stdin.close()

    atexit.register(_stop)


def _purge_on_start(app: Flask) -> None:
    from loket.server.notify import outbox

    hub = get_hub(app)
    try:
        with hub.db.session() as s:
            gone = outbox.purge(s, hub.day(), hub.clock(), hub.config.notify.keep_days)
        if gone:
            log.info("deleted %d phone numbers of earlier days", gone)
    except Exception:  # a busy database must not stop the hub; the worker purges too
        log.exception("could not purge old phone numbers at start")
