"""HTTP side of the supervisor's part: the pages (``/supervisor``, ``/supervisor/reports``,
``/survey``) and the JSON API under ``/api`` (see docs/supervisor.md).

Supervisor endpoints accept a logged-in supervisor or admin (POSTs then need the
``X-CSRFToken`` header from the page's ``<meta name="csrf-token">``) or a supervisor Bearer
token (scripts; no cookie, so no CSRF)."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from loket.server import ikm, report_stats
from loket.server.auth import Principal, current_principal, require_principal
from loket.server.context import get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import csrf, limiter
from loket.server.i18n import catalog, translate
from loket.server.openapi import parse
from loket.server.openapi import requests as req
from loket.server.supervisor import controls, dashboard, exports, reports, survey

log = logging.getLogger(__name__)
pages = Blueprint(
    "supervisor", __name__, template_folder="templates", static_folder="static",
    static_url_path="/supervisor/static",
)
api = Blueprint("supervisor_api", __name__, url_prefix="/api")
SUPERVISORS = ("supervisor", "admin")


# --------------------------------------------------------------------------- pages
def _page_guard() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if current_user.role not in SUPERVISORS:
        abort(403)
    return None


@pages.get("/supervisor")
def dashboard_page() -> Any:
    refused = _page_guard()
    if refused is not None:
        return refused
    hub = get_hub()
    return render_template(
        "supervisor/dashboard.html",
        strings=dict(catalog(g.lang, "sup."), **catalog(g.lang, "unit.")),
        services=[{"prefix": p, "name": s.name} for p, s in hub.services.items()],
    )


@pages.get("/supervisor/reports")
def reports_page() -> Any:
    refused = _page_guard()
    if refused is not None:
        return refused
    today = get_hub().day()
    return render_template(
        "supervisor/reports.html",
        strings=dict(catalog(g.lang, "rep."), **catalog(g.lang, "unit.")), today=today,
        month_start=today[:8] + "01",
    )


SURVEY_TOKEN_MAX_AGE_S = 3600


def _survey_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="loket-survey")


@pages.get("/survey")
def survey_page() -> Any:
    """``?token=<status token>`` (from the ticket's status page), or ``?counter=<id>`` on a
    counter's tablet signed in as that counter's officer: the counter's current ticket, else
    the last it finished in the past half hour."""
    hub = get_hub()
    token = request.args.get("token", "")
    counter = request.args.get("counter", "")
    signed = ""
    if counter:
        if not current_user.is_authenticated:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if counter not in hub.counters or not current_user.principal.may_operate(counter):
            abort(403)
        ticket_id = survey.counter_ticket_id(hub, counter)
        ticket = survey.survey_ticket(hub, None, ticket_id) if ticket_id else None
        signed = _survey_signer().dumps([ticket_id, counter]) if ticket_id else ""
    else:
        ticket = survey.survey_ticket(hub, token) if token else None
    elements = [
        {
            "n": i + 1,
            "name": e["id"] if g.lang == "id" else e["en"],
            "question": e["question_id"] if g.lang == "id" else e["question_en"],
            "scale": e["scale_id"] if g.lang == "id" else e["scale_en"],
        }
        for i, e in enumerate(ikm.ELEMENTS)
    ]
    return render_template(
        "supervisor/survey.html", token=token, ticket=ticket, elements=elements,
        counter=hub.counters[counter].name if counter else "", survey_token=signed,
        strings=catalog(g.lang, "svy."),
    )


# --------------------------------------------------------------------------- API helpers
def _supervisor(write: bool = False) -> Principal:
    principal = require_principal(*SUPERVISORS)
    if write and principal.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    return principal


def _period() -> report_stats.Period:
    try:
        return report_stats.parse_period(
            request.args.get("from"), request.args.get("to"),
            get_hub().local(get_hub().clock()).date(),
        )
    except report_stats.PeriodError as exc:
        raise bad_request(translate(_PERIOD_ERRORS.get(str(exc), "rep.error_range"), g.lang,
                                    days=report_stats.MAX_RANGE_DAYS)) from None


_PERIOD_ERRORS = {
    "dates must be YYYY-MM-DD": "rep.error_date",
    "'to' is before 'from'": "rep.error_reversed",
}
"""report_stats' reasons -> translated texts (any other is the too-long range)."""


def _dimension() -> str:
    by = request.args.get("by", "service")
    if by not in report_stats.DIMENSIONS:
        raise bad_request(f"'by' must be one of {', '.join(report_stats.DIMENSIONS)}")
    return by


def _service_arg(name: str = "service") -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    value = value.strip().upper()
    if value not in get_hub().services:
        raise HubError("unknown_service", service=value)
    return value


# --------------------------------------------------------------------------- dashboard API
@api.get("/supervisor/dashboard")
def dashboard_json() -> Any:
    _supervisor()
    return jsonify(dashboard.build(get_hub()))


@api.post("/supervisor/move")
def move_tickets() -> Any:
    principal = _supervisor(write=True)
    body = parse(req.MoveBody)
    source = (body.get("from") or "").strip().upper()
    target = (body.get("to") or "").strip().upper()
    if not source or not target:
        raise bad_request("fields 'from' and 'to' are required")
    return jsonify(controls.move_waiting(get_hub(), source, target, principal.label,
                                         body.get("limit")))


@api.post("/supervisor/running-text")
def running_text() -> Any:
    principal = _supervisor(write=True)
    body = parse(req.RunningTextBody)
    if "text" not in body:
        raise bad_request("field 'text' is required")
    return jsonify(controls.set_running_text(get_hub(), body["text"], principal.label))


@api.post("/supervisor/paused")
def pause_service() -> Any:
    principal = _supervisor(write=True)
    body = parse(req.PausedBody)
    service = (body.get("service") or "").strip().upper()
    if not service or "paused" not in body:
        raise bad_request("fields 'service' and 'paused' are required")
    return jsonify(controls.set_paused(get_hub(), service, body["paused"], principal.label))


@api.get("/supervisor/audit")
def audit_log() -> Any:
    _supervisor()
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise bad_request("'limit' must be 1-1000")
    return jsonify({"entries": dashboard.audit_rows(get_hub(), int(limit))})


@api.get("/supervisor/complaints")
def complaint_list() -> Any:
    _supervisor()
    everything = request.args.get("all") in ("1", "true")
    items = [dict(c, source="survey")
             for c in survey.complaints(get_hub(), include_handled=everything)]
    from loket.server.signage import complaints as online  # online complaints (/pengaduan)

    items += online.listing(get_hub(), include_answered=everything)
    items.sort(key=lambda c: str(c.get("at") or ""), reverse=True)
    return jsonify({"complaints": items})


@api.post("/supervisor/complaints/<int:response_id>/handled")
def complaint_handled(response_id: int) -> Any:
    principal = _supervisor(write=True)
    body = parse(req.HandledBody, empty_ok=True)
    return jsonify(survey.mark_handled(get_hub(), response_id, principal.label,
                                       body.get("note", "")))


# --------------------------------------------------------------------------- reports API
@api.get("/reports")
def report_json() -> Any:
    _supervisor()
    return jsonify(reports.build_report(get_hub(), _period(), _dimension(), g.lang))


@api.get("/reports/export.<fmt>")
def report_export(fmt: str) -> Any:
    _supervisor()
    if fmt not in ("csv", "xlsx"):
        raise HubError("not_found")
    hub = get_hub()
    period = _period()
    report = reports.build_report(hub, period, _dimension(), g.lang)
    if fmt == "csv":
        body: bytes = exports.to_csv(report, g.lang).encode("utf-8-sig")
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(report, g.lang, reports.ticket_rows(hub, period, g.lang))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, fmt)}"'
    )
    return response


