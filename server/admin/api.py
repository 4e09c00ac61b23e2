"""The admin API (``/api/admin/...``): the live hall, changed by admins and, for quotas,
opening hours and the calendar, by supervisors. Every change is validated like ``loket check``
validates the file (400 ``invalid`` naming the field, nothing changed), audited with its before
and after values, and pushed to every page and hub process (see :mod:`loket.server.admin.store`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from loket.server.admin import calendar_api
from loket.server.admin.access import ADMINS, SUPERVISORS, parsed, principal
from loket.server.admin.store import Document, InvalidChange, known
from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.kiosk.devices import all_kiosks
from loket.server.models import Ticket, TicketStatus
from loket.server.openapi import requests as req

api = Blueprint("admin_api", __name__, url_prefix="/api/admin")
SERVICE_FIELDS = ("prefix", "name", "name_en", "agency", "quota", "opening_hours",
                  "sla_minutes", "last_ticket")
SUPERVISOR_SERVICE_FIELDS = ("quota", "opening_hours", "last_ticket")
"""What a supervisor may change in a service; the rest is the admin's."""
COUNTER_FIELDS = ("id", "name", "zone", "services", "spoken_name")
AGENCY_FIELDS = ("id", "name", "full_name")


# --------------------------------------------------------------------------- reading
def service_json(prefix: str) -> dict[str, Any]:
    hub = get_hub()
    svc = hub.services[prefix]
    return {"prefix": svc.prefix, "name": svc.name, "name_en": svc.name_en,
            "agency": svc.agency, "agency_id": hub.agency_id(svc.agency),
            "quota": svc.quota, "opening_hours": list(svc.opening_hours),
            "sla_minutes": svc.sla_minutes, "last_ticket": svc.last_ticket}


def counter_json(counter_id: str) -> dict[str, Any]:
    c = get_hub().counters[counter_id]
    return {"id": c.id, "name": c.name, "zone": c.zone, "services": list(c.services),
            "spoken_name": c.spoken_name}


def hall_json() -> dict[str, Any]:
    hub = get_hub()
    config = hub.config
    agencies = [{"id": a.slug, "name": a.name, "full_name": a.full_name}
                for a in config.agencies]
    listed = {a["id"] for a in agencies}
    for svc in config.services:  # agencies named only by services
        if hub.agency_id(svc.agency) not in listed:
            listed.add(hub.agency_id(svc.agency))
            agencies.append({"id": hub.agency_id(svc.agency), "name": svc.agency,
                             "full_name": ""})
    return {
        "hall": {"name": config.hall.name, "timezone": config.hall.timezone,
                 "language": config.hall.language, "version": hub.hall.version},
        "agencies": agencies,
        "services": [service_json(p) for p in hub.services],
        "counters": [counter_json(c) for c in hub.counters],
        "zones": sorted({c.zone for c in config.counters}),
        "kiosks": [dataclasses.asdict(k) for k in all_kiosks(config, hub.db)],
        "calendar": calendar_api.entries(hub),
    }


@api.get("/hall")
def hall() -> Any:
    principal(*SUPERVISORS)
    return jsonify(hall_json())


# --------------------------------------------------------------------------- services
def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values (``quota: null`` means no quota)."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


@api.post("/services")
def create_service() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminServiceBody)
    prefix = data.get("prefix")
    if not isinstance(prefix, str) or not prefix:
        raise InvalidChange("prefix", "prefix: is required but missing")
    hub = get_hub()
    if prefix in hub.services:
        raise HubError("exists", what=prefix)

    def edit(doc: Document) -> tuple[Any, Any]:
        doc["services"].append(_fields(data))
        return None, data

    hub.hall.change(who.label, "service:add", prefix, edit)
    hub.hall_changed()
    return jsonify(service_json(prefix)), 201


