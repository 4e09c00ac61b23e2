"""The city-wide view's open data: the same daily rows and monthly IKM as a hall publishes,
for every hall that forwards to the city, each row naming its hall. Read from the city's
copies (``city_tickets``, ``city_survey``), which hold no personal data to begin with."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select

from loket.server import context
from loket.server.city.models import CityHall, CitySurvey, CityTicket
from loket.server.config import CityConfig
from loket.server.context import get_city_config, get_db
from loket.server.db import Database
from loket.server.ikm import ikm_from_sums
from loket.server.integrations import open_data
from loket.server.integrations.open_data import FIELDS, IKM_FIELDS, DayCache, ServiceInfo

CITY_FIELDS = ("date", "hall", "hall_name", *FIELDS[1:])
CITY_IKM_FIELDS = ("month", "hall", "hall_name", *IKM_FIELDS[1:])
CACHE_S = 600.0
"""Halls may forward a day's last changes late: a day's rows are recomputed after this."""


def _services(hall: CityHall) -> dict[str, ServiceInfo]:
    out = {}
    for svc in json.loads(hall.services or "[]"):
        out[svc["prefix"]] = ServiceInfo(svc.get("name", svc["prefix"]),
                                         svc.get("agency_id", "?"), svc.get("agency", "?"))
    return out


class CitySource:
    fields: tuple[str, ...] = CITY_FIELDS
    ikm_fields: tuple[str, ...] = CITY_IKM_FIELDS

    def __init__(self, config: CityConfig, db: Database) -> None:
        self.config, self.db = config, db
        self.cache = DayCache(ttl_s=CACHE_S)

    @property
    def scope(self) -> str:
        return self.config.city.name

    @property
    def producer(self) -> str:
        return self.config.city.name

    @property
    def licence(self) -> str:
        return "CC BY 4.0"

    @property
    def enabled(self) -> bool:
        return True

    def today(self) -> date:
        return datetime.fromtimestamp(time.time(), ZoneInfo(self.config.city.timezone)).date()

    def _halls(self, s: Any) -> list[CityHall]:
        return list(s.scalars(select(CityHall).order_by(CityHall.name, CityHall.hall_id)))

    def compute_day(self, day: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        with self.db.read() as s:
            for hall in self._halls(s):
                tickets = [open_data.TicketTimes(*r) for r in s.execute(
                    select(CityTicket.day, CityTicket.issued_service, CityTicket.service,
                           CityTicket.status, CityTicket.issued_ts, CityTicket.called_ts,
                           CityTicket.served_ts, CityTicket.finished_ts)
                    .where(CityTicket.hall_id == hall.hall_id, CityTicket.day == day))]
                for row in open_data.day_rows(day, tickets, _services(hall),
                                              ZoneInfo(hall.timezone)):
                    rows.append({"hall": hall.hall_id, "hall_name": hall.name, **row})
        return rows

    def ikm_month(self, month: str, first: str, last: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        with self.db.read() as s:
            for hall in self._halls(s):
                results = {}
                for service, n, *sums in s.execute(
                    select(CitySurvey.service, func.count(),
                           *[func.sum(getattr(CitySurvey, f"u{i}")) for i in range(1, 10)])
                    .where(CitySurvey.hall_id == hall.hall_id,
                           CitySurvey.day.between(first, last))
                    .group_by(CitySurvey.service)
                ):
                    results[service] = ikm_from_sums(int(n), [int(x or 0) for x in sums])
                for row in open_data.ikm_rows(month, results, _services(hall)):
                    rows.append({"hall": hall.hall_id, "hall_name": hall.name, **row})
        return rows


def init_app(app: Flask) -> None:
    """``/api/open-data/*`` and ``/data`` in the city-wide view (public, like a hall's)."""
    from loket.server.integrations import messages  # noqa: F401  (registers the words)
    from loket.server.integrations.open_data_views import make_blueprint

    app.extensions[context.OPEN_DATA] = CitySource(get_city_config(app),
                                                   get_db(app))
    app.register_blueprint(make_blueprint("open_data"))
