"""Refusals the hub gives, each with a stable code, an HTTP status and a readable message, and
the error handlers every Loket application (hall and city) shares: whatever goes wrong, an API
client gets ``{"error": code, "message": text}`` in its language, never a traceback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


ERROR_STATUS: dict[str, int] = {
    # 400: the request itself is wrong
    "bad_request": 400, "bad_phone": 400, "bad_nik": 400, "csrf": 400, "unknown_zone": 400,
    "unknown_media": 400, "unsupported_media": 400, "video_unavailable": 400, "invalid": 400,
    # 401/403: who is asking
    "unauthorized": 401, "kiosk_not_paired": 401,
    "forbidden": 403, "kiosk_mismatch": 403, "priority_forbidden": 403,
    "survey_other_counter": 403,
    # 404: what is named does not exist
    "not_found": 404, "unknown_counter": 404, "unknown_action": 404, "unknown_service": 404,
    "unknown_ticket": 404, "unknown_group": 404, "unknown_entry": 404, "unknown_token": 404,
    "unknown_user": 404,
    "method_not_allowed": 405,
    # 409: it exists, but its state refuses the request
    "already_handled": 409, "exists": 409, "has_waiting": 409, "assistance_taken": 409,
    "closed": 409, "counter_closed": 409,
    "empty": 409, "no_current": 409, "not_callable": 409, "not_skipped": 409,
    "notify_unavailable": 409, "on_break": 409, "other_service": 409, "paused": 409,
    "quota_full": 409, "same_service": 409, "survey_done": 409, "survey_not_served": 409,
    "ticket_closed": 409, "webhook_exists": 409, "webhook_from_config": 409,
    # bookings (server/booking/)
    "slot_full": 409, "outside_window": 409, "already_booked": 409, "not_bookable": 409,
    "too_early": 409, "too_late": 409, "already_checked_in": 409, "cancelled": 409,
    "too_large": 413,
    "rate_limited": 429, "too_many_connections": 429,
    "internal": 500, "error": 500,
    "busy": 503,
}
"""THE table of error codes and their HTTP status (docs/api.md lists the same, a test checks
it): raise sites name only the code, ``HubError("quota_full", service="A")``."""


class HubError(Exception):
    """A refused request. ``code`` is part of the API contract; the message is translated.

    The HTTP status comes from :data:`ERROR_STATUS`. ``status`` is accepted for codes not in
    the table yet (defaults to 400); for a code in the table the table wins."""

    def __init__(self, code: str, status: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = ERROR_STATUS.get(code, status or 400)
        if status is not None and status != self.status:
            log.warning("HubError(%r) raised with status %s; the table says %s",
                        code, status, self.status)
        self.params = params

    def message(self, lang: str = "id") -> str:
        """The refusal in words for the asker, in ``lang`` (Indonesian by default)."""
        from loket.server.i18n import translate

        return translate(f"error.{self.code}", lang, **self.params)


def status_of(code: str) -> int:
    """The HTTP status of an error code (400 for one not in the table)."""
    return ERROR_STATUS.get(code, 400)


def bad_request(reason: str) -> HubError:
    """A ``bad_request`` refusal that says what is wrong with the request."""
    return HubError("bad_request", reason=reason)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "internal",
}
"""The ``error`` code of a plain HTTP error (one no route raised as a HubError)."""


def error_response(code: str, status: int, message: str) -> tuple[Any, int]:
    """The JSON answer of a refusal: ``{"error": code, "message": message}`` and its status."""
    from flask import jsonify

    return jsonify({"error": code, "message": message}), status


def error_page(status: int, message: str, headers: Any = None) -> Any:
    """A plain page in the visitor's language for a browser (no traceback, no English-only
    text): the status, what went wrong and a way back. Self-contained, so the hall and the
    city view can both use it."""
    from flask import make_response, url_for
    from markupsafe import escape

    from loket.server.i18n import translate

    lang = _lang()
    try:
        sheet = f'<link rel="stylesheet" href="{escape(url_for("static", filename="loket.css"))}">'
    except Exception:  # an app without the hall's stylesheet
        sheet = ""
    html = (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status} · {escape(message)}</title>{sheet}</head><body>"
        f'<main class="error-page"><h1>{escape(message)}</h1><p>{status}</p>'
        f'<p><a href="/">{escape(translate("error.home_link", lang))}</a></p></main>'
        "</body></html>"
    )
    response = make_response(html, status)
    for name, value in (headers or {}).items():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _lang() -> str:
    from flask import g

    return str(getattr(g, "lang", "id"))


def init_app(app: Flask) -> None:
    """Error handlers shared by the hub and the city-wide view."""
    from flask import request
    from sqlalchemy.exc import DataError
    from werkzeug.exceptions import HTTPException

    from loket.server.i18n import register

    register({
        "error.error": {"id": "Terjadi kesalahan pada server.", "en": "The server had an error."},
        "error.home_link": {"id": "Kembali ke halaman utama", "en": "Back to the start page"},
        "error.service_unavailable": {
            "id": "Layanan sedang tidak tersedia. Silakan coba lagi sebentar lagi.",
            "en": "The service is unavailable. Please try again in a moment.",
        },
    })

    @app.errorhandler(HubError)
    def _hub_error(exc: HubError) -> Any:
        return error_response(exc.code, exc.status, exc.message(_lang()))

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _too_large_for_the_database(exc: Exception) -> Any:
        # A number (or text) the database cannot store: SQLite's OverflowError, PostgreSQL's
        # "out of range" DataError. The transaction was rolled back: nothing changed.
        log.info("refused a value the database cannot store: %s", str(exc).splitlines()[0])
        refused = bad_request("a value is too large for the database")
        return error_response(refused.code, refused.status, refused.message(_lang()))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        code = HTTP_CODES.get(status, "error")
        if not request.path.startswith("/api/") and not request.is_json:
            if status < 400:
                return exc
            return error_page(status, HubError(code).message(_lang()),
                              exc.get_response().headers)
        if status == 400 and exc.description and "JSON" in exc.description:
            refused = bad_request(exc.description.removeprefix("Failed to decode JSON object: "))
            return error_response(refused.code, 400, refused.message(_lang()))
        return error_response(code, status, HubError(code).message(_lang()))