@api.patch("/services/<prefix>")
def update_service(prefix: str) -> Any:
    hub = get_hub()
    who = principal(*SUPERVISORS)
    if prefix not in hub.services:
        raise HubError("unknown_service", service=prefix)
    data = parsed(req.AdminServiceBody)
    if who.role != "admin" and any(k not in SUPERVISOR_SERVICE_FIELDS for k in data):
        raise HubError("forbidden")
    if data.get("prefix", prefix) != prefix:
        raise InvalidChange("prefix", "prefix: cannot be changed (tickets carry it)")

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc["services"], "prefix", prefix)
        assert row is not None
        before = {k: row.get(k) for k in data}
        for key, value in data.items():
            if value is None or (value == "" and key in ("name_en", "last_ticket")):
                row.pop(key, None)
            else:
                row[key] = value
        return before, data

    hub.hall.change(who.label, "service:update", prefix, edit)
    hub.hall_changed()
    return jsonify(service_json(prefix))


@api.delete("/services/<prefix>")
def delete_service(prefix: str) -> Any:
    hub = get_hub()
    who = principal(*ADMINS)
    if prefix not in hub.services:
        raise HubError("unknown_service", service=prefix)
    with hub.db.read() as s:
        waiting = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.day == hub.day(), Ticket.service == prefix,
            Ticket.status.in_((TicketStatus.WAITING, *TicketStatus.ACTIVE)))) or 0
    if waiting:
        raise HubError("has_waiting", service=prefix, n=waiting)

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc["services"], "prefix", prefix)
        assert row is not None
        doc["services"].remove(row)
        for counter in doc["counters"]:
            if prefix in counter.get("services", []):
                counter["services"] = [p for p in counter["services"] if p != prefix]
        return row, None

    hub.hall.change(who.label, "service:delete", prefix, edit)
    hub.hall_changed()
    return "", 204


# --------------------------------------------------------------------------- counters
@api.post("/counters")
def create_counter() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminCounterBody)
    counter_id = data.get("id")
    if not isinstance(counter_id, str) or not counter_id:
        raise InvalidChange("id", "id: is required but missing")
    hub = get_hub()
    if counter_id in hub.counters:
        raise HubError("exists", what=counter_id)

    def edit(doc: Document) -> tuple[Any, Any]:
        doc["counters"].append(_fields(data))
        return None, data

    hub.hall.change(who.label, "counter:add", counter_id, edit)
    hub.hall_changed()
    return jsonify(counter_json(counter_id)), 201


@api.patch("/counters/<counter_id>")
def update_counter(counter_id: str) -> Any:
    hub = get_hub()
    who = principal(*ADMINS)
    if counter_id not in hub.counters:
        raise HubError("unknown_counter", counter=counter_id)
    data = parsed(req.AdminCounterBody)
    if data.get("id", counter_id) != counter_id:
        raise InvalidChange("id", "id: cannot be changed (keypads and tokens use it)")

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc["counters"], "id", counter_id)
        assert row is not None
        before = {k: row.get(k) for k in data}
        for key, value in data.items():
            if value is None or (value == "" and key == "spoken_name"):
                row.pop(key, None)
            else:
                row[key] = value
        return before, data

    hub.hall.change(who.label, "counter:update", counter_id, edit)
    hub.hall_changed()
    return jsonify(counter_json(counter_id))


@api.delete("/counters/<counter_id>")
def delete_counter(counter_id: str) -> Any:
    hub = get_hub()
    who = principal(*ADMINS)
    if counter_id not in hub.counters:
        raise HubError("unknown_counter", counter=counter_id)

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc["counters"], "id", counter_id)
        assert row is not None
        doc["counters"].remove(row)
        return row, None

    hub.hall.change(who.label, "counter:delete", counter_id, edit)
    hub.hall_changed()
    return "", 204


# --------------------------------------------------------------------------- agencies
@api.post("/agencies")
def create_agency() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminAgencyBody)
    hub = get_hub()

    def edit(doc: Document) -> tuple[Any, Any]:
        if not doc["agencies"]:  # the file named agencies only through services: list them
            for name in dict.fromkeys(s["agency"] for s in doc["services"]):
                doc["agencies"].append({"name": name})
        doc["agencies"].append(_fields(data))
        return None, data

    hub.hall.change(who.label, "agency:add", str(data.get("name", "")), edit)
    hub.hall_changed()
    return jsonify(data), 201
