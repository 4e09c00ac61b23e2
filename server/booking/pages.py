"""The citizen's booking pages: ``/booking`` (agency → service → date → slot → details →
code and QR), ``/b/<token>`` (the booking, its QR code, an ``.ics`` file and cancelling).

The pages hold no booking logic: ``/booking`` calls the contract's JSON API
(``GET /api/booking/slots``, ``POST /api/bookings``) from its script, ``/b/<token>`` reads the
booking through ``GET /api/bookings/<token>`` (:func:`page_data.load_booking`) and cancels
through ``POST /api/bookings/<token>/cancel``. These are the pages meant to be reached from the
internet (docs/deploy.md): no database ids, no personal data in them, ``no-store`` and
``noindex`` on every answer that names a booking."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from loket.server.booking import page_data, store
from loket.server.booking import page_messages as _words  # noqa: F401  (registers the words)
from loket.server.booking.ics import BookingEvent, booking_ics
from loket.server.context import get_hub
from loket.server.i18n import catalog, translate
from loket.server.kiosk import devices
from loket.server.kiosk.qr import qr_svg

bp = Blueprint(
    "booking_pages", __name__, template_folder="templates", static_folder="static",
    static_url_path="/booking/static",
)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
"""Booking tokens are URL-safe random strings; anything else is a 404 without a lookup."""
DAY_NAMES = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


def long_date(day: date, lang: str) -> str:
    """``Selasa, 1 Desember 2026`` (``Tuesday, 1 December 2026``)."""
    lang = lang if lang in DAY_NAMES else "id"
    return f"{DAY_NAMES[lang][day.weekday()]}, {day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def public_base() -> str:
    """Where citizens reach the hub: ``[booking] public_url`` (else ``[notify]``'s, else
    ``[kiosk]``'s), else the kiosk's public address (never a request header)."""
    hub = get_hub()
    return store.booking_base(hub.config) or devices.public_base(hub)


def _booking(token: str) -> dict[str, Any]:
    if not TOKEN_RE.match(token):
        abort(404)
    booking = page_data.load_booking(get_hub(), token, g.lang)
    if booking is None:
        abort(404)
    return booking


def _service_name(prefix: str, lang: str) -> str:
    service = get_hub().services.get(prefix)
    if service is None:
        return prefix
    return service.name if lang == "id" else (service.name_en or service.name)


@bp.get("/booking")
def booking_page() -> Response:
    """The booking form: every bookable service grouped by agency and the days to choose."""
    hub = get_hub()
    lang = g.lang
    conf = page_data.settings(hub)
    agencies: list[dict[str, Any]] = []
    by_agency: dict[str, dict[str, Any]] = {}
    for prefix, service in hub.services.items():
        if prefix not in conf.services:
            continue
        agency_id = hub.agency_id(service.agency)
        if agency_id not in by_agency:
            by_agency[agency_id] = {"id": agency_id, "name": hub.agency_name(service.agency),
                                    "services": []}
            agencies.append(by_agency[agency_id])
        by_agency[agency_id]["services"].append({
            "prefix": prefix, "name": _service_name(prefix, lang), **conf.services[prefix],
        })
    today = hub.local(hub.clock()).date()
    days = []
    for offset in range(conf.days_ahead + 1):
        day = today + timedelta(days=offset)
        label = long_date(day, lang)
        if offset in (0, 1):
            near = translate("bpage.today" if offset == 0 else "bpage.tomorrow", lang)
            label = f"{near}, {label}"
        days.append({"date": day.isoformat(), "label": label})
    settings = {"lang": lang, "agencies": agencies, "days": days,
                "checkin_before_min": conf.checkin_before_min,
                "checkin_after_min": conf.checkin_after_min}
    return _private(current_app.make_response(render_template(
        "booking/booking.html", settings=settings, words=catalog(lang, "bpage."),
        retention_days=conf.retention_days,
    )))


@bp.get("/b/<token>")
def booking_view(token: str) -> Response:
    """One booking: code, QR, slot, status; calendar file, cancelling, the ticket once
    checked in."""
    hub = get_hub()
    booking = _booking(token)
    conf = page_data.settings(hub)
    lang = g.lang
    day = date.fromisoformat(str(booking["date"]))
    return _private(current_app.make_response(render_template(
        "booking/view.html", booking=booking, token=token,
        service_name=_service_name(str(booking.get("service", "")), lang),
        long_day=long_date(day, lang), retention_days=conf.retention_days,
        checkin_before=conf.checkin_before_min, checkin_after=conf.checkin_after_min,
        words=catalog(lang, "bpage."),
    )))


@bp.get("/b/<token>/qr.svg")
def booking_qr(token: str) -> Response:
    """The QR code of the booking's own page (the kiosk's scanner reads it too)."""
    _booking(token)
    response = Response(qr_svg(f"{public_base()}/b/{token}"), mimetype="image/svg+xml")
    return _private(response)


@bp.get("/b/<token>/reservasi.ics")
def booking_calendar(token: str) -> Response:
    """The booking as an iCalendar file for the phone's calendar."""
    hub = get_hub()
    booking = _booking(token)
    lang = g.lang
    service = _service_name(str(booking.get("service", "")), lang)
    code = str(booking.get("code", ""))
    url = f"{public_base()}/b/{token}"
    event = BookingEvent(
        token=token,
        day=date.fromisoformat(str(booking["date"])),
        start=time.fromisoformat(str(booking["start"])),
        end=time.fromisoformat(str(booking.get("end") or booking["start"])),
        timezone=hub.config.hall.timezone,
        summary=translate("bpage.ics_summary", lang, service=service, code=code),
        description=translate("bpage.ics_description", lang, code=code,
                              hall=hub.config.hall.name, url=url),
        location=hub.config.hall.name,
        url=url,
        stamp=datetime.fromtimestamp(hub.clock(), tz=hub.tz),
        cancelled=booking.get("status") == "cancelled",
    )
    response = Response(booking_ics(event), content_type="text/calendar; charset=utf-8")
    name = "".join(c for c in code if c.isalnum()) or "loket"
    response.headers["Content-Disposition"] = f'attachment; filename="reservasi-{name}.ics"'
    return _private(response)


def _staff_guard(*roles: str) -> Any:
    """None for a signed-in user of ``roles``; else the login redirect or a 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if current_user.role not in roles:
        abort(403)
    return None


@bp.get("/supervisor/bookings")
def supervisor_page() -> Any:
    """The day's bookings, check-ins and no-shows per service; the outreach list and teams."""
    refused = _staff_guard("supervisor", "admin")
    if refused is not None:
        return refused
    hub = get_hub()
    return render_template(
        "booking/supervisor.html", strings=catalog(g.lang, "bsup."),
        service_names={p: _service_name(p, g.lang) for p in hub.services},
        today=hub.local(hub.clock()).date().isoformat(),
        retention_days=hub.config.booking.retention_days,
    )


def init_app(app: Flask) -> None:
    """Register the citizen's booking pages."""
    app.register_blueprint(bp)
