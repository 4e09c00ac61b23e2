"""Pages and API of the city-wide view: ``/`` (supervisors and admins of the city's database)
and ``GET /api/city`` (the same figures as JSON, for a logged-in user or a supervisor token)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from loket.server.auth import require_principal
from loket.server.city import summary
from loket.server.config import CityConfig
from loket.server.context import get_city_config, get_db
from loket.server.db import Database
from loket.server.errors import bad_request

bp = Blueprint(
    "city", __name__, template_folder="templates", static_folder="static",
    static_url_path="/city/static",
)
SUPERVISORS = ("supervisor", "admin")


def _figures(lang: str) -> dict[str, Any]:
    config: CityConfig = get_city_config()
    db: Database = get_db()
    now = time.time()
    today = datetime.fromtimestamp(now, ZoneInfo(config.city.timezone)).date()
    try:
        period = summary.Period.parse(request.args.get("from"), request.args.get("to"), today)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return summary.build(db, config, now, period, lang)


def overview() -> Any:
    """The city's page (registered in place of the hall's landing page)."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if current_user.role not in SUPERVISORS:
        abort(403)
    data = _figures(g.lang)
    template = "city/figures.html" if request.args.get("partial") else "city/overview.html"
    config: CityConfig = get_city_config()
    return render_template(template, data=data, refresh_s=config.city.refresh_s)


@bp.get("/api/city")
def api_city() -> Any:
    require_principal(*SUPERVISORS)
    return jsonify(_figures(g.lang))


@bp.get("/healthz")
def healthz() -> Any:
    db: Database = get_db()
    try:
        with db.read() as s:
            s.connection().exec_driver_sql("SELECT 1")
        return jsonify({"status": "ok", "database": "ok"})
    except Exception as exc:  # reported, not hidden
        current_app.logger.exception("health check: database unavailable")
        return jsonify({"status": "error", "database": exc.__class__.__name__}), 503
