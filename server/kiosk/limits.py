"""Rate limiting of ticket issuing per kiosk and IP address (``POST /api/tickets``).

A request naming a configured kiosk (``{"kiosk": "pintu-utama"}``) is counted against that
kiosk at that address, with the kiosk's own ``rate_limit`` when it has one; anything else is
counted against its IP address alone. A client cannot escape the limit by inventing kiosk ids:
unknown ids fall back to the address."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from server.config.kiosk import KioskDeviceSection


def _kiosk() -> KioskDeviceSection | None:
    body = request.get_json(silent=True) if request.is_json else None
    kiosk_id = body.get("kiosk") if isinstance(body, dict) else None
    if not isinstance(kiosk_id, str):
        return None
    config = current_app.config["LOKET_CONFIG"]
    return next((k for k in config.kiosks if k.id == kiosk_id), None)


def kiosk_rate_key() -> str:
    kiosk = _kiosk()
    address = get_remote_address()
    return f"kiosk:{kiosk.id}@{address}" if kiosk else f"ip:{address}"


def kiosk_rate_limit() -> str:
    kiosk = _kiosk()
    if kiosk is not None and kiosk.rate_limit:
        return kiosk.rate_limit
    return str(current_app.config["LOKET_CONFIG"].kiosk.rate_limit)
