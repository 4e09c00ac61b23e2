"""What the displays read of the hall: the snapshot a display gets on connect (``GET
/api/state``, Socket.IO ``snapshot``) and the ``queue`` event's waiting counts.

Plain functions over what they read of the hub (:class:`SnapshotSource`;
:class:`loket.server.hub.Hub` is one), each in a read transaction of its own; the hub's
``snapshot`` and ``queue_payload`` call them. The shapes are in :mod:`loket.server.payloads`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from loket.server.config import LoketConfig
from loket.server.config.hall import CounterSection
from loket.server.db import Database
from loket.server.hall_calendar import CalendarHub, calendar_break
from loket.server.models import CallRecord, Counter, ServiceDay, Ticket
from loket.server.payloads import (
    CallEvent,
    CounterPayload,
    QueuePayload,
    ServiceState,
    Snapshot,
    SnapshotCounter,
    SnapshotService,
)


class SnapshotSource(CalendarHub, Protocol):
    """What the snapshot reads of the hub (:class:`loket.server.hub.Hub` is one)."""

    @property
    def db(self) -> Database:
        """The hall's database."""
        ...

    @property
    def config(self) -> LoketConfig:
        """The hall's configuration."""
        ...

    @property
    def counters(self) -> Mapping[str, CounterSection]:
        """The hall's counters by id."""
        ...

    def day(self, ts: float | None = None) -> str:
        """The hall's local date of ``ts`` (or now)."""
        ...

    def waiting_counts(self) -> dict[str, int]:
        """Today's waiting tickets per service, in a read transaction of its own."""
        ...

    def waiting_counts_in(self, s: Session) -> dict[str, int]:
        """Today's waiting tickets per service, read in ``s``."""
        ...

    def settings_in(self, s: Session) -> dict[str, Any]:
        """The supervisors' settings, read in ``s``."""
        ...

    def call_payload(
        self, record: CallRecord, priority: bool | None = None, booked: bool | None = None
    ) -> CallEvent:
        """A call as displays get it."""
        ...

    def counter_payload(
        self, counter: CounterSection, row: Counter, ticket: Ticket | None, waiting: int
    ) -> CounterPayload:
        """A counter's state from its row and its current ticket."""
        ...

    def service_state(
        self, prefix: str, lang: str = "id", paused_services: list[str] | None = None
    ) -> ServiceState:
        """Whether tickets can be taken for a service now, and why not."""
        ...

    def agency_id(self, agency: str) -> str:
        """The id (slug) of an agency named by id or name."""
        ...

    def agency_name(self, agency: str) -> str:
        """The display name of an agency named by id or name."""
        ...


def build_queue_payload(hub: SnapshotSource, counts: dict[str, int] | None = None
                        ) -> QueuePayload:
    """The ``queue`` event's payload: waiting tickets per service and per counter (from
    ``counts`` if given, else counted now)."""
    counts = counts if counts is not None else hub.waiting_counts()
    return {
        "services": [{"prefix": p, "waiting": counts.get(p, 0)} for p in hub.services],
        "counters": [
            {"id": c.id, "waiting": sum(counts.get(p, 0) for p in c.services)}
            for c in hub.counters.values()
        ],
        "at": hub.iso(hub.clock()),
    }


def build_snapshot(hub: SnapshotSource, zone: str | None = None, lang: str = "id") -> Snapshot:
    """Everything a display needs on connect; the body of ``GET /api/state``."""
    day = hub.day()
    with hub.db.read() as s:
        counts = hub.waiting_counts_in(s)
        issued = dict(
            s.execute(
                select(ServiceDay.service, ServiceDay.last_number).where(ServiceDay.day == day)
            ).all()
        )
        rows = {row.id: row for row in s.scalars(select(Counter))}
        current_ids = [r.current_ticket_id for r in rows.values() if r.current_ticket_id]
        tickets = {
            t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(current_ids)))
        }
        zone_counters = {c.id for c in hub.counters.values() if zone in (None, c.zone)}
        # Enough rows for the displays' recent list even when some are recalls.
        calls_limit = max(10, 2 * hub.config.display.recent_calls)
        calls_query = select(CallRecord).order_by(CallRecord.id.desc()).limit(calls_limit)
        if zone is not None:
            calls_query = calls_query.where(CallRecord.counter_id.in_(zone_counters))
        records = list(s.scalars(calls_query))
        flags = {
            tid: (bool(priority), bool(booked))
            for tid, priority, booked in s.execute(
                select(Ticket.id, Ticket.priority, Ticket.booked).where(
                    Ticket.id.in_({r.ticket_id for r in records})))
        }
        calls = [hub.call_payload(r, *flags.get(r.ticket_id, (False, False)))
                 for r in records]
        settings = hub.settings_in(s)
    zone_services = {
        p for c in hub.counters.values() if c.id in zone_counters for p in c.services
    }
    services: list[SnapshotService] = []
    for prefix, svc in hub.services.items():
        if prefix not in zone_services:
            continue
        state = hub.service_state(prefix, lang, settings.get("paused_services", []))
        services.append(
            {
                "prefix": prefix,
                "name": svc.name,
                "name_en": svc.name_en or svc.name,
                "agency": hub.agency_name(svc.agency),
                "agency_id": hub.agency_id(svc.agency),
                "waiting": counts.get(prefix, 0),
                "issued": issued.get(prefix, 0),
                "quota": svc.quota,
                "sla_minutes": svc.sla_minutes,
                **state,
            }
        )
    counters: list[SnapshotCounter] = []
    for counter in hub.counters.values():
        if counter.id not in zone_counters:
            continue
        row = rows.get(counter.id)
        if row is None:
            continue
        ticket = tickets.get(row.current_ticket_id) if row.current_ticket_id else None
        counters.append({
            **hub.counter_payload(
                counter, row, ticket, sum(counts.get(p, 0) for p in counter.services)),
            "name": counter.name,
            "services": list(counter.services),
            "calendar_break": calendar_break(hub, counter),
        })
    return {
        "hall": {
            "name": hub.config.hall.name,
            "timezone": hub.config.hall.timezone,
            "language": hub.config.hall.language,
        },
        "day": day,
        "at": hub.iso(hub.clock()),
        "zone": zone,
        "services": services,
        "counters": counters,
        "calls": calls,
        "running_text": settings.get("running_text", hub.config.display.running_text),
    }
