"""Help requests (*Butuh bantuan*): create, list the open ones, mark one taken, find the mark on
a called ticket, and the report's figures. Pure data work over :class:`AssistanceRequest`;
the HTTP side is :mod:`server.assistance.routes`, the pushes :mod:`server.assistance.push`."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from loket.server.assistance.models import AssistanceRequest
from loket.server.errors import HubError
from loket.server.events import Event
from loket.server.hub import hash_token
from loket.server.i18n import translate
from loket.server.models import Ticket

if TYPE_CHECKING:
    from loket.server.hub import Hub
    from loket.server.report_stats import Period

log = logging.getLogger(__name__)
EVENT = "assistance"
"""Hub event kind: ``{"action": "open"|"taken"|"fetch", ...}`` (see :mod:`.push`)."""


@dataclass(frozen=True)
class NewRequest:
    kiosk: str = ""
    where: str = ""
    ticket: Mapping[str, Any] | None = None
    """The ticket's status (``Hub.ticket_by_token``) when a status token was given."""
    token: str = ""
    on_call: bool = False


def zones_for(hub: Hub, kiosk: str, ticket: Mapping[str, Any] | None) -> list[str]:
    """Zones whose officers should come: those serving the ticket's service, else those
    serving the kiosk's agencies; empty = every zone."""
    services: set[str] = set()
    if ticket is not None and ticket.get("service"):
        services = {str(ticket["service"])}
    elif kiosk:
        device = next((k for k in hub.config.kiosks if k.id == kiosk), None)
        if device is not None and device.agencies:
            agencies = {hub.agency_id(a) for a in device.agencies}
            services = {p for p, s in hub.services.items() if hub.agency_id(s.agency) in agencies}
    if not services:
        return []
    return sorted({c.zone for c in hub.counters.values() if services & set(c.services)})


def create(hub: Hub, new: NewRequest) -> tuple[int, bool]:
    """Store a request and publish it; an open request from the same kiosk or for the same
    ticket is answered with its id instead of a duplicate. Returns (id, created)."""
    now = hub.clock()
    day = hub.day(now)
    zones = zones_for(hub, new.kiosk, new.ticket)
    label = new.ticket.get("ticket") if new.ticket else None
    with hub.write() as w:
        s = w.session
        ticket_id = s.scalar(select(Ticket.id).where(
            Ticket.status_token_hash == hash_token(new.token))) if new.token else None
        same = select(AssistanceRequest.id).where(
            AssistanceRequest.day == day, AssistanceRequest.taken_ts.is_(None),
            AssistanceRequest.on_call.is_(new.on_call))
        if ticket_id is not None:
            same = same.where(AssistanceRequest.ticket_id == ticket_id)
        elif new.kiosk:
            same = same.where(AssistanceRequest.kiosk == new.kiosk,
                              AssistanceRequest.ticket_id.is_(None))
        else:
            same = None  # type: ignore[assignment]
        existing = s.scalars(same).first() if same is not None else None
        if existing is not None:
            return int(existing), False
        row = AssistanceRequest(day=day, ts=now, kiosk=new.kiosk, place=new.where,
                                zones=",".join(zones), ticket_id=ticket_id, on_call=new.on_call,
                                taken_ts=None, taken_by=None)
        s.add(row)
        s.flush()
        request_id = int(row.id)
        hub.audit_in(w, f"kiosk:{new.kiosk}" if new.kiosk else "public", "assistance:request",
                     str(request_id),
                     {"where": new.where, "ticket": label, "on_call": new.on_call})
        if not new.on_call:
            w.publish(Event(EVENT, {
                "action": "open", "id": request_id, "where": new.where, "kiosk": new.kiosk,
                "ticket": label, "zones": zones, "at": hub.iso(now),
            }))
    log.info("assistance request %s (%s, ticket %s, on call %s)", request_id,
             new.where or new.kiosk or "?", label, new.on_call)
    return request_id, True


def _describe(row: AssistanceRequest, label: str | None, lang: str) -> str:
    place = row.place or (translate("assist.at_kiosk", lang, kiosk=row.kiosk) if row.kiosk
                          else translate("assist.somewhere", lang))
    if label:
        return translate("assist.alert_ticket", lang, where=place, ticket=label)
    return translate("assist.alert", lang, where=place)


