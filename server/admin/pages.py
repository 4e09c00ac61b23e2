"""``/admin``: the hall's live administration for its staff (admins: everything; supervisors:
quotas, opening hours, last-ticket times and the calendar). The page's forms call the admin
API, so the page and integrations get the same checks, errors and audit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from loket.server.admin.access import SUPERVISORS
from loket.server.admin.accounts_api import tokens, users
from loket.server.admin.api import hall_json
from loket.server.auth import TOKEN_ROLES, USER_ROLES
from loket.server.context import get_hub
from loket.server.i18n import catalog

pages = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/admin/static")


@pages.get("/admin")
def hall_page() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if current_user.role not in SUPERVISORS:
        abort(403)
    is_admin = current_user.role == "admin"
    hall = hall_json()
    zone_counters: dict[str, list[str]] = {}
    for counter in get_hub().counters.values():
        zone_counters.setdefault(counter.zone, []).append(counter.name)
    return render_template(
        "admin/hall.html", live=hall, is_admin=is_admin, zone_counters=zone_counters,
        users=users() if is_admin else [], tokens=tokens() if is_admin else [],
        user_roles=USER_ROLES, token_roles=TOKEN_ROLES, strings=catalog(g.lang, "adm."),
        # The "Reservasi" section (server/booking/templates/booking/_admin_sessions.html).
        booking_sessions=[s.model_dump() for s in get_hub().config.booking.sessions],
        booking_services=[{"prefix": p, "name": s.name} for p, s in get_hub().services.items()],
    )
