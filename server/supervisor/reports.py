"""Report queries: aggregation in SQL over a range of business days, index-backed.

Every figure is computed by the database; Python only merges a handful of grouped rows. The
``tickets.day`` column (the hall-local business day) selects the period, so the covering
indexes of migration ``0003_supervisor`` (``day`` first, then the grouping column and every
time column) answer the queries without reading the table. The 90th percentiles use a window
function (``ROW_NUMBER() OVER (PARTITION BY group ORDER BY value)``) and keep the row at the
nearest rank ``(9n + 9) / 10`` — see :mod:`loket.server.report_stats` and docs/supervisor.md.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from loket.server import ikm, report_stats
from loket.server.assistance.store import report as assistance_report
from loket.server.hub import Hub
from loket.server.i18n import translate
from loket.server.models import Ticket, TicketStatus
from loket.server.report_stats import Period
from loket.server.supervisor import survey
from loket.server.supervisor.models import SCORE_COLUMNS, SurveyResponse
from loket.server.supervisor.sql import ALL, agency_of, group_key
from loket.server.supervisor.sql import grouped as _grouped
from loket.server.supervisor.sql import hour_of_day as _hour_of_day
from loket.server.supervisor.sql import in_period as _in_period
from loket.server.supervisor.sql import service_time as _service_time
from loket.server.supervisor.sql import shown as _shown
from loket.server.supervisor.sql import wait as _wait

log = logging.getLogger(__name__)
def _scope(s: Session, hub: Hub, period: Period, dimension: str) -> ColumnElement[bool]:
    """The rows a report reads: the period, and the groups named explicitly (configured
    services or counters, the officers seen), so SQLite walks the ``(group, day, ...)`` index
    one group at a time (a range of days each) instead of the whole table."""
    in_period = _in_period(period)
    if dimension == "counter":
        return and_(Ticket.counter_id.in_(list(hub.counters)), in_period)
    if dimension == "officer":
        officers = list(s.scalars(
            select(Ticket.officer).distinct()
            .where(Ticket.counter_id.in_(list(hub.counters)), in_period,
                   Ticket.officer.is_not(None))
        ))
        return and_(Ticket.officer.in_(officers), in_period)
    return and_(Ticket.service.in_(list(hub.services)), in_period)


def _group_filter(hub: Hub, dimension: str, grp: object) -> ColumnElement[bool] | None:
    if dimension == "service":
        return Ticket.service == grp
    if dimension == "agency":
        return Ticket.service.in_(
            [p for p, svc in hub.services.items() if hub.agency_id(svc.agency) == grp]
        )
    if dimension == "counter":
        return Ticket.counter_id == grp
    if dimension == "officer":
        return Ticket.officer == grp
    return None


def _p90(
    s: Session, hub: Hub, dimension: str, value: Any, where: ColumnElement[bool],
    counts: dict[Any, int],
) -> dict[Any, float]:
    """{group: p90 of value} by nearest rank: per group, ``ORDER BY value DESC LIMIT 1
    OFFSET n - rank``. Counting from the top keeps SQLite's sorter to the top tenth of the
    rows (a bounded heap), and each group is an index range; ``counts`` (n per group) come
    from the aggregate query, with the same filter."""
    out: dict[Any, float] = {}
    for grp, n in counts.items():
        if not n:
            continue
        query = select(value).where(where).order_by(value.desc()).limit(1)
        query = query.offset(n - report_stats.p90_rank(n))
        clause = _group_filter(hub, dimension, grp)
        if clause is not None:
            query = query.where(clause)
        found = s.scalar(query)
        if found is not None:
            out[grp] = float(found)
    return out


_SUMS = ("tickets", "served", "no_show", "transferred", "wait_sum", "wait_n", "svc_sum", "svc_n",
         "booked")


def _row(grp: Any, t: dict[str, float]) -> dict[str, Any]:
    return {
        "key": grp,
        "tickets": int(t["tickets"]),
        "served": int(t["served"]),
        "no_show": int(t["no_show"]),
        "transferred": int(t["transferred"]),
        # Checked in from an online booking vs taken at a kiosk or counter (issue 15).
        "booked": int(t["booked"]),
        "walk_in": int(t["tickets"]) - int(t["booked"]),
        "avg_wait_s": report_stats.mean(t["wait_sum"], int(t["wait_n"])),
        "avg_service_s": report_stats.mean(t["svc_sum"], int(t["svc_n"])),
    }


def group_stats(
    s: Session, hub: Hub, period: Period, dimension: str
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One row per group of ``dimension`` (or one row for the whole hall with ``ALL``), and
    the hall's total when the groups divide the hall (services, agencies) so it comes free."""
    in_period = _scope(s, hub, period, dimension)
    key = group_key(hub, dimension)
    done = Ticket.status == TicketStatus.DONE
    hours_field = Ticket.called_ts if dimension in ("counter", "officer") else Ticket.issued_ts
    hour = _hour_of_day(hours_field, period.utc_offset_s(hub.tz))
    # One pass: the sums per group and hour of the day; the few rows (groups x hours) are
    # added up here, which gives both the group's figures and its busiest hours.
    main = s.execute(_grouped(
        select(
            _shown(key).label("grp"),
            hour.label("hour"),
            func.count().label("tickets"),
            func.sum(case((done, 1), else_=0)).label("served"),
            func.sum(case((Ticket.status == TicketStatus.NO_SHOW, 1), else_=0)).label("no_show"),
            func.sum(case((Ticket.transfers > 0, 1), else_=0)).label("transferred"),
            func.sum(_wait()).label("wait_sum"),
            func.count(Ticket.called_ts).label("wait_n"),
            func.sum(case((done, _service_time()), else_=None)).label("svc_sum"),
            func.count(case((done, Ticket.served_ts), else_=None)).label("svc_n"),
            func.sum(case((Ticket.booked.is_(True), 1), else_=0)).label("booked"),
        )
        .where(in_period), key, hour)
    ).all()
    sums, hours = _add_up(main)
    rows = {grp: _row(grp, t) for grp, t in sums.items()}
    _issued_counts(s, hub, period, dimension, rows)
    wait_where = and_(in_period, Ticket.called_ts.is_not(None))
    svc_where = and_(in_period, done, Ticket.served_ts.is_not(None))
    waits = _p90(s, hub, dimension, _wait(), wait_where,
                 {g: int(t["wait_n"]) for g, t in sums.items()})
    services = _p90(s, hub, dimension, _service_time(), svc_where,
                    {g: int(t["svc_n"]) for g, t in sums.items()})
    out = []
    for grp, row in rows.items():
        row["p90_wait_s"] = waits.get(grp)
        row["p90_service_s"] = services.get(grp)
        row["busiest_hours"] = report_stats.busiest_hours(hours.get(grp, {}))
        row["by_hour"] = hours.get(grp, {})
        row["name"] = display_name(hub, dimension, grp)
        out.append(row)
    out.sort(key=lambda r: _sort_key(hub, dimension, r["key"]))
    total = None
    if dimension in ("service", "agency"):
        total = _hall_total(s, hub, sums, hours, out, wait_where, svc_where)
    return out, total


