"""The city-wide figures, computed in SQL from what the halls forwarded: per hall and agency
today's waiting, being served, served and waiting times; IKM per hall over a period; city
totals per agency. A hall's figures are as of its last report, and a hall that has not
reported for ``stale_after_s`` is marked offline rather than shown as if it were live."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from loket.server.city.models import CityHall, CitySurvey, CityTicket
from loket.server.config import CityConfig
from loket.server.db import Database
from loket.server.ikm import ikm_from_sums
from loket.server.models import TicketStatus

ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)


@dataclass(frozen=True)
class Period:
    """IKM period, in business days (inclusive)."""

    start: str
    end: str

    @classmethod
    def month_to_date(cls, today: date) -> Period:
        return cls(today.replace(day=1).isoformat(), today.isoformat())

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: date) -> Period:
        """``?from=&to=`` (``YYYY-MM-DD``); ValueError naming the bad one."""
        default = cls.month_to_date(today)
        values = []
        for name, text, fallback in (("from", start, default.start), ("to", end, default.end)):
            if not text:
                values.append(fallback)
                continue
            try:
                values.append(date.fromisoformat(text).isoformat())
            except ValueError:
                raise ValueError(f"'{name}' must be a date YYYY-MM-DD (got {text!r})") from None
        if values[0] > values[1]:
            raise ValueError("'from' is after 'to'")
        return cls(values[0], values[1])


def build(db: Database, config: CityConfig, now: float, period: Period | None = None,
          lang: str = "id") -> dict[str, Any]:
    """Everything the city-wide view shows (the shape of ``GET /api/city``)."""
    city_today = datetime.fromtimestamp(now, ZoneInfo(config.city.timezone)).date()
    period = period or Period.month_to_date(city_today)
    halls: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    with db.read() as s:
        for hall in s.scalars(select(CityHall).order_by(CityHall.name)):
            entry = _hall(s, hall, config, now, period, lang)
            halls.append(entry)
            for agency in entry["agencies"]:
                total = totals.setdefault(agency["agency_id"], _empty(agency["agency"]))
                total["agency_id"] = agency["agency_id"]
                total["halls"] += 1
                _add(total, agency)
    agencies = sorted(totals.values(), key=lambda a: (-a["waiting"], a["agency"]))
    for agency in agencies:
        _finish(agency)
    return {
        "city": config.city.name,
        "generated": datetime.fromtimestamp(now, ZoneInfo(config.city.timezone)).isoformat(
            timespec="seconds"),
        "period": {"from": period.start, "to": period.end},
        "halls": halls,
        "agencies": agencies,
        "totals": {
            "halls": len(halls),
            "halls_offline": sum(1 for h in halls if h["offline"]),
            "waiting": sum(h["waiting"] for h in halls),
            "serving": sum(h["serving"] for h in halls),
            "served": sum(h["served"] for h in halls),
        },
    }


def _hall(s: Session, hall: CityHall, config: CityConfig, now: float, period: Period,
          lang: str) -> dict[str, Any]:
    tz = ZoneInfo(hall.timezone)
    status = json.loads(hall.status or "{}")
    services = {svc["prefix"]: svc for svc in json.loads(hall.services or "[]")}
    as_of = min(now, hall.last_seen_ts)
    today = datetime.fromtimestamp(as_of, tz).date().isoformat()
    rows = s.execute(
        select(
            CityTicket.service,
            func.count(),
            func.sum(case((CityTicket.status == TicketStatus.WAITING, 1), else_=0)),
            func.sum(case((CityTicket.status.in_(ACTIVE), 1), else_=0)),
            func.sum(case((CityTicket.status == TicketStatus.DONE, 1), else_=0)),
            func.sum(case((CityTicket.status == TicketStatus.NO_SHOW, 1), else_=0)),
            func.count(CityTicket.called_ts),
            func.sum(CityTicket.called_ts - CityTicket.issued_ts),
            func.min(case((CityTicket.status == TicketStatus.WAITING, CityTicket.issued_ts))),
        )
        .where(CityTicket.hall_id == hall.hall_id, CityTicket.day == today)
        .group_by(CityTicket.service)
    ).all()
    agencies: dict[str, dict[str, Any]] = {}
    for prefix, issued, waiting, active, done, no_show, called, wait_sum, oldest in rows:
        svc = services.get(prefix, {"agency": "?", "agency_id": "?", "name": prefix})
        agency = agencies.setdefault(svc["agency_id"], _empty(svc["agency"]))
        agency["agency_id"] = svc["agency_id"]
        agency["services"].append(prefix)
        _add(agency, {
            "issued": issued, "waiting": waiting or 0, "serving": active or 0,
            "served": done or 0, "no_show": no_show or 0, "called": called or 0,
            "wait_sum_s": float(wait_sum or 0.0),
            "longest_wait_s": round(as_of - oldest) if oldest is not None else 0,
        })
    for agency in agencies.values():
        _finish(agency)
    survey = s.execute(
        select(func.count(), *[func.sum(getattr(CitySurvey, f"u{i}")) for i in range(1, 10)])
        .where(CitySurvey.hall_id == hall.hall_id, CitySurvey.day >= period.start,
               CitySurvey.day <= period.end)
    ).one()
    ikm = ikm_from_sums(int(survey[0] or 0), [int(v or 0) for v in survey[1:]]).as_dict(lang)
    listed = sorted(agencies.values(), key=lambda a: a["agency"])
    return {
        "hall_id": hall.hall_id,
        "name": hall.name,
        "day": today,
        "last_seen": datetime.fromtimestamp(hall.last_seen_ts, tz).isoformat(timespec="seconds"),
        "last_seen_ago_s": max(0, round(now - hall.last_seen_ts)),
        "offline": now - hall.last_seen_ts > config.city.stale_after_s,
        "backlog": int(status.get("backlog", 0)),
        "counters": int(status.get("counters", 0)),
        "counters_open": int(status.get("counters_open", 0)),
        "counters_serving": int(status.get("counters_serving", 0)),
        "waiting": sum(a["waiting"] for a in listed),
        "serving": sum(a["serving"] for a in listed),
        "served": sum(a["served"] for a in listed),
        "agencies": listed,
        "ikm": ikm,
    }


def _empty(name: str) -> dict[str, Any]:
    return {"agency": name, "agency_id": "", "services": [], "halls": 0, "issued": 0,
            "waiting": 0, "serving": 0, "served": 0, "no_show": 0, "called": 0,
            "wait_sum_s": 0.0, "longest_wait_s": 0}


def _add(into: dict[str, Any], figures: dict[str, Any]) -> None:
    for key in ("issued", "waiting", "serving", "served", "no_show", "called", "wait_sum_s"):
        into[key] += figures[key]
    into["longest_wait_s"] = max(into["longest_wait_s"], figures["longest_wait_s"])


def _finish(agency: dict[str, Any]) -> None:
    """Average wait of today's called tickets, in whole minutes, or None before any call."""
    agency["avg_wait_min"] = (
        round(agency["wait_sum_s"] / agency["called"] / 60, 1) if agency["called"] else None
    )
    agency["longest_wait_min"] = round(agency["longest_wait_s"] / 60)
