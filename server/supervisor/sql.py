"""SQL building blocks of the reports: group keys, the period filter, durations and the
hour of the day, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String, case, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from loket.server.hub import Hub
from loket.server.models import Ticket
from loket.server.report_stats import Period

ALL = "*"


def agency_of(hub: Hub, column: Any) -> ColumnElement[Any]:
    """SQL mapping a service prefix column to its agency's id (from the hall config)."""
    whens = {prefix: hub.agency_id(svc.agency) for prefix, svc in hub.services.items()}
    return case(whens, value=column, else_=literal("?"))


def group_key(hub: Hub, dimension: str, *, issued: bool = False) -> ColumnElement[Any] | None:
    """The SQL grouping expression of a dimension; None for the whole hall (no GROUP BY)."""
    if dimension == "service":
        return Ticket.issued_service if issued else Ticket.service  # type: ignore[return-value]
    if dimension == "agency":
        return agency_of(hub, Ticket.issued_service if issued else Ticket.service)
    if dimension == "counter":
        return Ticket.counter_id  # type: ignore[return-value]
    if dimension == "officer":
        return Ticket.officer  # type: ignore[return-value]
    if dimension == ALL:
        return None
    raise ValueError(f"unknown dimension {dimension!r}")


def shown(key: ColumnElement[Any] | None) -> ColumnElement[Any]:
    return literal(ALL, String) if key is None else key


def grouped(query: Any, *keys: Any) -> Any:
    keys = tuple(k for k in keys if k is not None)
    return query.group_by(*keys) if keys else query


def in_period(period: Period) -> ColumnElement[bool]:
    return Ticket.day.between(period.first.isoformat(), period.last.isoformat())


def hour_of_day(ts: Any, offset_s: int) -> ColumnElement[int]:
    """Local hour (0-23) of an epoch time. Epoch times are positive, so truncating towards
    zero is the floor; PostgreSQL's CAST rounds instead, so it gets ``floor`` first."""
    return cast(_floor((ts + offset_s) / 3600), Integer) % 24


class _floor(FunctionElement[Any]):
    """``floor(x)`` on PostgreSQL, plain ``x`` elsewhere (SQLite's CAST truncates)."""

    inherit_cache = True
    type = Float()


@compiles(_floor)
def _floor_default(element: _floor, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_floor, "postgresql")
def _floor_postgresql(element: _floor, compiler: Any, **kw: Any) -> str:
    return f"floor({compiler.process(element.clauses, **kw)})"


def wait() -> Any:
    return Ticket.called_ts - Ticket.issued_ts


def service_time() -> Any:
    return Ticket.finished_ts - Ticket.served_ts
