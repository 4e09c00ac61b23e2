"""``/api/admin/kiosks``: the hall's kiosks (id, name, printer, rate limit), for admins. The
rules are those of ``loket kiosk add`` (:mod:`loket.server.kiosk.devices`); kiosks of loket.toml
are changed in the file."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from loket.server.admin.access import ADMINS, only, parsed, principal
from loket.server.admin.store import InvalidChange
from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.kiosk.devices import KioskError, add_kiosk, remove_kiosk, update_kiosk
from loket.server.openapi import requests as req

api = Blueprint("admin_kiosks_api", __name__, url_prefix="/api/admin")
FIELDS = ("id", "name", "printer", "rate_limit", "agencies", "paper_width_mm")


def _refused(exc: KioskError) -> InvalidChange:
    text = str(exc)
    for field in ("rate_limit", "paper", "agencies", "id"):
        key = {"rate_limit": "limit", "paper": "paper width", "agencies": "agencies",
               "id": "id"}[field]
        if key in text:
            return InvalidChange("paper_width_mm" if field == "paper" else field, text)
    return InvalidChange("id", text)


@api.post("/kiosks")
def create() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminKioskBody)
    hub = get_hub()
    kiosk_id = str(data.get("id") or "")
    try:
        made = add_kiosk(hub.config, hub.db, kiosk_id, name=str(data.get("name") or ""),
                         printer=str(data.get("printer") or ""),
                         paper_width_mm=int(data.get("paper_width_mm") or 80),
                         agencies=list(data.get("agencies") or []),
                         rate_limit=str(data.get("rate_limit") or ""), now=hub.clock(),
                         actor=who.label)
    except (KioskError, ValueError, TypeError) as exc:
        if isinstance(exc, KioskError) and "already exists" in str(exc):
            raise HubError("exists", what=kiosk_id) from None
        raise _refused(KioskError(str(exc))) from None
    return jsonify({"id": made.id, "name": made.name, "printer": made.printer,
                    "rate_limit": made.rate_limit}), 201


@api.patch("/kiosks/<kiosk_id>")
def update(kiosk_id: str) -> Any:
    who = principal(*ADMINS)
    data = only(parsed(req.AdminKioskBody), ("name", "printer", "rate_limit"))
    hub = get_hub()
    try:
        update_kiosk(hub.db, kiosk_id, name=data.get("name"), printer=data.get("printer"),
                     rate_limit=data.get("rate_limit"), now=hub.clock(), actor=who.label)
    except KioskError as exc:
        if "no kiosk" in str(exc):
            raise HubError("not_found") from None
        raise _refused(exc) from None
    return jsonify({"id": kiosk_id, **{k: v for k, v in data.items()}})


@api.delete("/kiosks/<kiosk_id>")
def delete(kiosk_id: str) -> Any:
    who = principal(*ADMINS)
    hub = get_hub()
    try:
        remove_kiosk(hub.db, kiosk_id, hub.clock(), actor=who.label)
    except KioskError:
        from loket.server.errors import HubError

        raise HubError("not_found") from None
    return "", 204