def open_requests(hub: Hub, lang: str = "id", zone: str | None = None) -> list[dict[str, Any]]:
    """Today's requests nobody has taken yet, oldest first (``zone``: only those for it)."""
    now = hub.clock()
    with hub.db.read() as s:
        rows = s.execute(
            select(AssistanceRequest, Ticket.label)
            .outerjoin(Ticket, Ticket.id == AssistanceRequest.ticket_id)
            .where(AssistanceRequest.day == hub.day(now), AssistanceRequest.taken_ts.is_(None),
                   AssistanceRequest.on_call.is_(False))
            .order_by(AssistanceRequest.ts, AssistanceRequest.id)
        ).all()
        out = []
        for row, label in rows:
            zones = [z for z in row.zones.split(",") if z]
            if zone is not None and zones and zone not in zones:
                continue
            out.append({
                "kind": "assistance",
                "id": row.id,
                "where": row.place,
                "at": hub.iso(row.ts),
                "kiosk": row.kiosk or None,
                "ticket": label,
                "zones": zones,
                "waited_s": round(now - row.ts),
                "text": _describe(row, label, lang),
            })
    return out


def dashboard_alerts(hub: Hub, lang: str = "id") -> list[dict[str, Any]]:
    """The supervisor dashboard's ``alerts`` entries (kind ``assistance``)."""
    return open_requests(hub, lang)


def take(hub: Hub, request_id: int, actor: str) -> dict[str, Any]:
    """Mark a request taken by a member of staff (404 unknown, 409 taken already)."""
    with hub.write() as w:
        now = w.now
        row = w.session.get(AssistanceRequest, request_id)
        if row is None:
            raise HubError("not_found")
        if row.taken_ts is not None:
            raise HubError("assistance_taken", by=row.taken_by or "")
        row.taken_ts = now
        row.taken_by = actor[:120]
        waited = now - row.ts
        zones = [z for z in row.zones.split(",") if z]
        hub.audit_in(w, actor, "assistance:taken", str(request_id),
                     {"response_s": round(waited)})
        w.publish(Event(EVENT, {"action": "taken", "id": request_id, "zones": zones,
                                "by": actor, "at": hub.iso(now)}))
    return {"id": request_id, "taken": True, "taken_by": actor, "response_s": round(waited)}


def mark_for_call(hub: Hub, call: Mapping[str, Any]) -> dict[str, Any] | None:
    """For a (first) call of a ticket that needs assistance: what the officer is told."""
    label = call.get("ticket")
    if not label:
        return None
    # A Core statement built once, on a bare connection (this runs for every call: an ORM
    # query built per call was 11 % of a NEXT's CPU, and the ORM session around it 40 % of
    # this lookup; docs/benchmarks.md).
    with hub.db.read_connection() as connection:
        row = connection.execute(_MARKED, {"day": hub.day(), "label": label}).first()
    if row is None:
        return None
    return {"action": "fetch", "id": row.id, "ticket": label, "where": row.place,
            "counter": call.get("counter"), "counter_name": call.get("counter_name"),
            "at": call.get("at")}


_MARKED = (
    select(AssistanceRequest.id, AssistanceRequest.place)
    .join(Ticket, Ticket.id == AssistanceRequest.ticket_id)
    .where(Ticket.day == bindparam("day"), Ticket.label == bindparam("label"),
           AssistanceRequest.day == bindparam("day"))
    .order_by(AssistanceRequest.id.desc()).limit(1)
)


def report(hub: Hub, period: Period) -> dict[str, Any]:
    """Requests in a period: how many, how many taken, response times (seconds) and how many
    tickets were marked for help at their call."""
    first, last = period.first.isoformat(), period.last.isoformat()
    with hub.db.read() as s:
        rows = s.execute(
            select(AssistanceRequest.on_call, AssistanceRequest.ts, AssistanceRequest.taken_ts)
            .where(AssistanceRequest.day >= first, AssistanceRequest.day <= last)
        ).all()
    now_requests = [r for r in rows if not r.on_call]
    times = sorted(r.taken_ts - r.ts for r in now_requests if r.taken_ts is not None)
    return {
        "requests": len(now_requests),
        "taken": len(times),
        "open": len(now_requests) - len(times),
        "marked_tickets": sum(1 for r in rows if r.on_call),
        "avg_response_s": round(statistics.fmean(times)) if times else None,
        "median_response_s": round(statistics.median(times)) if times else None,
        "max_response_s": round(times[-1]) if times else None,
    }
