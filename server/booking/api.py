"""The booking API (docs/api.md, "Bookings"): slots, booking, the holder's link, check-in, the
supervisor's lists and the admin's sessions.

Who may do what:
* Anyone: list slots, book (limited per address by ``[booking] rate_limit`` and per phone
  number by ``phone_rate_limit``), read and cancel a booking by its link's unguessable token
  (``lookup_rate_limit`` per address). Codes are never looked up for the public: no
  enumeration.
* Check-in by code or scanned link: a paired kiosk, an officer/supervisor/admin session (CSRF
  header) or a device/supervisor/admin token. Anyone else: ``401 kiosk_not_paired``.
* A device, supervisor or admin token or an ``integration-act`` token books with the same rules
  and answers, unlimited by the address limits (source ``api``).
* Supervisors: the day's bookings and the outreach list; admins: the sessions."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask_limiter.util import get_remote_address

from loket.server.admin.access import ADMINS, parsed, principal
from loket.server.admin.store import Document
from loket.server.auth import current_principal, require_principal
from loket.server.booking import availability, reports, store, supervision
from loket.server.booking.checkin import check_in
from loket.server.context import get_config, get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import csrf, limiter
from loket.server.kiosk.devices import current_kiosk
from loket.server.kiosk.limits import kiosk_rate_key, kiosk_rate_limit, ticket_origin
from loket.server.notify.phone import BadPhone, normalize
from loket.server.openapi import parse
from loket.server.openapi import requests as req

log = logging.getLogger(__name__)
bp = Blueprint("booking_api", __name__, url_prefix="/api")
CHECKIN_ROLES = ("officer", "supervisor", "admin", "device")
BOOKING_ROLES = ("officer", "supervisor", "admin", "device", "integration-act")
SUPERVISORS = ("supervisor", "admin")


# --------------------------------------------------------------------------- limits
def _trusted() -> bool:
    """Tokens, staff sessions and paired kiosks are not limited per address or phone."""
    return current_principal() is not None or current_kiosk(get_hub()) is not None


def _booking_limit() -> str:
    return get_config().booking.rate_limit


def _phone_limit() -> str:
    return get_config().booking.phone_rate_limit


def _lookup_limit() -> str:
    return get_config().booking.lookup_rate_limit


def _body_phone() -> str | None:
    body = request.get_json(silent=True) if request.is_json else None
    raw = body.get("phone") if isinstance(body, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return normalize(raw)
    except BadPhone:
        return None


def _phone_key() -> str:
    return f"booking-phone:{_body_phone()}"


def _no_phone_or_trusted() -> bool:
    return _body_phone() is None or _trusted()


def _address_key() -> str:
    return f"booking:{get_remote_address()}"


def _lookup_key() -> str:
    return f"booking-lookup:{get_remote_address()}"


def _writer() -> str:
    """The ``source`` of a write, after the checks of who is writing (CSRF for sessions)."""
    who = current_principal()
    if who is None:
        return "kiosk" if current_kiosk(get_hub()) is not None else "web"
    if who.role not in BOOKING_ROLES:
        raise HubError("forbidden")
    if who.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
        return "officer"
    return "api"


# --------------------------------------------------------------------------- citizens
@bp.get("/booking/services")
@limiter.limit(_lookup_limit, key_func=_lookup_key, exempt_when=_trusted)
def booking_services() -> Any:
    """Bookable services and the booking window, for the citizen's page."""
    hub = get_hub()
    return jsonify(dict(availability.window(hub), services=availability.services(hub, g.lang)))


@bp.get("/booking/slots")
@limiter.limit(_lookup_limit, key_func=_lookup_key, exempt_when=_trusted)
def slots() -> Any:
    return jsonify(availability.slots(get_hub(), request.args.get("service"),
                               request.args.get("date")))


@bp.post("/bookings")
@limiter.limit(_booking_limit, key_func=_address_key, exempt_when=_trusted)
@limiter.limit(_phone_limit, key_func=_phone_key, exempt_when=_no_phone_or_trusted)
def create_booking() -> Any:
    source = _writer()
    body = parse(req.BookingRequest)
    result = store.create(
        get_hub(), service=body.get("service"), day=body.get("date"), start=body.get("start"),
        phone=body.get("phone"), nik=body.get("nik"), address=body.get("address"),
        contact=body.get("contact"), lang=g.lang, source=source)
    return jsonify(result), 201


def _token(token: str) -> str:
    if len(token) > 64:
        raise HubError("not_found")
    return token