@api.get("/reports/ikm")
def report_ikm() -> Any:
    _supervisor()
    hub = get_hub()
    period, service = _period(), _service_arg()
    with hub.db.read() as s:
        result = reports.hall_ikm(s, hub, period, service)
    return jsonify(dict(result.as_dict(g.lang), **{
        "from": period.first.isoformat(), "to": period.last.isoformat(), "service": service,
    }))


# --------------------------------------------------------------------------- survey API
@api.post("/survey")
@limiter.limit("30 per minute", key_func=get_remote_address)
def survey_answer() -> Any:
    body = parse(req.SurveyBody)
    token, signed = body.get("status_token"), body.get("survey_token")
    if not token and not signed:
        raise bad_request("field 'status_token' is required")
    if "scores" not in body:
        raise bad_request("field 'scores' is required")
    ticket_id, tablet_counter = None, None
    if signed and not token:
        try:
            payload = _survey_signer().loads(signed, max_age=SURVEY_TOKEN_MAX_AGE_S)
            if isinstance(payload, list):  # [ticket id, the tablet's counter]
                ticket_id, tablet_counter = int(payload[0]), str(payload[1])
            else:
                ticket_id = int(payload)
        except (BadData, TypeError, ValueError, IndexError):
            raise HubError("not_found") from None
    result = survey.record_response(
        get_hub(), token, body["scores"], body.get("comment", ""), ticket_id=ticket_id,
        counter_allowed=survey.counter_rule(current_principal(), tablet_counter))
    return jsonify(result), 201
