"""What the booking pages need to know of the hall and of one booking, read through the
booking package's config and store (so the pages depend on one small seam, not on the
store's internals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loket.server.hub import Hub

DEFAULT_DAYS_AHEAD = 7
DEFAULT_RETENTION_DAYS = 7
DEFAULT_CHECKIN_BEFORE_MIN = 30
DEFAULT_CHECKIN_AFTER_MIN = 15


@dataclass(frozen=True)
class BookingSettings:
    """The hall's booking settings as the citizen's page shows them."""

    days_ahead: int
    retention_days: int
    checkin_before_min: int
    checkin_after_min: int
    services: dict[str, dict[str, bool]]
    """Bookable service prefix → {"nik": requires a NIK, "outreach": jemput bola}."""


def _section(hub: Hub) -> Any:
    return getattr(hub.config, "booking", None)


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if obj is not None and hasattr(obj, name):
            return getattr(obj, name)
    return default


def settings(hub: Hub) -> BookingSettings:
    """The ``[booking]`` section's figures and which services can be booked."""
    section = _section(hub)
    services: dict[str, dict[str, bool]] = {}
    if not _get(section, "enabled", default=True):
        return BookingSettings(0, DEFAULT_RETENTION_DAYS, 0, 0, services)
    for session in _get(section, "sessions", default=[]) or []:
        prefix = str(_get(session, "service", default=""))
        if prefix not in hub.services:
            continue
        entry = services.setdefault(prefix, {"nik": False, "outreach": False})
        entry["nik"] = entry["nik"] or bool(_get(session, "requires_nik", default=False))
        entry["outreach"] = entry["outreach"] or bool(_get(session, "outreach", default=False))
    return BookingSettings(
        days_ahead=int(_get(section, "days_ahead", default=DEFAULT_DAYS_AHEAD)),
        retention_days=int(_get(section, "retention_days", default=DEFAULT_RETENTION_DAYS)),
        checkin_before_min=int(_get(section, "checkin_before_minutes",
                                    default=DEFAULT_CHECKIN_BEFORE_MIN)),
        checkin_after_min=int(_get(section, "checkin_after_minutes",
                                   default=DEFAULT_CHECKIN_AFTER_MIN)),
        services=services,
    )


def load_booking(token: str) -> dict[str, Any] | None:
    """The booking of ``token`` exactly as ``GET /api/bookings/<token>`` answers it (the
    contract's body), or None when there is none. Called inside a request; goes through the
    API's own view so the page and the API can never disagree."""
    from flask import current_app
    from werkzeug.exceptions import HTTPException

    from loket.server.errors import HubError

    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(f"/api/bookings/{token}", method="GET")
        answer = current_app.view_functions[endpoint](**args)
    except (HubError, HTTPException):
        return None
    response = current_app.make_response(answer)
    if response.status_code != 200:
        return None
    body = response.get_json(silent=True)
    return body if isinstance(body, dict) else None


def booking_services(hub: Hub) -> list[str]:
    """Prefixes of the services a citizen can book and check in at a kiosk (not the
    outreach ones, whose officers go to the citizen)."""
    return [p for p, flags in settings(hub).services.items() if not flags["outreach"]]
