"""``/kiosk/pair``: the kiosk's browser becomes a paired kiosk, with the one-time code of
``loket kiosk pair ID`` or, when an admin is signed in on it, by choosing the kiosk. The
answer sets the ``loket_kiosk`` cookie and goes to the kiosk page. See docs/kiosk.md."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from loket.server.auth import audit
from loket.server.context import get_hub
from loket.server.extensions import limiter
from loket.server.kiosk import devices
from loket.server.kiosk.devices import COOKIE, COOKIE_MAX_AGE_S, KioskError

log = logging.getLogger(__name__)
bp = Blueprint("kiosk_pair", __name__)


def _is_admin() -> bool:
    return bool(current_user.is_authenticated and current_user.role == "admin")


def _page(error: str = "", status: int = 200) -> Any:
    hub = get_hub()
    current = devices.current_kiosk(hub)
    kiosks = devices.all_kiosks(hub.config, hub.db) if _is_admin() else []
    return render_template(
        "kiosk/pair.html", error=error, code=request.values.get("code", "")[:16],
        admin=_is_admin(), kiosks=kiosks, current=current,
    ), status


@bp.get("/kiosk/pair")
def pair_page() -> Any:
    return _page()


@bp.post("/kiosk/pair")
@limiter.limit("10 per minute")
def pair() -> Any:
    """Form fields: ``code`` (anyone holding a fresh code) or ``kiosk`` (a signed-in admin).
    CSRF-protected like every form."""
    hub = get_hub()
    now = hub.clock()
    base_url = request.host_url  # only where [kiosk] public_url and `--url` are both unset
    kiosk_id = request.form.get("kiosk", "")
    if kiosk_id and _is_admin():
        try:
            value = devices.pair_directly(hub.config, hub.db, kiosk_id, now,
                                          f"user:{current_user.username}", base_url)
        except KioskError:
            return _page("kiosk.pair.bad_code", 404)
        audit(f"user:{current_user.username}", "kiosk:pair_browser", kiosk_id)
        logout_user()  # a kiosk must not be left signed in as an admin
    else:
        found = devices.redeem_code(hub.db, request.form.get("code", ""), now, base_url)
        if found is None:
            log.warning("kiosk pairing refused: bad code from %s", request.remote_addr)
            return _page("kiosk.pair.bad_code", 400)
        value = found
    kiosk_id = value.split(".", 1)[0]
    response = redirect(url_for("kiosk.kiosk_page", id=kiosk_id, lang=g.lang))
    response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE_S, httponly=True,
                        samesite="Strict", secure=request.is_secure, path="/")
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
