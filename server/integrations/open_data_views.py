"""Public open-data endpoints and the ``/data`` page, for one hall (this module's
:class:`HallSource`) or for all halls of a city (:mod:`.city_open_data`):

* ``GET /api/open-data/daily?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]`` — daily rows;
* ``GET /api/open-data/ikm?from=&to=[&format=csv]`` — IKM per complete month;
* ``GET /api/open-data/metadata`` — the dataset's description (Satu Data Indonesia style);
* ``GET /data`` — the page, with charts and the same figures as tables.

No login: the figures hold no personal data and small counts are suppressed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request

from loket.server import context
from loket.server.context import get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import limiter
from loket.server.i18n import catalog
from loket.server.integrations import open_data
from loket.server.integrations.metadata import metadata
from loket.server.integrations.open_data import FIELDS, IKM_FIELDS, DayCache, Range, ServiceInfo

RATE = "120 per minute"


class Source(Protocol):
    """Where the figures come from."""

    fields: tuple[str, ...]
    ikm_fields: tuple[str, ...]
    cache: DayCache

    @property
    def scope(self) -> str: ...

    @property
    def producer(self) -> str: ...

    @property
    def licence(self) -> str: ...

    @property
    def enabled(self) -> bool: ...

    def today(self) -> date: ...

    def compute_day(self, day: str) -> list[dict[str, Any]]: ...

    def ikm_month(self, month: str, first: str, last: str) -> list[dict[str, Any]]: ...


class HallSource:
    """This hall's tickets and survey answers."""

    fields: tuple[str, ...] = FIELDS
    ikm_fields: tuple[str, ...] = IKM_FIELDS

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self.cache = DayCache()
        self.services = {
            prefix: ServiceInfo(svc.name, hub.agency_id(svc.agency),
                                hub.agency_name(svc.agency))
            for prefix, svc in hub.services.items()}

    @property
    def scope(self) -> str:
        return str(self.hub.config.hall.name)

    @property
    def producer(self) -> str:
        return str(self.hub.config.integrations.producer or self.hub.config.hall.name)

    @property
    def licence(self) -> str:
        return str(self.hub.config.integrations.licence)

    @property
    def enabled(self) -> bool:
        return bool(self.hub.config.integrations.open_data)

    def today(self) -> date:
        return date.fromisoformat(self.hub.day())

    def compute_day(self, day: str) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from loket.server.models import Ticket

        with self.hub.db.read() as s:
            tickets = [open_data.TicketTimes(*r) for r in s.execute(
                select(Ticket.day, Ticket.issued_service, Ticket.service, Ticket.status,
                       Ticket.issued_ts, Ticket.called_ts, Ticket.served_ts,
                       Ticket.finished_ts).where(Ticket.day == day))]
        return open_data.day_rows(day, tickets, self.services, self.hub.tz)

    def ikm_month(self, month: str, first: str, last: str) -> list[dict[str, Any]]:
        from loket.server.report_stats import Period
        from loket.server.supervisor.reports import ikm_groups

        with self.hub.db.read() as s:
            results = ikm_groups(s, self.hub, Period(date.fromisoformat(first),
                                                     date.fromisoformat(last)), "service")
        return open_data.ikm_rows(month, results, self.services)


def _source() -> Source:
    source: Source = current_app.extensions[context.OPEN_DATA]
    if not source.enabled:
        raise HubError("not_found")
    return source


def _period(source: Source) -> Range:
    try:
        return open_data.parse_range(request.args.get("from"), request.args.get("to"),
                                     source.today())
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def _format() -> str:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise bad_request("'format' must be json or csv")
    return fmt


def daily_rows(source: Source, period: Range) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day in period.days():
        found = source.cache.get("daily", day)
        if found is None:
            found = source.compute_day(day)
            source.cache.put("daily", day, found)
            open_data.yield_now()
        rows.extend(found)
    return rows


def ikm_rows(source: Source, period: Range) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for month, first, last in open_data.complete_months(period, source.today()):
        found = source.cache.get("ikm", month)
        if found is None:
            found = source.ikm_month(month, first, last)
            source.cache.put("ikm", month, found)
        rows.extend(found)
    return rows


def _answer(source: Source, kind: str, rows: list[dict[str, Any]], fields: tuple[str, ...],
            period: Range, fmt: str) -> Any:
    if fmt == "csv":
        name = f"loket-{kind}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        return Response(open_data.csv_text(rows, fields), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "public, max-age=300"})
    response = jsonify({
        "from": period.first.isoformat(), "to": period.last.isoformat(),
        "fields": list(fields), "rows": [{f: r.get(f) for f in fields} for r in rows],
        "licence": source.licence, "producer": source.producer,
        "metadata": "/api/open-data/metadata",
    })
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def make_blueprint(name: str) -> Blueprint:
    bp = Blueprint(name, __name__, template_folder="templates", static_folder="static",
                   static_url_path="/integrations/static")

    @bp.get("/api/open-data/daily")
    @limiter.limit(RATE)
    def daily() -> Any:
        source = _source()
        period, fmt = _period(source), _format()
        return _answer(source, "daily", daily_rows(source, period), source.fields, period, fmt)

    @bp.get("/api/open-data/ikm")
    @limiter.limit(RATE)
    def ikm() -> Any:
        source = _source()
        period, fmt = _period(source), _format()
        return _answer(source, "ikm", ikm_rows(source, period), source.ikm_fields, period,
                       fmt)

    @bp.get("/api/open-data/metadata")
    def meta() -> Any:
        source = _source()
        today = source.today()
        first = open_data.parse_range(None, None, today)
        data = metadata(producer=source.producer, licence=source.licence, period=first,
                        lang=g.lang, scope=source.scope)
        data["fields"] = [f for f in data["fields"] if f["name"] in source.fields]
        if "hall" in source.fields:
            data["fields"][1:1] = [
                {"name": "hall", "type": "string", "unit": "-",
                 "description": "Hall code" if g.lang == "en" else "Kode gerai/MPP"},
                {"name": "hall_name", "type": "string", "unit": "-",
                 "description": "Hall name" if g.lang == "en" else "Nama gerai/MPP"}]
        data["generated_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
        return jsonify(data)

    @bp.get("/data")
    def page() -> Any:
        source = _source()
        today = source.today()
        try:
            period = open_data.parse_range(request.args.get("from"), request.args.get("to"),
                                           today)
        except ValueError:
            period = open_data.parse_range(None, None, today)
        return render_template(
            "integrations/data.html", scope=source.scope, producer=source.producer,
            licence=source.licence, first=period.first.isoformat(),
            last=period.last.isoformat(), words=catalog(g.lang, "opendata."),
            city="hall" in source.fields)

    return bp


def init_app(app: Flask) -> None:
    app.extensions[context.OPEN_DATA] = HallSource(get_hub(app))
    app.register_blueprint(make_blueprint("open_data"))