def _add_up(
    rows: Sequence[Any],
) -> tuple[dict[Any, dict[str, float]], dict[Any, dict[int, int]]]:
    """The sums per group and the tickets per group and hour of the day, from the rows of
    the one grouped pass (groups x hours)."""
    sums: dict[Any, dict[str, float]] = {}
    hours: dict[Any, dict[int, int]] = defaultdict(dict)
    for r in rows:
        if r.grp is None:
            continue
        t = sums.setdefault(r.grp, dict.fromkeys(_SUMS, 0))
        for field in _SUMS:
            t[field] += getattr(r, field) or 0
        if r.hour is not None:
            hours[r.grp][int(r.hour)] = int(r.tickets)
    return sums, hours


def _issued_counts(
    s: Session, hub: Hub, period: Period, dimension: str, rows: dict[Any, dict[str, Any]]
) -> None:
    """Issued and transferred-out, counted where the ticket was issued, not where it ended
    (services, agencies, the hall); counters and officers issue nothing."""
    if dimension in ("service", "agency", ALL):
        issued_key = group_key(hub, dimension, issued=True)
        for grp, issued, moved in s.execute(_grouped(
            select(
                _shown(issued_key),
                func.count(),
                func.sum(case((Ticket.transfers > 0, 1), else_=0)),
            )
            .where(Ticket.issued_service.in_(list(hub.services)), _in_period(period)),
            issued_key)
        ):
            row = rows.setdefault(grp, _empty_row(grp))
            row["issued"] = int(issued)
            row["transferred"] = int(moved or 0)
        return
    for row in rows.values():
        row["issued"] = None  # tickets are issued by kiosks, not counters or officers
    if dimension == "counter":
        _transfers_by_counter(s, hub, _in_period(period), rows)