@bp.get("/bookings/<token>")
@limiter.limit(_lookup_limit, key_func=_lookup_key, exempt_when=_trusted)
def get_booking(token: str) -> Any:
    found = store.find(get_hub(), _token(token), g.lang)
    if found is None:
        raise HubError("not_found")
    return jsonify(found)


@bp.post("/bookings/<token>/cancel")
@limiter.limit(_lookup_limit, key_func=_lookup_key, exempt_when=_trusted)
def cancel_booking(token: str) -> Any:
    if request.content_length:
        parse(req.NoBody)
    return jsonify(store.cancel(get_hub(), _token(token), g.lang))


# --------------------------------------------------------------------------- check-in
def _staff() -> bool:
    return current_principal() is not None


@bp.post("/bookings/checkin")
@limiter.limit(kiosk_rate_limit, key_func=kiosk_rate_key, exempt_when=_staff)
def checkin() -> Any:
    hub = get_hub()
    who = current_principal()
    if who is None:
        if current_kiosk(hub) is None:
            raise HubError("kiosk_not_paired")
        source = "kiosk"
    else:
        if who.role not in CHECKIN_ROLES:
            raise HubError("forbidden")
        if who.kind == "user":
            csrf.protect()
        source = "officer" if who.kind == "user" else "api"
    body = parse(req.CheckinBody)
    kiosk = body.get("kiosk")
    if kiosk is not None and len(kiosk) > 32:
        raise bad_request("field 'kiosk' is longer than 32 characters")
    kiosk, _ = ticket_origin(kiosk, False)
    result = check_in(hub, body.get("code"), kiosk=kiosk, source=source, lang=g.lang)
    return jsonify(result), 201


# --------------------------------------------------------------------------- supervisors
def _date_arg(name: str, default: date) -> str:
    text = request.args.get(name)
    if not text:
        return default.isoformat()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise bad_request(f"'{name}' must be a date such as 2026-12-01") from None


@bp.get("/supervisor/bookings")
def supervisor_bookings() -> Any:
    """The day's bookings per service (booked, checked in, cancelled, no-shows) and list."""
    require_principal(*SUPERVISORS)
    hub = get_hub()
    today = hub.local(hub.clock()).date()
    return jsonify(supervision.day_summary(hub, _date_arg("date", today)))


@bp.get("/supervisor/bookings/report")
def supervisor_booking_report() -> Any:
    """Tickets booked vs walk-in and the bookings' outcomes per day and service."""
    require_principal(*SUPERVISORS)
    hub = get_hub()
    today = hub.local(hub.clock()).date()
    first = _date_arg("from", today)
    last = _date_arg("to", date.fromisoformat(first))
    return jsonify({"from": first, "to": last,
                    "tickets": reports.booked_walk_in(hub, first, last),
                    "bookings": reports.outcomes(hub, first, last)})


@bp.get("/supervisor/outreach")
def outreach() -> Any:
    """Outreach (jemput bola) bookings with address, contact and team."""
    require_principal(*SUPERVISORS)
    hub = get_hub()
    today = hub.local(hub.clock()).date()
    first = _date_arg("from", today)
    last = _date_arg("to", today + timedelta(days=hub.config.booking.days_ahead))
    return jsonify({"from": first, "to": last,
                    "bookings": supervision.outreach_list(hub, first, last)})


@bp.post("/supervisor/outreach/<int:booking_id>/team")
def outreach_team(booking_id: int) -> Any:
    who = require_principal(*SUPERVISORS)
    if who.kind == "user":
        csrf.protect()
    body = parse(req.TeamBody)
    return jsonify(supervision.assign_team(get_hub(), booking_id, body.get("team"), who.label))


# --------------------------------------------------------------------------- admins
def sessions_json() -> dict[str, Any]:
    hub = get_hub()
    b = hub.config.booking
    return {"enabled": b.enabled, "version": hub.hall.version,
            "sessions": [s.model_dump() for s in b.sessions]}


@bp.get("/admin/booking/sessions")
def admin_sessions() -> Any:
    principal(*SUPERVISORS)
    return jsonify(sessions_json())


@bp.put("/admin/booking/sessions")
def admin_set_sessions() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminBookingSessionsBody)
    hub = get_hub()
    sessions = data["sessions"]

    def edit(doc: Document) -> tuple[Any, Any]:
        before = doc.get("booking_sessions", [s.model_dump(exclude_defaults=True)
                                              for s in hub.config.booking.sessions])
        doc["booking_sessions"] = sessions
        return before, sessions

    hub.hall.change(who.label, "booking:sessions", "booking", edit)
    hub.hall_changed()
    return jsonify(sessions_json())


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # checked per request: only session-authenticated writes need it
    app.register_blueprint(bp)
