"""The live dashboard's payload: today's figures per service, agency, counter and zone, the
alerts, the charts' series, the IKM of the month, open complaints and recent audit entries.

Built from a few grouped queries over today's tickets (``day`` = today, index-backed); the
alert rules themselves are pure functions (:func:`alerts`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, cast, func, select

from loket.server import backup_schedule, report_stats
from loket.server.assistance.store import dashboard_alerts as assistance_alerts
from loket.server.city.models import CityLink, CityOutbox
from loket.server.hub import Hub
from loket.server.integrations.health import webhook_health
from loket.server.kiosk import health
from loket.server.models import AuditEntry, Counter, Ticket, TicketStatus
from loket.server.notify.health import delivery_health
from loket.server.report_stats import Period
from loket.server.supervisor import reports, survey

CROWDED_PER_COUNTER = 8
"""A zone is crowded when more than this many citizens wait per open counter (or anyone waits
and none of its counters is open)."""
AUDIT_ROWS = 25


def service_rows(hub: Hub, now: float, day: str) -> dict[str, dict[str, Any]]:
    """Today's figures per service (keys: every configured prefix)."""
    done = Ticket.status == TicketStatus.DONE
    waiting = Ticket.status == TicketStatus.WAITING
    rows = {p: _blank() for p in hub.services}
    with hub.db.read() as s:
        for r in s.execute(
            select(
                Ticket.service,
                func.sum(case((waiting, 1), else_=0)).label("waiting"),
                func.min(case((waiting, Ticket.queued_ts), else_=None)).label("oldest"),
                func.sum(Ticket.called_ts - Ticket.issued_ts).label("wait_sum"),
                func.count(Ticket.called_ts).label("wait_n"),
                func.sum(case((done, Ticket.finished_ts - Ticket.served_ts), else_=None))
                .label("svc_sum"),
                func.count(case((done, Ticket.served_ts), else_=None)).label("svc_n"),
                func.sum(case((done, 1), else_=0)).label("served"),
                func.sum(case((Ticket.status == TicketStatus.NO_SHOW, 1), else_=0))
                .label("no_show"),
                func.count().label("tickets"),
            )
            .where(Ticket.day == day)
            .group_by(Ticket.service)
        ):
            if r.service not in rows:
                continue
            rows[r.service].update(
                waiting=int(r.waiting or 0),
                longest_wait_s=round(now - r.oldest) if r.oldest is not None else None,
                wait_sum=float(r.wait_sum or 0),
                wait_n=int(r.wait_n or 0),
                svc_sum=float(r.svc_sum or 0),
                svc_n=int(r.svc_n or 0),
                served=int(r.served or 0),
                no_show=int(r.no_show or 0),
                tickets=int(r.tickets or 0),
            )
    return rows


def _blank() -> dict[str, Any]:
    return {"waiting": 0, "longest_wait_s": None, "wait_sum": 0.0, "wait_n": 0, "svc_sum": 0.0,
            "svc_n": 0, "served": 0, "no_show": 0, "tickets": 0}


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("wait_sum", "wait_n", "svc_sum", "svc_n")}
    out["avg_wait_s"] = report_stats.mean(row["wait_sum"], row["wait_n"])
    out["avg_service_s"] = report_stats.mean(row["svc_sum"], row["svc_n"])
    return out