def _hall_total(
    s: Session, hub: Hub, sums: dict[Any, dict[str, float]], hours: dict[Any, dict[int, int]],
    out: list[dict[str, Any]], wait_where: Any, svc_where: Any,
) -> dict[str, Any]:
    """The whole hall's row, added up from groups that divide it (services, agencies)."""
    all_sums = {f: sum(t[f] for t in sums.values()) for f in _SUMS}
    total = _row(ALL, all_sums)
    total["issued"] = sum(r.get("issued") or 0 for r in out)
    total["transferred"] = sum(r["transferred"] for r in out)
    total["p90_wait_s"] = _p90(s, hub, ALL, _wait(), wait_where,
                               {ALL: int(all_sums["wait_n"])}).get(ALL)
    total["p90_service_s"] = _p90(s, hub, ALL, _service_time(), svc_where,
                                  {ALL: int(all_sums["svc_n"])}).get(ALL)
    by_hour: dict[int, int] = defaultdict(int)
    for per_group in hours.values():
        for h, n in per_group.items():
            by_hour[h] += n
    total["by_hour"] = dict(by_hour)
    total["busiest_hours"] = report_stats.busiest_hours(total["by_hour"])
    return total


def _empty_row(grp: Any) -> dict[str, Any]:
    return {"key": grp, "tickets": 0, "served": 0, "no_show": 0, "transferred": 0,
            "booked": 0, "walk_in": 0, "avg_wait_s": None, "avg_service_s": None}


def _transfers_by_counter(
    s: Session, hub: Hub, in_period: ColumnElement[bool], rows: dict[Any, dict[str, Any]]
) -> None:
    """Tickets a counter transferred away: the hub notes ``"<service> @ <counter name>"``."""
    by_name = {c.name: c.id for c in hub.counters.values()}
    for row in rows.values():
        row["transferred"] = 0
    for note, n in s.execute(
        select(Ticket.transferred_from, func.count())
        .where(in_period, Ticket.transfers > 0, Ticket.transferred_from.is_not(None))
        .group_by(Ticket.transferred_from)
    ):
        counter_id = by_name.get(str(note).partition(" @ ")[2])
        if counter_id is not None:
            row = rows.setdefault(counter_id, _empty_row(counter_id))
            row["transferred"] = row.get("transferred", 0) + int(n)


def hour_counts(
    s: Session, key: ColumnElement[Any] | None, ts: Any, where: ColumnElement[bool],
    period: Period, hub: Hub,
) -> dict[Any, dict[int, int]]:
    """{group: {local hour of day: tickets}} for the timestamps ``ts``."""
    hour = _hour_of_day(ts, period.utc_offset_s(hub.tz))
    result: dict[Any, dict[int, int]] = defaultdict(dict)
    for grp, h, n in s.execute(
        select(_shown(key), hour, func.count())
        .where(where, ts.is_not(None))
        .group_by(*[k for k in (key, hour) if k is not None])
    ):
        result[grp][int(h)] = int(n)
    return result


def hourly_profile(
    s: Session, hub: Hub, period: Period, arrivals: dict[int, int] | None = None
) -> list[dict[str, Any]]:
    """Arrivals and served tickets per hour of the day over the period (``arrivals`` when the
    caller has them already, from the totals' row)."""
    where = _scope(s, hub, period, ALL)
    if arrivals is None:
        arrivals = hour_counts(s, None, Ticket.issued_ts, where, period, hub).get(ALL, {})
    offset = period.utc_offset_s(hub.tz)
    served: dict[int, int] = {}
    hour = _hour_of_day(Ticket.finished_ts, offset)
    for h, n in s.execute(
        select(hour, func.count())
        .where(where, Ticket.status == TicketStatus.DONE)
        .group_by(hour)
    ):
        served[int(h)] = int(n)
    return [
        {"hour": h, "label": report_stats.hour_label(h), "arrivals": arrivals.get(h, 0),
         "served": served.get(h, 0)}
        for h in range(24)
    ]


def display_name(hub: Hub, dimension: str, key: Any) -> str:
    if dimension == "service" and key in hub.services:
        return f"{key} · {hub.services[key].name}"
    if dimension == "agency":
        for agency in hub.config.agencies:
            if agency.slug == key:
                return agency.name
        for svc in hub.services.values():
            if hub.agency_id(svc.agency) == key:
                return hub.agency_name(svc.agency)
    if dimension == "counter" and key in hub.counters:
        return hub.counters[key].name
    return str(key)


def _sort_key(hub: Hub, dimension: str, key: Any) -> tuple[int, str]:
    order: list[str] = []
    if dimension == "service":
        order = list(hub.services)
    elif dimension == "counter":
        order = list(hub.counters)
    return (order.index(key) if key in order else len(order), str(key))


