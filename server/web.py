"""Pages shared by every part: the landing page, officer/supervisor login and logout, the
language switch, and the security headers every response carries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
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

from server.auth import audit, verify_user
from server.extensions import limiter
from server.i18n import register

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> Any:
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        db = current_app.extensions["loket.db"]
        user = verify_user(db, form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            audit(f"user:{user.username}", "login", user.role)
            return redirect(_safe_next(request.args.get("next")))
        failed = True
    status = 401 if failed else 200
    return render_template("login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        audit(f"user:{current_user.username}", "logout")
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