def agency_rows(hub: Hub, services: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Services summed per agency (averages weighted by their counts, so exact)."""
    merged: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for prefix, row in services.items():
        svc = hub.services[prefix]
        agency = hub.agency_id(svc.agency)
        names[agency] = hub.agency_name(svc.agency)
        target = merged.setdefault(agency, _blank())
        for key in ("waiting", "wait_sum", "wait_n", "svc_sum", "svc_n", "served", "no_show",
                    "tickets"):
            target[key] += row[key]
        if row["longest_wait_s"] is not None:
            target["longest_wait_s"] = max(target["longest_wait_s"] or 0, row["longest_wait_s"])
    return [dict(_finish(row), id=a, name=names[a]) for a, row in merged.items()]


def counter_rows(hub: Hub, snapshot: Mapping[str, Any], now: float) -> list[dict[str, Any]]:
    """Each counter's state from the hub's snapshot, with how long the service has lasted."""
    with hub.db.read() as s:
        started = dict(
            s.execute(
                select(Counter.id, Ticket.served_ts)
                .join(Ticket, Ticket.id == Counter.current_ticket_id)
            ).all()
        )
    out = []
    for c in snapshot["counters"]:
        since = started.get(c["counter"])
        out.append({
            "id": c["counter"],
            "name": c["counter_name"],
            "zone": c["zone"],
            "status": c["status"],
            "ticket": c["ticket"],
            "ticket_status": c["ticket_status"],
            "officer": c["officer"],
            "services": c["services"],
            "waiting": c["waiting"],
            "service_s": round(now - since) if since is not None and c["ticket"] else None,
        })
    return out


def zone_rows(hub: Hub, services: dict[str, dict[str, Any]],
              counters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    zones: dict[str, dict[str, Any]] = {}
    for counter in hub.counters.values():
        zone = zones.setdefault(counter.zone, {"zone": counter.zone, "services": set(),
                                               "counters": 0, "open": 0})
        zone["services"].update(counter.services)
        zone["counters"] += 1
    for c in counters:
        if c["status"] in ("serving", "idle"):
            zones[c["zone"]]["open"] += 1
    out = []
    for zone in zones.values():
        waiting = sum(services[p]["waiting"] for p in zone["services"] if p in services)
        out.append({"zone": zone["zone"], "waiting": waiting, "counters": zone["counters"],
                    "open": zone["open"], "services": sorted(zone["services"])})
    return out


def alerts(services: list[dict[str, Any]], zones: list[dict[str, Any]],
           per_counter: int = CROWDED_PER_COUNTER,
           city: dict[str, Any] | None = None,
           kiosks: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """SLA breaches (longest wait over a service's ``sla_minutes``), crowded zones, a link
    to the city that has stopped sending (see :func:`city_link`), and kiosk and printer
    health (``kiosks``: :func:`loket.server.kiosk.health.kiosk_alerts`, first: a citizen at a
    broken kiosk is the most urgent). Alerts with a ``text`` ({"id", "en"}) carry their own
    message."""
    found: list[dict[str, Any]] = list(kiosks or [])
    if city is not None and city["late"]:
        found.append({"kind": "city", **city})
    for svc in services:
        longest = svc.get("longest_wait_s")
        if longest is not None and longest > svc["sla_minutes"] * 60:
            found.append({"kind": "sla", "service": svc["prefix"], "name": svc["name"],
                          "longest_wait_s": longest, "sla_minutes": svc["sla_minutes"]})
    for zone in zones:
        waiting, open_ = zone["waiting"], zone["open"]
        if (open_ == 0 and waiting > 0) or (open_ > 0 and waiting > per_counter * open_):
            found.append({"kind": "crowded", "zone": zone["zone"], "waiting": waiting,
                          "open": open_, "counters": zone["counters"]})
    return found


def charts(hub: Hub, day: str) -> dict[str, Any]:
    """Arrivals and served per hour today, and today's waiting-time histogram."""
    period = Period(date.fromisoformat(day), date.fromisoformat(day))
    edges = [m * 60 for m in report_stats.WAIT_BUCKETS_MIN]
    wait = Ticket.called_ts - Ticket.issued_ts
    bucket = case(*[(wait >= e, i) for i, e in reversed(list(enumerate(edges)))], else_=0)
    with hub.db.read() as s:
        hourly = reports.hourly_profile(s, hub, period)
        counts = dict(
            s.execute(
                select(cast(bucket, Integer), func.count())
                .where(Ticket.day == day, Ticket.called_ts.is_not(None))
                .group_by(bucket)
            ).all()
        )
        ikm_by_service = reports.ikm_groups(s, hub, _month(day), "service")
        ikm_by_agency = reports.ikm_groups(s, hub, _month(day), "agency")
        hall_ikm = reports.hall_ikm(s, hub, _month(day))
    return {
        "hourly": _active_hours(hourly),
        "waits": {"labels": report_stats.wait_bucket_labels(),
                  "counts": [int(counts.get(i, 0)) for i in range(len(edges))]},
        "ikm": {
            "from": _month(day).first.isoformat(),
            "to": day,
            "hall": hall_ikm.as_dict(),
            "services": {k: v.as_dict() for k, v in ikm_by_service.items()},
            "agencies": {k: v.as_dict() for k, v in ikm_by_agency.items()},
        },
    }


def _active_hours(hourly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hours from the first to the last with any activity (07-17 on an empty day)."""
    active = [h["hour"] for h in hourly if h["arrivals"] or h["served"]]
    first, last = (min(active), max(active)) if active else (7, 16)
    return hourly[min(first, 7):max(last, 16) + 1]


def _month(day: str) -> Period:
    today = date.fromisoformat(day)
    return Period(today.replace(day=1), today)


def audit_rows(hub: Hub, limit: int = AUDIT_ROWS) -> list[dict[str, Any]]:
    with hub.db.read() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
    return [{"id": r.id, "at": hub.iso(r.ts), "actor": r.actor, "action": r.action,
             "target": r.target, "detail": r.detail} for r in rows]


def build(hub: Hub, lang: str = "id") -> dict[str, Any]:
    """The whole dashboard as one JSON-ready dict."""
    now = hub.clock()
    day = hub.day(now)
    snapshot = hub.snapshot(lang=lang)
    raw = service_rows(hub, now, day)
    services = []
    for svc in snapshot["services"]:
        row = _finish(raw[svc["prefix"]])
        services.append({
            **row,
            "prefix": svc["prefix"],
            "name": svc["name"],
            "name_en": svc["name_en"],
            "agency": svc["agency"],
            "agency_id": svc["agency_id"],
            "sla_minutes": svc["sla_minutes"],
            "paused": svc["paused"],
            "open": svc["open"],
            "issued": svc["issued"],
        })
    counters = counter_rows(hub, snapshot, now)
    zones = zone_rows(hub, raw, counters)
    city = city_link(hub, now)
    found = alerts(services, zones, city=city, kiosks=health.kiosk_alerts(hub, now))
    found.extend(assistance_alerts(hub, lang))  # help requests (server.assistance)
    found += backup_schedule.dashboard_alerts(hub.config, now)
    notices = delivery_health(hub, lang)  # WhatsApp/SMS notices (server/notify)
    found.extend(notices["alerts"] if notices else [])
    webhooks = webhook_health(hub, lang)  # integrators' webhooks (server/integrations)
    found.extend(webhooks["alerts"] if webhooks else [])
    settings = hub.settings()
    return {
        "day": day,
        "at": hub.iso(now),
        "services": services,
        "agencies": agency_rows(hub, raw),
        "counters": counters,
        "zones": zones,
        "alerts": found,
        "charts": charts(hub, day),
        "running_text": snapshot["running_text"],
        "paused_services": list(settings.get("paused_services", [])),
        "complaints": survey.complaints(hub, limit=20),
        "audit": audit_rows(hub),
        "city": city,
        "notify": notices,
        "webhooks": webhooks,
    }


CITY_LATE_S = 600.0
"""A hall whose changes have waited this long for the city gets an alert."""


def city_link(hub: Hub, now: float) -> dict[str, Any] | None:
    """How this hall's forwarding to the city stands, when ``[city] url`` is set: the backlog,
    the last successful round, and ``late`` when the forwarder is not running or changes
    have waited more than :data:`CITY_LATE_S`."""
    if not hub.config.city.url:
        return None
    with hub.db.read() as s:
        link = {row.key: row.updated_ts for row in s.scalars(select(CityLink))}
        backlog = int(s.scalar(select(func.count()).select_from(CityOutbox)) or 0)
    last_ok = link.get("last_ok")
    forwarding = "forwarding" in link
    since = last_ok if last_ok is not None else link.get("forwarding")
    late = not forwarding or (backlog > 0 and (since is None or now - since > CITY_LATE_S))
    return {
        "forwarding": forwarding,
        "backlog": backlog,
        "last_ok": hub.iso(last_ok) if last_ok is not None else None,
        "late": late,
    }
