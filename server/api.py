"""The JSON API (documented in docs/api.md). Every error is ``{"error": code, "message": text}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask_wtf.csrf import CSRFError
from pydantic import create_model

from loket.server import context, notify
from loket.server.auth import current_principal, require_principal
from loket.server.context import get_extension, get_hub, pick_language
from loket.server.counter_desk import COUNTER_ACTIONS, SUPERVISOR_ACTIONS, TICKET_ACTIONS
from loket.server.errors import HubError, bad_request, error_page, error_response
from loket.server.extensions import csrf, limiter
from loket.server.kiosk.limits import kiosk_rate_key, kiosk_rate_limit, ticket_origin
from loket.server.openapi import Body, parse
from loket.server.openapi.requests import NoBody, TicketActionBody, TicketRequest, TransferBody
from loket.server.realtime import public_snapshot
from loket.server.version import version

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

def json_object(allowed: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """Deprecated (use :func:`loket.server.openapi.parse` with a model of
    :mod:`loket.server.openapi.requests`): the body as a JSON object whose keys are among
    ``allowed`` with those types, checked by a pydantic model made on the fly."""
    fields: dict[str, Any] = {}
    for key, expected in allowed.items():
        types_ = expected if isinstance(expected, tuple) else (expected,)
        union: Any = types_[0]
        for extra in types_[1:]:
            union = union | extra
        fields[key] = (union, None)
    model = create_model("Body", __base__=Body, **fields)
    return parse(model)


def _privileged_client() -> bool:
    """Integrations with a device or supervisor token are not rate-limited like kiosks."""
    principal = current_principal()
    return principal is not None and principal.role in (
        "device", "supervisor", "admin", "integration-act")  # integrations: server.openapi.access


@limiter.request_filter
def _privileged_ticket_issue() -> bool:
    """A privileged client's ``POST /api/tickets`` skips Flask-Limiter altogether: the
    route's one limit exempts it anyway (``exempt_when`` below), but only after resolving
    and iterating its limits, ~9 % of such a ticket's CPU (py-spy, bench/hub_load.py).
    Every other request, a kiosk's ticket included, is limited as before."""
    return request.endpoint == "api.issue_ticket" and _privileged_client()


@bp.post("/tickets")
@limiter.limit(kiosk_rate_limit, key_func=kiosk_rate_key, exempt_when=_privileged_client)
def issue_ticket() -> Any:
    body = parse(TicketRequest)
    service = body.get("service")
    if not service:
        raise bad_request("field 'service' is required")
    kiosk = body.get("kiosk")
    if kiosk is not None and len(kiosk) > 32:
        raise bad_request("field 'kiosk' is longer than 32 characters")
    # Only a paired kiosk (or a session/token) may name a kiosk or ask for priority.
    kiosk, priority = ticket_origin(kiosk, bool(body.get("priority", False)))
    phone = notify.phone_from(body, get_hub().config)  # refused before a ticket is issued
    result = get_hub().issue_ticket(
        service.strip().upper(), priority, kiosk=kiosk, lang=g.lang
    )
    answer: dict[str, Any] = {**result}
    if phone is not None:
        answer.update(notify.opt_in(get_hub(), result["status_token"], phone, g.lang))
    return jsonify(answer), 201


@bp.post("/counters/<counter_id>/<action>")
@limiter.exempt  # an officer's key is never rate-limited; and Flask-Limiter's check of a
# route without limits (resolving and iterating none) was 4 % of a NEXT's CPU (cProfile)
def counter_action(counter_id: str, action: str) -> Any:
    hub = get_hub()
    principal = require_principal()
    if principal.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    if counter_id not in hub.counters:
        raise HubError("unknown_counter", counter=counter_id)
    if action not in COUNTER_ACTIONS + SUPERVISOR_ACTIONS:
        raise HubError("unknown_action", action=action)
    if action in SUPERVISOR_ACTIONS and not principal.is_supervisor:
        raise HubError("forbidden")
    if not principal.may_operate(counter_id):
        raise HubError("forbidden")
    service = ticket = None
    if action in TICKET_ACTIONS:
        ticket = (parse(TicketActionBody).get("ticket") or "").strip()
        if not ticket:
            raise bad_request(f"{action} needs a 'ticket'")
    elif action == "transfer":
        body = parse(TransferBody)
        service = (body.get("service") or "").strip().upper()
        if not service:
            raise bad_request("transfer needs a 'service'")
    elif request.content_length:
        parse(NoBody)
    officer = principal.name if principal.kind == "user" and principal.role == "officer" else None
    result = hub.counter_action(
        counter_id, action, actor=principal.label, service=service, officer=officer,
        ticket=ticket,
    )
    if principal.is_supervisor and action in (*SUPERVISOR_ACTIONS, "break", "resume"):
        # Supervisors' controls (session or supervisor token) are audited; officers' are not.
        hub.audit(principal.label, f"counter:{action}", counter_id)
    return jsonify(result), 200


@bp.get("/counters/<counter_id>")
def counter_state(counter_id: str) -> Any:
    principal = require_principal()
    if principal.is_integration:  # agencies' systems: the state, not who is serving
        if counter_id not in get_hub().counters:
            raise HubError("unknown_counter", counter=counter_id[:32])
        return jsonify(dict(get_hub().counter_state(counter_id), officer=None))
    if not principal.may_operate(counter_id):
        raise HubError("forbidden")
    return jsonify(get_hub().counter_state(counter_id))


@bp.get("/state")
def state() -> Any:
    """The hall's state; officers' user names only for signed-in staff."""
    zone = request.args.get("zone") or None
    snapshot = get_hub().snapshot(zone=zone, lang=g.lang)
    principal = current_principal()
    staff = principal is not None and principal.role in ("officer", "supervisor", "admin")
    return jsonify(snapshot if staff else public_snapshot(snapshot))


@bp.get("/tickets/status/<token>")
def ticket_status(token: str) -> Any:
    if len(token) > 64:
        raise HubError("not_found")
    status = get_hub().ticket_by_token(token)
    if status is None:
        raise HubError("not_found")
    return jsonify(status)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.jinja_env.globals["loket_version"] = version()

    @app.get("/healthz")
    def healthz() -> Any:
        hub = get_hub()
        try:
            hub.waiting_counts()
            database = "ok"
        except Exception as exc:  # reported, not hidden: health checks must say why
            log.exception("health check: database unavailable")
            database = f"error: {exc.__class__.__name__}"
        status = 200 if database == "ok" else 503
        body = {"status": "ok" if status == 200 else "error", "database": database,
                "hall": hub.config.hall.name, "day": hub.day(), "version": version()}
        guard = get_extension(context.CONNECTIONS, app)
        if guard is not None:
            body["connections"] = guard.stats()
        return jsonify(body), status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        # Flask-WTF checks forms before the hub's own before_request picks the language.
        g.lang = getattr(g, "lang", None) or pick_language()
        if request.path.startswith("/api/"):
            return error_response("csrf", 400, HubError("csrf").message(g.lang))
        return error_page(400, HubError("csrf").message(g.lang))
