"""The kiosk's view of the hall: agencies, their services, how many wait, the estimated wait
and whether a ticket can be taken now (``GET /api/services``), per service and per agency
(``available``, ``reason``, ``reason_text`` and ``available_services`` on each agency, so a
kiosk can grey out an agency none of whose services can be taken)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from loket.server import hours
from loket.server import service_times as observed
from loket.server.estimate import describe_wait
from loket.server.i18n import translate
from loket.server.kiosk.devices import KioskInfo, get_kiosk
from loket.server.models import ServiceDay, Ticket, TicketStatus

if TYPE_CHECKING:
    from loket.server.hub import Hub


def kiosk_by_id(hub: Hub, kiosk_id: str | None) -> KioskInfo | None:
    """A kiosk of loket.toml or of the database (:func:`loket.server.kiosk.devices.get_kiosk`)."""
    return get_kiosk(hub.config, hub.db, kiosk_id)


def allowed_agencies(hub: Hub, agency_arg: str | None, kiosk: KioskInfo | None
                     ) -> set[str] | None:
    """Agency ids this kiosk offers: ``?agency=a,b`` and the kiosk's own list (both apply);
    None: all."""
    wanted: set[str] | None = None
    if agency_arg:
        wanted = {hub.agency_id(a.strip()) for a in agency_arg.split(",") if a.strip()}
    if kiosk is not None and kiosk.agencies:
        own = {hub.agency_id(a) for a in kiosk.agencies}
        wanted = own if wanted is None else wanted & own
    return wanted


def _reopening(hub: Hub, prefix: str, lang: str) -> str:
    """When a service whose quota is full takes tickets again: its first opening tomorrow."""
    service = hub.services[prefix]
    now = hub.local(hub.clock())
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0, 0), tzinfo=now.tzinfo)
    moment = hours.next_opening(service.opening_rules, tomorrow - timedelta(seconds=1))
    if moment is None:
        return translate("kiosk.tomorrow", lang)
    return hub.describe_opening(moment, lang)


def service_list(hub: Hub, lang: str = "id", agencies: set[str] | None = None
                 ) -> dict[str, Any]:
    """Everything the kiosk shows, grouped by agency, in the order of ``loket.toml``."""
    day = hub.day()
    with hub.db.read() as s:
        counts = hub.waiting_counts_in(s)
        priority_counts = dict(
            s.execute(
                select(Ticket.service, func.count())
                .where(Ticket.day == day, Ticket.status == TicketStatus.WAITING,
                       Ticket.priority.is_(True))
                .group_by(Ticket.service)
            ).all()
        )
        issued = dict(
            s.execute(
                select(ServiceDay.service, ServiceDay.last_number).where(ServiceDay.day == day)
            ).all()
        )
        paused = list(hub.settings_in(s).get("paused_services", []))
        rows = observed.counter_rows(s)  # once for every service's two estimates
        groups: dict[str, dict[str, Any]] = {}
        for agency in hub.config.agencies:
            if agencies is None or agency.slug in agencies:
                groups[agency.slug] = {"id": agency.slug, "name": agency.name,
                                       "full_name": agency.full_name, "services": []}
        for prefix, svc in hub.services.items():
            agency_id = hub.agency_id(svc.agency)
            if agencies is not None and agency_id not in agencies:
                continue
            group = groups.setdefault(agency_id, {
                "id": agency_id, "name": hub.agency_name(svc.agency), "full_name": "",
                "services": [],
            })
            state = hub.service_state(prefix, lang, paused)
            waiting = counts.get(prefix, 0)
            taken = issued.get(prefix, 0)
            reason, when = None, None
            if state["paused"]:
                reason = "paused"
            elif not state["open"]:
                reason, when = "closed", state["next_opening_text"]
            elif svc.quota is not None and taken >= svc.quota:
                reason, when = "quota_full", _reopening(hub, prefix, lang)
            regular = observed.estimate(hub, s, prefix, waiting, False, counts, rows)
            waiting_priority = priority_counts.get(prefix, 0)
            if hub.policy.priority_policy == "first":
                ahead_priority = waiting_priority
            else:
                ahead_priority = min(waiting, waiting_priority * hub.policy.priority_every)
            urgent = observed.estimate(hub, s, prefix, ahead_priority, True, counts, rows)
            group["services"].append({
                "prefix": prefix,
                "name": svc.name if lang == "id" else (svc.name_en or svc.name),
                "agency": group["name"],
                "agency_id": agency_id,
                "waiting": waiting,
                "waiting_priority": waiting_priority,
                "available": reason is None,
                "reason": reason,
                "reason_text": (f"{state['closed_reason']}. " if reason == "closed"
                                and state.get("closed_reason") else "")
                + translate(f"kiosk.reason.{reason}", lang, when=when or "")
                if reason else None,
                "next_opening": state["next_opening"],
                "quota": svc.quota,
                "remaining": None if svc.quota is None else max(svc.quota - taken, 0),
                "estimate": dict(regular.public(), text=describe_wait(regular, lang)),
                "estimate_priority": dict(urgent.public(), text=describe_wait(urgent, lang)),
            })
    shown = [g for g in groups.values() if g["services"]]
    for group in shown:
        _agency_availability(group, lang)
    return {
        "hall": hub.config.hall.name,
        "at": hub.iso(hub.clock()),
        "agencies": shown,
    }


def _agency_availability(group: dict[str, Any], lang: str) -> None:
    """``available``: some service of the agency can be taken now; otherwise ``reason`` is the
    services' common reason (``quota_full``, ``closed``, ``paused``) or ``unavailable`` when
    they differ, and ``reason_text`` says it (the first service's words when they agree)."""
    services = group["services"]
    open_ = [s for s in services if s["available"]]
    group["available"] = bool(open_)
    group["available_services"] = len(open_)
    if open_:
        group["reason"], group["reason_text"] = None, None
        return
    reasons = {s["reason"] for s in services}
    if len(reasons) == 1:
        group["reason"] = services[0]["reason"]
        texts = {s["reason_text"] for s in services}
        group["reason_text"] = services[0]["reason_text"] if len(texts) == 1 else \
            translate("kiosk.agency_unavailable", lang)
    else:
        group["reason"] = "unavailable"
        group["reason_text"] = translate("kiosk.agency_unavailable", lang)
