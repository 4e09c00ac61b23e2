"""``/api/admin/calendar``: closures (a date or a range, the whole hall or some services) and
recurring breaks (``{"rule": "fri 11:30-13:00", "reason": "Istirahat salat Jumat"}``)."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify
from sqlalchemy import select

from loket.server.admin.access import SUPERVISORS, parsed, principal
from loket.server.admin.store import InvalidChange, audit_row
from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.hours import parse_rule
from loket.server.models import CalendarEntry
from loket.server.openapi import requests as req

if TYPE_CHECKING:
    from loket.server.hub import Hub

api = Blueprint("admin_calendar_api", __name__, url_prefix="/api/admin")
FIELDS = ("date", "until", "services", "reason", "rule", "uid")


def entries(hub: Hub) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "uid" or v} for row in hub.hall.calendar_rows]


def _day(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidChange(field, f"{field}: expected a date such as '2026-03-20'")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidChange(field, f"{field}: {value!r} is not a date such as "
                                   f"'2026-03-20'") from None


def validated(hub: Hub, data: dict[str, Any]) -> dict[str, Any]:
    """A calendar entry's columns from an API body (or an iCalendar event), or InvalidChange."""
    for key in data:
        if key not in FIELDS:
            raise InvalidChange(key, f"{key}: is not a known setting (check its spelling)")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
        raise InvalidChange("reason", "reason: a text of 1 to 200 characters is required")
    services = data.get("services") or []
    if not isinstance(services, list) or not all(isinstance(p, str) for p in services):
        raise InvalidChange("services", "services: expected a list of service prefixes")
    for j, prefix in enumerate(services):
        if prefix not in hub.services:
            raise InvalidChange("services", f"services[{j}]: service {prefix!r} is not "
                                            "defined in [[services]]")
    row: dict[str, Any] = {"reason": reason.strip(), "services": json.dumps(services),
                           "uid": data.get("uid") or None}
    if data.get("rule"):
        if "date" in data or "until" in data:
            raise InvalidChange("rule", "rule: a recurring break has no date")
        try:
            parse_rule(str(data["rule"]))
        except ValueError as exc:
            raise InvalidChange("rule", f"rule: {exc}") from None
        row.update(kind="break", rule=str(data["rule"]).strip().lower(), date_from=None,
                   date_until=None)
        return row
    start = _day(data.get("date"), "date")
    until = _day(data["until"], "until") if data.get("until") else None
    if until is not None and until < start:
        raise InvalidChange("until", "until: the last day must not come before the first")
    row.update(kind="closure", rule="", date_from=start, date_until=until)
    return row


def add_entry(hub: Hub, actor: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store one entry (replacing the one with the same ``uid``); returns it."""
    row = validated(hub, data)
    with hub.db.session() as s:
        existing = (s.scalar(select(CalendarEntry).where(CalendarEntry.uid == row["uid"]))
                    if row["uid"] else None)
        before = None
        if existing is not None:
            before = {"date": existing.date_from, "until": existing.date_until,
                      "reason": existing.reason}
            for key, value in row.items():
                setattr(existing, key, value)
            entry = existing
        else:
            entry = CalendarEntry(created_ts=hub.clock(), **row)
            s.add(entry)
        s.flush()
        after = {"id": entry.id, "kind": entry.kind, "date": entry.date_from,
                 "until": entry.date_until, "rule": entry.rule,
                 "services": json.loads(entry.services), "reason": entry.reason}
        s.add(audit_row(hub.clock(), actor, "calendar:add", str(entry.id), before, after))
        hub.hall.bump(s)
    hub.hall_changed()
    return after


def remove_entry(hub: Hub, actor: str, entry_id: int) -> None:
    with hub.db.session() as s:
        entry = s.get(CalendarEntry, entry_id)
        if entry is None:
            raise HubError("unknown_entry", id=entry_id)
        before = {"date": entry.date_from, "until": entry.date_until, "rule": entry.rule,
                  "services": json.loads(entry.services), "reason": entry.reason}
        s.delete(entry)
        s.add(audit_row(hub.clock(), actor, "calendar:delete", str(entry_id), before, None))
        hub.hall.bump(s)
    hub.hall_changed()


@api.post("/calendar")
def create() -> Any:
    who = principal(*SUPERVISORS)
    return jsonify(add_entry(get_hub(), who.label, parsed(req.AdminCalendarBody))), 201


@api.get("/calendar")
def listing() -> Any:
    principal(*SUPERVISORS)
    return jsonify({"calendar": entries(get_hub())})


@api.delete("/calendar/<int:entry_id>")
def delete(entry_id: int) -> Any:
    who = principal(*SUPERVISORS)
    remove_entry(get_hub(), who.label, entry_id)
    return "", 204


def known_ids(hub: Hub) -> set[int]:
    with hub.db.read() as s:
        return set(s.scalars(select(CalendarEntry.id)))


__all__ = ["add_entry", "api", "remove_entry"]
