"""Pages shared by every part: the landing page, officer/supervisor login and logout, the
language switch, and the security headers every response carries."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from loket.server import context
from loket.server.auth import audit, end_session, start_session, verify_user
from loket.server.context import find_hub, get_db, get_extension, hall_or_city_config
from loket.server.i18n import register
from loket.server.login_guard import LoginGuard

bp = Blueprint("web", __name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "media-src 'self' blob: data:",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)
"""Pages may load nothing from another host: the browser itself refuses."""

register(
    {
        "web.title": {"id": "Loket — Sistem Antrean", "en": "Loket — Queue system"},
        "web.login": {"id": "Masuk", "en": "Log in"},
        "web.logout": {"id": "Keluar", "en": "Log out"},
        "web.username": {"id": "Nama pengguna", "en": "Username"},
        "web.password": {"id": "Kata sandi", "en": "Password"},
        "web.login_failed": {
            "id": "Nama pengguna atau kata sandi salah.",
            "en": "Wrong username or password.",
        },
        "web.login_locked": {
            "id": "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi dalam "
                  "{minutes} menit atau hubungi admin.",
            "en": "Too many failed login attempts. Please try again in {minutes} minutes "
                  "or ask the admin.",
        },
        "web.language": {"id": "English", "en": "Bahasa Indonesia"},
        "web.display": {"id": "Layar antrean (TV)", "en": "Queue display (TV)"},
        "web.kiosk": {"id": "Anjungan ambil nomor", "en": "Ticket kiosk"},
        "web.counter": {"id": "Panel petugas loket", "en": "Counter officer panel"},
        "web.supervisor": {"id": "Dasbor supervisor", "en": "Supervisor dashboard"},
        "web.survey": {"id": "Survei kepuasan", "en": "Satisfaction survey"},
        "web.api_state": {"id": "Status antrean (JSON)", "en": "Queue state (JSON)"},
        "web.signed_in_as": {"id": "Masuk sebagai {name}", "en": "Signed in as {name}"},
    }
)


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if not target:
        return url_for("web.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("web.index")
    return target


@bp.get("/")
def index() -> str:
    return render_template("index.html")


def _security() -> Any:
    config = hall_or_city_config()
    return config.security


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Log in. Only failures are counted (:mod:`loket.server.login_guard`); a locked login is
    answered 429 with the page in the visitor's language."""
    form = LoginForm()
    failed = False
    locked_minutes = 0
    if form.validate_on_submit():
        db = get_db()
        guard = LoginGuard(db, _security())
        username, address = form.username.data or "", request.remote_addr or ""
        now = time.time()
        lock = guard.lock(username, address, now)
        if lock is not None and lock.scope != "address":
            locked_minutes = lock.minutes
        else:
            user = verify_user(db, username, form.password.data or "")
            if user is not None:
                login_user(start_session(db, user, now))
                audit(f"user:{user.username}", "login", user.role)
                return redirect(_safe_next(request.args.get("next")))
            guard.failed(username, address, now)
            failed = True
            if lock is not None:
                locked_minutes = lock.minutes
            else:
                after = guard.lock(username, address, now)
                locked_minutes = after.minutes if after and after.scope != "address" else 0
                failed = not locked_minutes
    status = 429 if locked_minutes else 401 if failed else 200
    page = render_template("login.html", form=form, failed=failed and not locked_minutes,
                           locked=locked_minutes)
    headers = {"Retry-After": str(locked_minutes * 60)} if locked_minutes else {}
    return page, status, headers


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        audit(f"user:{current_user.username}", "logout")
        end_session(get_db(), current_user.session_id)
        sockets = get_extension(context.SOCKET_SESSIONS)
        if sockets is not None:
            sockets.sweep()  # the panel's and dashboard's live connections end too
        hub: Any = find_hub()
        for counter_id in list(hub.counters) if hub is not None else ():
            # Keypad calls after the officer left must not be credited to them.
            if hub.counter_state(counter_id).get("officer") == current_user.username:
                hub.set_officer(counter_id, None)
    logout_user()
    return redirect(url_for("web.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        lang = request.args.get("lang")
        if lang in ("id", "en") and lang == getattr(g, "lang", None):
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax")
        return response