# --------------------------------------------------------------------------- IKM
def ikm_groups(
    s: Session, hub: Hub, period: Period, dimension: str, service: str | None = None
) -> dict[Any, ikm.IkmResult]:
    """IKM per group from the survey responses answered in the period (exact sums in SQL)."""
    if dimension == "service":
        key: Any = SurveyResponse.service
    elif dimension == "agency":
        key = agency_of(hub, SurveyResponse.service)
    elif dimension == "counter":
        key = SurveyResponse.counter_id
    elif dimension == "officer":
        key = SurveyResponse.officer
    else:
        key = None
    query = _grouped(
        select(_shown(key), func.count(), *[func.sum(col) for col in SCORE_COLUMNS])
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(SurveyResponse.day.between(period.first.isoformat(), period.last.isoformat()),
               survey.counts_in_ikm()),  # a no-show's response counts nowhere
        key,
    )
    if service:
        query = query.where(SurveyResponse.service == service)
    result = {}
    for grp, n, *sums in s.execute(query):
        result[grp] = ikm.ikm_from_sums(int(n), [int(x or 0) for x in sums])
    return result


def hall_ikm(s: Session, hub: Hub, period: Period, service: str | None = None) -> ikm.IkmResult:
    return ikm_groups(s, hub, period, ALL, service).get(
        ALL, ikm.ikm_from_sums(0, [0] * ikm.ELEMENT_COUNT)
    )


# --------------------------------------------------------------------------- the report
def build_report(hub: Hub, period: Period, dimension: str, lang: str = "id") -> dict[str, Any]:
    """The whole report for a period, grouped by ``dimension``, with the hall's totals."""
    if dimension not in report_stats.DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    with hub.db.read() as s:
        rows, total_row = group_stats(s, hub, period, dimension)
        totals = [total_row] if total_row is not None else group_stats(s, hub, period, ALL)[0]
        ikms = ikm_groups(s, hub, period, dimension)
        hall = hall_ikm(s, hub, period)
        hourly = hourly_profile(s, hub, period, totals[0]["by_hour"] if totals else {})
    for row in [*rows, *totals]:
        row.pop("by_hour", None)
    for row in rows:
        result = ikms.get(row["key"])
        row["ikm"] = result.as_dict(lang) if result else None
    total = totals[0] if totals else dict(_empty_row(ALL), issued=0, p90_wait_s=None,
                                          p90_service_s=None, busiest_hours=[])
    total["name"] = "Total" if lang == "en" else "Jumlah"
    total["ikm"] = hall.as_dict(lang)
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "days": period.days,
        "dimension": dimension,
        "timezone": hub.config.hall.timezone,
        "generated_at": hub.iso(hub.clock()),
        "rows": rows,
        "total": total,
        "hourly": hourly,
        "busiest_hours": report_stats.busiest_hours({h["hour"]: h["arrivals"] for h in hourly}),
        "assistance": assistance_report(hub, period),
    }


TICKET_SHEET_MAX_DAYS = 31
TICKET_SHEET_MAX_ROWS = 100_000


def ticket_rows(hub: Hub, period: Period, lang: str | None = None) -> list[tuple[Any, ...]]:
    """Each ticket of a short period (for the export's ticket sheet), times as epoch floats;
    with ``lang``, the status in words of that language (``Tidak hadir``) instead of its code
    (``no_show``)."""
    if period.days > TICKET_SHEET_MAX_DAYS:
        return []
    with hub.db.read() as s:
        return [
            _status_words(tuple(r), lang)
            for r in s.execute(
                select(
                    Ticket.day, Ticket.label, Ticket.issued_service, Ticket.service,
                    Ticket.status, Ticket.priority, Ticket.counter_id, Ticket.officer,
                    Ticket.issued_ts, Ticket.called_ts, Ticket.served_ts, Ticket.finished_ts,
                    Ticket.transfers,
                )
                .where(_in_period(period))
                .order_by(Ticket.issued_ts, Ticket.id)
                .limit(TICKET_SHEET_MAX_ROWS)
            )
        ]


STATUS_COLUMN = 4
"""Where the status is in a row of :func:`ticket_rows`."""


def _status_words(row: tuple[Any, ...], lang: str | None) -> tuple[Any, ...]:
    if lang is None:
        return row
    status = row[STATUS_COLUMN]
    return (*row[:STATUS_COLUMN], translate(f"ticket_status.{status}", lang),
            *row[STATUS_COLUMN + 1:])
