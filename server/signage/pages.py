"""Public pages readable on a phone: ``/info`` and ``/info/<prefix>`` (Standar Pelayanan and
the hall's maklumat), ``/skm`` (survey results with their follow-up), ``/pengaduan`` (file a
complaint; CSRF-protected form, rate-limited per address) and ``/pengaduan/<token>`` (read the
answer); and the supervisors' ``/supervisor/signage`` page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.extensions import limiter
from loket.server.i18n import catalog, translate
from loket.server.signage import complaints, content, skm
from loket.server.signage.api import info_for

bp = Blueprint("signage", __name__, template_folder="templates", static_folder="static",
               static_url_path="/signage/static")
LAPOR_URL = "https://www.lapor.go.id"


@bp.get("/info")
def info_index() -> Any:
    hub = get_hub()
    services = [info_for(hub, p, g.lang) for p in hub.services]
    return render_template("signage/info.html", services=services, one=None,
                           maklumat=content.note(hub, "maklumat"), keys=content.STANDAR_KEYS)


@bp.get("/info/<prefix>")
def info_page(prefix: str) -> Any:
    hub = get_hub()
    prefix = prefix.strip().upper()[:4]
    if prefix not in hub.services:
        abort(404)
    return render_template("signage/info.html", services=[info_for(hub, prefix, g.lang)],
                           one=prefix, maklumat={}, keys=content.STANDAR_KEYS)


@bp.get("/skm")
def skm_page() -> Any:
    data = skm.public(get_hub(), g.lang)
    return render_template("signage/skm.html", skm=data)


class ComplaintForm(FlaskForm):
    kind = StringField(validators=[AnyOf(complaints.KINDS)])
    service = StringField(validators=[Length(max=2)])
    text = TextAreaField(validators=[DataRequired(), Length(min=5, max=complaints.MAX_TEXT)])
    contact = StringField(validators=[Length(max=complaints.MAX_CONTACT)])
    ticket = StringField(validators=[Length(max=64)])


def _complaint_page(form: ComplaintForm, error: str = "") -> Any:
    hub = get_hub()
    services = [(p, s.name) for p, s in hub.services.items()]
    return render_template("signage/pengaduan.html", form=form, services=services, error=error,
                           lapor_url=LAPOR_URL), (400 if error else 200)


@bp.get("/pengaduan")
def complaint_form() -> Any:
    form = ComplaintForm()
    form.ticket.data = (request.args.get("ticket") or "")[:64]
    form.service.data = (request.args.get("service") or "").upper()[:2]
    return _complaint_page(form)


@bp.post("/pengaduan")
@limiter.limit("5 per 10 minutes;20 per day", key_func=get_remote_address)
def complaint_send() -> Any:
    form = ComplaintForm()
    if not form.validate_on_submit():
        # Our own words, Indonesian first (WTForms' messages are English).
        reason = " ".join(translate(f"sig.err.{name}", g.lang) for name in form.errors)
        return _complaint_page(form, translate("sig.bad_form", g.lang, reason=reason))
    try:
        token = complaints.file(get_hub(), form.kind.data or "", form.text.data or "",
                                form.service.data or None, form.ticket.data or None,
                                form.contact.data or "")
    except HubError as exc:
        return _complaint_page(form, translate("sig.bad_form", g.lang,
                                               reason=exc.message(g.lang)))
    return redirect(url_for("signage.complaint_status", token=token, sent=1), code=303)


@bp.get("/pengaduan/<token>")
def complaint_status(token: str) -> Any:
    found = complaints.by_token(get_hub(), token)
    if found is None:
        abort(404)
    return render_template("signage/pengaduan_status.html", item=found,
                           sent=request.args.get("sent") == "1", lapor_url=LAPOR_URL)


@bp.get("/supervisor/signage")
def admin_page() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if current_user.role not in ("supervisor", "admin"):
        abort(403)
    hub = get_hub()
    settings = {
        "groups": content.screen_groups(hub),
        "services": [{"prefix": p, "name": s.name} for p, s in hub.services.items()],
        "zones": sorted({c.zone for c in hub.config.counters if c.zone}),
        "is_admin": current_user.role == "admin",
        "standar_keys": list(content.STANDAR_KEYS),
        "strings": catalog(g.lang, "sig."),
    }
    return render_template("signage/admin.html", settings=settings)
