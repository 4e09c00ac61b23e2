"""Open data: daily figures per service (and its agency) over complete business days, with
small counts suppressed so nobody can be singled out. Pure aggregation over ticket times;
:mod:`.open_data_views` (a hall) and :mod:`.city_open_data` (all halls of a city) read the
rows from their own tables.

Suppression (see docs/integrations.md): a count under :data:`MIN_COUNT` is published as null
(0 too); a median needs :data:`MIN_COUNT` values and a 90th percentile
:data:`MIN_COUNT_P90` (below that it is one person's own time); the busiest hour is shown
only when that hour had :data:`MIN_COUNT` tickets; when exactly one of ``served`` and
``no_show`` is suppressed, ``issued`` is suppressed too (else ``issued - served`` would
give the hidden count away); IKM is published per complete calendar month only (a moving
period would let two requests be subtracted) and only with :data:`MIN_COUNT` respondents.
The day in progress is never published."""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from loket.server import ikm, report_stats
from loket.server.models import TicketStatus

MIN_COUNT = 5
MIN_COUNT_P90 = 10
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIELDS = (
    "date", "service", "service_name", "agency", "agency_name", "issued", "served", "no_show",
    "wait_median_s", "wait_p90_s", "service_median_s", "service_p90_s", "busiest_hour",
)
"""Columns of the daily rows (JSON keys and CSV header), in order."""
IKM_FIELDS = ("month", "service", "service_name", "agency", "agency_name", "respondents",
              "ikm", "grade")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ServiceInfo(NamedTuple):
    name: str
    agency: str
    agency_name: str


class TicketTimes(NamedTuple):
    """What open data reads of one ticket (no label, no officer, no counter)."""

    day: str
    issued_service: str
    service: str
    status: str
    issued_ts: float
    called_ts: float | None
    served_ts: float | None
    finished_ts: float | None


@dataclass(frozen=True)
class Range:
    first: date
    last: date

    def days(self) -> list[str]:
        n = (self.last - self.first).days + 1
        return [(self.first + timedelta(days=i)).isoformat() for i in range(max(n, 0))]


def parse_range(first: str | None, last: str | None, today: date) -> Range:
    """``from``/``to`` (``YYYY-MM-DD``, inclusive); ValueError (a 400) when a date is bad, the
    range is reversed or longer than :data:`MAX_DAYS`. Defaults: the last
    :data:`DEFAULT_DAYS` complete days. Days from today on are left out (not complete)."""
    yesterday = today - timedelta(days=1)
    try:
        end = date.fromisoformat(last) if last else yesterday
        start = date.fromisoformat(first) if first else end - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise ValueError("'from' and 'to' must be dates YYYY-MM-DD") from None
    if end < start:
        raise ValueError("'to' is before 'from'")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at once")
    return Range(start, min(end, yesterday))


def _count(n: int) -> int | None:
    return n if n >= MIN_COUNT else None


def _median(values: Sequence[float]) -> float | None:
    if len(values) < MIN_COUNT:
        return None
    found = report_stats.percentile_nearest_rank(values, 50)
    return None if found is None else round(found, 1)


def _p90(values: Sequence[float]) -> float | None:
    if len(values) < MIN_COUNT_P90:
        return None
    found = report_stats.percentile_nearest_rank(values, 90)
    return None if found is None else round(found, 1)


def day_rows(day: str, tickets: Iterable[TicketTimes], services: dict[str, ServiceInfo],
             tz: ZoneInfo) -> list[dict[str, Any]]:
    """The published rows of one day: one per configured service that had any ticket."""
    issued: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    no_show: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    service_times: dict[str, list[float]] = defaultdict(list)
    hours: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for t in tickets:
        issued[t.issued_service] += 1
        hours[t.issued_service][datetime.fromtimestamp(t.issued_ts, tz).hour] += 1
        if t.called_ts is not None:
            waits[t.service].append(max(t.called_ts - t.issued_ts, 0.0))
        if t.status == TicketStatus.DONE:
            served[t.service] += 1
            if t.served_ts is not None and t.finished_ts is not None:
                service_times[t.service].append(max(t.finished_ts - t.served_ts, 0.0))
        elif t.status == TicketStatus.NO_SHOW:
            no_show[t.service] += 1
    rows = []
    for prefix, info in services.items():
        if not (issued.get(prefix) or waits.get(prefix) or served.get(prefix)
                or no_show.get(prefix)):
            continue
        row: dict[str, Any] = {
            "date": day, "service": prefix, "service_name": info.name, "agency": info.agency,
            "agency_name": info.agency_name,
            "issued": _count(issued[prefix]), "served": _count(served[prefix]),
            "no_show": _count(no_show[prefix]),
            "wait_median_s": _median(waits[prefix]), "wait_p90_s": _p90(waits[prefix]),
            "service_median_s": _median(service_times[prefix]),
            "service_p90_s": _p90(service_times[prefix]),
            "busiest_hour": None,
        }
        if (row["served"] is None) != (row["no_show"] is None):
            row["issued"] = None  # issued - served (or - no_show) would reveal the other
        busiest = report_stats.busiest_hours(dict(hours[prefix]), top=1)
        if row["issued"] is not None and busiest and int(busiest[0]["tickets"]) >= MIN_COUNT:
            row["busiest_hour"] = busiest[0]["label"]
        rows.append(row)
    return rows


def ikm_rows(month: str, results: dict[str, ikm.IkmResult],
             services: dict[str, ServiceInfo]) -> list[dict[str, Any]]:
    """IKM per service of one complete month (``{service: IkmResult}``)."""
    rows = []
    for prefix, info in services.items():
        result = results.get(prefix)
        if result is None or not result.respondents:
            continue
        shown = result.respondents >= MIN_COUNT
        value = result.ikm if shown else None
        graded = result.grade if shown else None
        rows.append({
            "month": month, "service": prefix, "service_name": info.name,
            "agency": info.agency, "agency_name": info.agency_name,
            "respondents": _count(result.respondents),
            "ikm": None if value is None else float(value),
            "grade": graded[0] if graded else None,
        })
    return rows


def complete_months(period: Range, today: date) -> list[tuple[str, str, str]]:
    """``(YYYY-MM, first day, last day)`` of the calendar months that overlap the period and
    ended before today."""
    out = []
    month = period.first.replace(day=1)
    while month <= period.last:
        following = (month + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        if last < today:
            out.append((month.strftime("%Y-%m"), month.isoformat(), last.isoformat()))
        month = following
    return out


class DayCache:
    """Rows of complete days, which never change once the day is over (a hall's tickets) or
    change rarely (the city's copies: ``ttl_s``)."""

    def __init__(self, ttl_s: float | None = None, size: int = 4096) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._rows: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}

    def get(self, scope: str, day: str) -> list[dict[str, Any]] | None:
        found = self._rows.get((scope, day))
        if found is None or (self.ttl_s is not None and time.monotonic() - found[0] > self.ttl_s):
            return None
        return found[1]

    def put(self, scope: str, day: str, rows: list[dict[str, Any]]) -> None:
        if len(self._rows) >= self.size:
            self._rows.pop(next(iter(self._rows)))
        self._rows[(scope, day)] = (time.monotonic(), rows)


def yield_now() -> None:
    """Let other greenlets run between days (``time.sleep`` is gevent's when patched)."""
    time.sleep(0)


def csv_text(rows: list[dict[str, Any]], fields: Sequence[str]) -> str:
    """CSV with a header; a text cell that a spreadsheet would take for a formula is
    prefixed with ``'``; null is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in fields])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
