"""The kiosk's pages and endpoints: ``/kiosk``, ``/t/<token>`` (the phone's status page), its
QR code, ``GET /api/services``, ``POST /api/kiosks/<id>/print/<token>`` and
``GET /api/kiosks`` (printer status for supervisors). docs/kiosk.md describes them.

Printing and printer checks answer only the paired kiosk itself (its ``loket_kiosk`` cookie,
:mod:`loket.server.kiosk.devices`); absolute addresses (QR codes, printed status links) come from
:func:`loket.server.kiosk.devices.public_base`, never from a request's ``Host`` header."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    send_file,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from loket.server.auth import require_principal
from loket.server.context import get_hub
from loket.server.errors import HubError, bad_request
from loket.server.estimate import describe_wait
from loket.server.events import Event
from loket.server.extensions import csrf, limiter
from loket.server.hub import Hub, hash_token
from loket.server.i18n import catalog, translate
from loket.server.kiosk import (
    devices,
    messages,  # noqa: F401  (registers the kiosk's words)
    pairing,
    push,
)
from loket.server.kiosk.devices import KioskInfo
from loket.server.kiosk.limits import note_refusal
from loket.server.kiosk.models import KioskPrint
from loket.server.kiosk.printing import TicketPrint, check_printer, print_ticket
from loket.server.kiosk.qr import qr_svg
from loket.server.kiosk.services import allowed_agencies, kiosk_by_id, service_list
from loket.server.models import Ticket

log = logging.getLogger(__name__)
bp = Blueprint(
    "kiosk", __name__, template_folder="templates", static_folder="static",
    static_url_path="/kiosk/static",
)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{20,64}$")
"""Status tokens are 24 URL-safe characters; ticket numbers (``A-001``) never match."""
PRINT_WINDOW_S = 15 * 60
"""A ticket can be printed this long after it was issued (a retry after a paper change)."""


def _public_base() -> str:
    hub = get_hub()
    return devices.public_base(hub, devices.current_kiosk(hub))


def _this_kiosk(kiosk_id: str) -> KioskInfo:
    """The kiosk ``kiosk_id`` when the request is that paired kiosk's own; else HubError 404
    (unknown), 401 (no pairing) or 403 (another kiosk's pairing)."""
    hub = get_hub()
    kiosk = kiosk_by_id(hub, kiosk_id)
    if kiosk is None:
        raise HubError("not_found")
    paired = devices.current_kiosk(hub)
    if paired is None:
        raise HubError("kiosk_not_paired", kiosk=kiosk.id)
    if paired.id != kiosk.id:
        raise HubError("forbidden")
    return kiosk


def _check_token(token: str) -> str:
    if not TOKEN_RE.match(token):
        abort(404)
    return token


def _public_status(status: dict[str, Any], lang: str) -> dict[str, Any]:
    """A ticket's status as the phone sees it: no database ids."""
    status = {k: v for k, v in status.items() if k not in ("id", "token_hash")}
    status["stale"] = status.get("status") == "waiting" and "ahead" not in status
    if "estimate" in status:
        status["estimate"] = dict(status["estimate"],
                                  text=describe_wait(status["estimate"], lang))
    return status


@bp.get("/kiosk")
def kiosk_page() -> Any:
    hub = get_hub()
    kiosk_id = request.args.get("id") or ""
    paired = devices.current_kiosk(hub)
    kiosk = paired or kiosk_by_id(hub, kiosk_id)  # a paired browser is always its own kiosk
    if kiosk_id and kiosk is None:
        abort(404)
    config = hub.config
    return render_template(
        "kiosk/kiosk.html",
        kiosk=kiosk,
        settings={
            "kiosk": kiosk.id if kiosk else "",
            "agency": request.args.get("agency", "")[:200],
            "lang": g.lang,
            "default_lang": config.hall.language,  # the next citizen starts in it
            "idle_timeout_s": config.kiosk.idle_timeout_s,
            # Only a paired kiosk prints on its printer and may issue priority numbers.
            "printer": bool(paired and paired.printer),
            "paired": paired is not None,
            "priority": paired is not None,
            "paper_width_mm": kiosk.paper_width_mm if kiosk else 80,
            "public_base": devices.public_base(hub, paired),
            "booking": config.booking.active,  # "Saya sudah reservasi" (server/booking/)
        },
        words=catalog(g.lang, "kiosk."),
        paper_width=kiosk.paper_width_mm if kiosk else 80,
    )


@bp.get("/t/<token>")
def status_page(token: str) -> Any:
    hub = get_hub()
    status = hub.ticket_by_token(_check_token(token))
    if status is None:
        abort(404)
    public = _public_status(status, g.lang)
    response = current_app.make_response(render_template(
        "kiosk/status.html",
        status=public,
        token=token,
        words=catalog(g.lang, "status."),
        kiosk_words=catalog(g.lang, "kiosk."),
        initial=json.dumps(public, ensure_ascii=False).replace("<", "\\u003c"),
        service_names={p: (s.name if g.lang == "id" else s.name_en or s.name)
                       for p, s in hub.services.items()},
    ))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/kiosk/logo")
def logo() -> Response:
    config = get_hub().config
    path = config.resolve(config.hall.logo) if config.hall.logo else None
    if path is None or path.suffix.lower() not in (".png", ".svg") or not path.is_file():
        abort(404)
    return send_file(path, max_age=3600)


@bp.get("/t/<token>/qr.svg")
def status_qr(token: str) -> Response:
    _check_token(token)
    if get_hub().ticket_by_token(token) is None:
        abort(404)
    response = Response(qr_svg(f"{_public_base()}/t/{token}"), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/api/services")
def services() -> Any:
    hub = get_hub()
    kiosk = devices.current_kiosk(hub) or kiosk_by_id(hub, request.args.get("id"))
    agencies = allowed_agencies(hub, request.args.get("agency"), kiosk)
    return jsonify(service_list(hub, g.lang, agencies))


def _record(hub: Hub, kiosk_id: str, ticket_id: int | None, status: str, detail: str,
            label: str | None) -> None:
    """Store a printer's status and publish it (``printer`` event) after the commit."""
    with hub.write() as w:
        w.session.add(KioskPrint(ts=w.now, kiosk=kiosk_id, ticket_id=ticket_id, status=status,
                                 detail=detail[:200]))
        w.publish(Event("printer", {
            "kiosk": kiosk_id, "status": status, "detail": detail, "ticket": label,
            "at": hub.iso(w.now),
        }))


def last_printer_status(hub: Hub, kiosk_id: str) -> dict[str, Any] | None:
    """A kiosk printer's last known status (None: never reported)."""
    with hub.db.read() as s:
        row = s.scalars(
            select(KioskPrint).where(KioskPrint.kiosk == kiosk_id)
            .order_by(KioskPrint.ts.desc(), KioskPrint.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return {"status": row.status, "detail": row.detail, "at": hub.iso(row.ts)}


@bp.post("/api/kiosks/<kiosk_id>/print/<token>")
@limiter.limit("30 per minute")
def print_endpoint(kiosk_id: str, token: str) -> Any:
    """Print an issued ticket on this kiosk's printer. The ticket must have been issued at this
    kiosk in the last 15 minutes and not printed yet; the answer says whether it printed."""
    hub = get_hub()
    kiosk = _this_kiosk(kiosk_id)
    if not kiosk.printer:
        raise bad_request(f"kiosk {kiosk_id!r} has no printer; the browser prints")
    if not TOKEN_RE.match(token):
        raise HubError("not_found")
    with hub.db.read() as s:
        ticket = s.scalars(
            select(Ticket).where(Ticket.status_token_hash == hash_token(token))
        ).one_or_none()
        if ticket is None or ticket.kiosk != kiosk_id:
            raise HubError("not_found")
        if hub.clock() - ticket.issued_ts > PRINT_WINDOW_S:
            raise bad_request("this ticket was issued too long ago to be printed")
        printed = s.scalars(
            select(KioskPrint.id).where(KioskPrint.ticket_id == ticket.id,
                                        KioskPrint.status.in_(("ok", "paper_low")))
        ).first()
        if printed is not None:
            raise bad_request("this ticket was printed already")
        ticket_id, label = ticket.id, ticket.label
    status = hub.ticket_by_token(token) or {}
    service = hub.services[status.get("service") or ticket.service]
    lang = hub.config.hall.language
    estimate = status.get("estimate")
    ahead = int(status.get("ahead") or 0)
    logo = hub.config.resolve(hub.config.hall.logo) if hub.config.hall.logo else None
    paper = TicketPrint(
        hall=hub.config.hall.name,
        ticket=label,
        service=service.name,
        agency=hub.agency_name(service.agency),
        issued=hub.local(ticket.issued_ts).strftime("%d-%m-%Y %H.%M"),
        ahead_line=translate("kiosk.ahead", lang, n=ahead) if ahead
        else translate("kiosk.ahead_none", lang),
        wait_line=translate("kiosk.ticket.wait", lang, text=describe_wait(estimate, lang))
        if estimate else "",
        status_url=f"{_public_base()}/t/{token}",
        footer=translate("kiosk.ticket.footer", lang),
        priority_line=translate("kiosk.ticket.priority", lang) if status.get("priority") else "",
        logo=logo,
    )
    result, _output = print_ticket(kiosk.printer, kiosk.paper_width_mm, paper, kiosk.id)
    _record(hub, kiosk.id, ticket_id, result.status, result.detail, label)
    if result.status != "ok":
        log.warning("kiosk %s printer: %s %s", kiosk.id, result.status, result.detail)
    return jsonify({
        "printed": result.printed,
        "status": result.status,
        "message": None if result.status == "ok" else translate(
            "kiosk.print_failed", g.lang,
            status=translate(f"kiosk.printer.{result.status}", g.lang)),
    }), 200


@bp.post("/api/kiosks/<kiosk_id>/check")
@limiter.limit("6 per minute")
def check_endpoint(kiosk_id: str) -> Any:
    """Ask the kiosk's printer for its status without printing (the kiosk page does this when
    it starts and each time it returns to its start screen), so an empty roll is known before
    a citizen takes a ticket. A change of status is stored and published like a print."""
    hub = get_hub()
    kiosk = _this_kiosk(kiosk_id)
    if not kiosk.printer:
        return jsonify({"status": "none", "printer": False, "message": None})
    result = check_printer(kiosk.printer, kiosk.id)
    last = last_printer_status(hub, kiosk.id)
    if last is None or last["status"] != result.status:
        _record(hub, kiosk.id, None, result.status, result.detail, None)
    return jsonify({
        "status": result.status,
        "printer": True,
        "message": None if result.printed else translate(
            "kiosk.printer_down", g.lang,
            status=translate(f"kiosk.printer.{result.status}", g.lang)),
    })


@bp.get("/api/kiosks")
def kiosks() -> Any:
    """Kiosks and their printers' last status (supervisors and devices)."""
    require_principal("supervisor", "admin", "device")
    hub = get_hub()
    state = devices.states(hub.db)
    out = []
    for k in devices.all_kiosks(hub.config, hub.db):
        row = state.get(k.id, {})
        out.append({
            "id": k.id, "name": k.label, "printer": bool(k.printer),
            "paper_width_mm": k.paper_width_mm, "agencies": list(k.agencies),
            "printer_status": last_printer_status(hub, k.id),
            "in_file": k.in_file, "paired": bool(row.get("paired")),
            "last_seen": hub.iso(row.get("last_seen_ts")),
            "limited_at": hub.iso(row.get("limited_ts")),
            "limited_count": int(row.get("limited_count") or 0),
        })
    return jsonify({"kiosks": out})


def _after_ticket(response: Response) -> Response:
    """Refusals of ``POST /api/tickets`` by a rate limit become dashboard alerts."""
    if response.status_code == 429 and request.endpoint == "api.issue_ticket":
        try:
            note_refusal()
        except Exception:  # an alert must never turn a 429 into a 500
            log.exception("could not note a kiosk's rate-limit refusal")
    return response


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
    pairing.init_app(app)
    app.after_request(_after_ticket)
    push.init_app(app, get_hub(app))
