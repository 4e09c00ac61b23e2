"""The admin API (``/api/admin/...``): the live hall, changed by admins and, for quotas,
opening hours and the calendar, by supervisors. Every change is validated like ``loket check``
validates the file (400 ``invalid`` naming the field, nothing changed), audited with its before
and after values, and pushed to every page and hub process (see :mod:`loket.server.admin.store`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from loket.server.admin import calendar_api
from loket.server.admin.access import ADMINS, SUPERVISORS, parsed, principal
from loket.server.admin.store import Document, InvalidChange, known
from loket.server.auth import Principal
from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.kiosk.devices import all_kiosks
from loket.server.models import Ticket, TicketStatus
from loket.server.openapi import requests as req

if TYPE_CHECKING:
    from loket.server.hub import Hub

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


# --------------------------------------------------------------------------- services, counters
def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values (``quota: null`` means no quota)."""
    return {k: v for k, v in data.items() if v is not None and v != ""}


@dataclasses.dataclass(frozen=True)
class _Section:
    """A list of the hall document that the API adds to and changes row by row."""

    name: str
    """The document's list: ``services`` or ``counters``."""
    key: str
    """The field naming a row, fixed once created: ``prefix`` or ``id``."""
    audit: str
    """The audit's word for a row: ``service`` or ``counter``."""
    clearable: tuple[str, ...]
    """Optional text fields that an empty string removes (back to their default)."""
    fixed_because: str
    """Why the key cannot be changed."""
    live: Callable[[Hub], Mapping[str, object]]
    """The hub's rows now, by key."""
    unknown: Callable[[str], HubError]
    """The error for a row that is not in the hall."""
    as_json: Callable[[str], dict[str, Any]]
    """The row as the API answers it."""

    def require(self, ident: str) -> None:
        """Refuse (404) a row the hall does not have."""
        if ident not in self.live(get_hub()):
            raise self.unknown(ident)


SERVICES = _Section(
    "services", "prefix", "service", ("name_en", "last_ticket"), "tickets carry it",
    live=lambda hub: hub.services,
    unknown=lambda prefix: HubError("unknown_service", service=prefix), as_json=service_json)
COUNTERS = _Section(
    "counters", "id", "counter", ("spoken_name",), "keypads and tokens use it",
    live=lambda hub: hub.counters,
    unknown=lambda counter_id: HubError("unknown_counter", counter=counter_id),
    as_json=counter_json)


def _create(section: _Section, who: Principal, data: dict[str, Any]) -> Any:
    """Add a row (201 with it as the API shows it); 400 without its key, 409 if it exists."""
    ident = data.get(section.key)
    if not isinstance(ident, str) or not ident:
        raise InvalidChange(section.key, f"{section.key}: is required but missing")
    if ident in section.live(get_hub()):
        raise HubError("exists", what=ident)

    def edit(doc: Document) -> tuple[Any, Any]:
        doc[section.name].append(_fields(data))
        return None, data

    hub = get_hub()
    hub.hall.change(who.label, f"{section.audit}:add", ident, edit)
    hub.hall_changed()
    return jsonify(section.as_json(ident)), 201


def _update(section: _Section, ident: str, who: Principal, data: dict[str, Any]) -> Any:
    """Change the given fields of an existing row (None, or "" for a clearable field, removes
    one); the key itself cannot change."""
    if data.get(section.key, ident) != ident:
        raise InvalidChange(section.key,
                            f"{section.key}: cannot be changed ({section.fixed_because})")

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc[section.name], section.key, ident)
        assert row is not None
        before = {k: row.get(k) for k in data}
        for key, value in data.items():
            if value is None or (value == "" and key in section.clearable):
                row.pop(key, None)
            else:
                row[key] = value
        return before, data

    hub = get_hub()
    hub.hall.change(who.label, f"{section.audit}:update", ident, edit)
    hub.hall_changed()
    return jsonify(section.as_json(ident))


def _delete(section: _Section, ident: str, who: Principal,
            also: Callable[[Document], None] | None = None) -> Any:
    """Remove an existing row (204), then let ``also`` tidy what referred to it."""

    def edit(doc: Document) -> tuple[Any, Any]:
        row = known(doc[section.name], section.key, ident)
        assert row is not None
        doc[section.name].remove(row)
        if also is not None:
            also(doc)
        return row, None

    hub = get_hub()
    hub.hall.change(who.label, f"{section.audit}:delete", ident, edit)
    hub.hall_changed()
    return "", 204


@api.post("/services")
def create_service() -> Any:
    who = principal(*ADMINS)
    return _create(SERVICES, who, parsed(req.AdminServiceBody))


@api.patch("/services/<prefix>")
def update_service(prefix: str) -> Any:
    who = principal(*SUPERVISORS)
    SERVICES.require(prefix)
    data = parsed(req.AdminServiceBody)
    if who.role != "admin" and any(k not in SUPERVISOR_SERVICE_FIELDS for k in data):
        raise HubError("forbidden")
    return _update(SERVICES, prefix, who, data)


@api.delete("/services/<prefix>")
def delete_service(prefix: str) -> Any:
    hub = get_hub()
    who = principal(*ADMINS)
    SERVICES.require(prefix)
    with hub.db.read() as s:
        waiting = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.day == hub.day(), Ticket.service == prefix,
            Ticket.status.in_((TicketStatus.WAITING, *TicketStatus.ACTIVE)))) or 0
    if waiting:
        raise HubError("has_waiting", service=prefix, n=waiting)

    def drop_from_counters(doc: Document) -> None:
        for counter in doc["counters"]:
            if prefix in counter.get("services", []):
                counter["services"] = [p for p in counter["services"] if p != prefix]

    return _delete(SERVICES, prefix, who, drop_from_counters)


@api.post("/counters")
def create_counter() -> Any:
    who = principal(*ADMINS)
    return _create(COUNTERS, who, parsed(req.AdminCounterBody))


@api.patch("/counters/<counter_id>")
def update_counter(counter_id: str) -> Any:
    who = principal(*ADMINS)
    COUNTERS.require(counter_id)
    return _update(COUNTERS, counter_id, who, parsed(req.AdminCounterBody))


@api.delete("/counters/<counter_id>")
def delete_counter(counter_id: str) -> Any:
    who = principal(*ADMINS)
    COUNTERS.require(counter_id)
    return _delete(COUNTERS, counter_id, who)


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
