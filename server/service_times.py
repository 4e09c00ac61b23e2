"""Gathering what the waiting-time estimate needs from the database: service times observed
today and on the same weekday of past weeks, and the counters serving a service now. The
arithmetic is in :mod:`loket.server.estimate` (pure). Used by the hub (ticket answers, status pages)
and by the kiosk and notices; it needs of the hub only what :class:`HallView` names, so it
does not import :mod:`loket.server.hub` (which imports it)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from loket.server.admin.calendar import break_seconds
from loket.server.config.hall import CounterSection
from loket.server.estimate import (
    MIN_SAMPLES,
    ServiceTime,
    WaitEstimate,
    service_time,
    wait_estimate,
)
from loket.server.models import Counter, Ticket, TicketStatus
from loket.server.queue_rules import Policy

log = logging.getLogger(__name__)


class HallView(Protocol):
    """What the estimate reads of the hub (:class:`loket.server.hub.Hub` is one)."""

    @property
    def clock(self) -> Callable[[], float]:
        """The hub's clock (seconds since the epoch)."""
        ...

    @property
    def counters(self) -> Mapping[str, CounterSection]:
        """The hall's counters by id."""
        ...

    @property
    def policy(self) -> Policy:
        """The hall's calling rules."""
        ...

    @property
    def service_time_cache(self) -> ServiceTimeCache:
        """Where observed service times are kept between estimates."""
        ...

    @property
    def hall(self) -> Any:
        """The live hall (:class:`loket.server.admin.store.HallStore`): its ``calendar``."""
        ...

    def day(self, ts: float | None = None) -> str:
        """The hall's local date of ``ts`` (or now)."""
        ...

    def local(self, ts: float) -> datetime:
        """``ts`` in the hall's time zone."""
        ...

    def waiting_counts_in(self, s: Session) -> dict[str, int]:
        """Today's waiting tickets per service, read in ``s``."""
        ...


class ServiceTimeCache:
    """Observed service times per service, each kept for :data:`CACHE_S` (the hub holds one:
    ``hub.service_time_cache``). Thread-safe enough: a lost update only costs a recomputation."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, ServiceTime]] = {}

    def get(self, service: str, now: float) -> ServiceTime | None:
        """The service time of ``service`` computed less than :data:`CACHE_S` before ``now``."""
        cached = self._entries.get(service)
        if cached is not None and 0 <= now - cached[0] < CACHE_S:
            return cached[1]
        return None

    def put(self, service: str, now: float, value: ServiceTime) -> None:
        """Keep ``value`` as the service time of ``service`` computed at ``now``."""
        self._entries[service] = (now, value)

    def clear(self) -> None:
        """Forget every service time (the next estimate reads the database again)."""
        self._entries.clear()

CACHE_S = 30.0
"""Service times are recomputed at most this often per service."""
HISTORY_WEEKS = 4
"""Same weekdays looked back at when today has too few service times."""
RECENT = 50
"""Today's most recent service times used (the hall's pace changes over the day)."""
SHARED_WEIGHT = 0.15
"""Share of a counter that serves a service only after others that still have a queue."""


def _durations(s: Session, service: str, days: list[str], limit: int) -> list[float]:
    rows = s.execute(
        select(Ticket.finished_ts - Ticket.called_ts)
        .where(
            Ticket.day.in_(days),
            Ticket.service == service,
            Ticket.status.in_((TicketStatus.DONE, TicketStatus.NO_SHOW)),
            Ticket.called_ts.is_not(None),
            Ticket.finished_ts.is_not(None),
        )
        .order_by(Ticket.finished_ts.desc())
        .limit(limit)
    ).scalars()
    return [float(r) for r in rows if r is not None]


def service_times(hub: HallView, s: Session, service: str) -> ServiceTime:
    """Per-ticket time at a counter (first call to finish, so walking up and no-shows count):
    today's, blended with the same weekday of past weeks while today has fewer than
    :data:`loket.server.estimate.MIN_SAMPLES`."""
    now = hub.clock()
    cache = hub.service_time_cache
    cached = cache.get(service, now)
    if cached is not None:
        return cached
    today = hub.day(now)
    recent = _durations(s, service, [today], RECENT)
    history: list[float] = []
    if len(recent) < MIN_SAMPLES:
        day = date.fromisoformat(today)
        past = [(day - timedelta(weeks=w)).isoformat() for w in range(1, HISTORY_WEEKS + 1)]
        history = _durations(s, service, past, 400)
    value = service_time(recent, history)
    cache.put(service, now, value)
    return value


_COUNTER_ROWS = select(Counter.id, Counter.status, Counter.current_ticket_id)


def counter_rows(s: Session) -> dict[str, Any]:
    """Every counter's status and current ticket (plain rows by id), as :func:`capacity`
    reads them: a caller estimating many waits in one transaction reads them once."""
    return {r.id: r for r in s.execute(_COUNTER_ROWS)}


def capacity(hub: HallView, s: Session, service: str, waiting: dict[str, int] | None = None,
             rows: dict[str, Any] | None = None,
             cache: dict[Any, tuple[float, int]] | None = None) -> tuple[float, int]:
    """(counters serving ``service`` now, weighted by how much of their time it gets; how many
    of them are idle right now). ``rows``: :func:`counter_rows` of this transaction, if read.
    ``cache``: answers already found with these same ``rows`` (see :class:`CapacityCache`).

    With ``service_order = "preference"`` a counter gives a later service its time only when
    the services it prefers have nobody waiting; with "oldest" it shares its time in
    proportion to the waiting lines."""
    # Plain rows, not ORM objects: this runs for every ticket issued (see bench/hub_load.py).
    if rows is None:
        rows = counter_rows(s)
    if waiting is None:
        waiting = hub.waiting_counts_in(s)
    if cache is None:
        return _capacity(hub, service, waiting, rows)
    if hub.policy.service_order == "oldest":
        key: Any = (service, tuple(sorted(waiting.items())))
    else:
        key = (service, frozenset(p for p, n in waiting.items() if n))
    found = cache.get(key)
    if found is None:
        found = cache[key] = _capacity(hub, service, waiting, rows)
    return found


class CapacityCache:
    """:func:`capacity`'s answers while the counters' rows (status, current ticket) and the
    hall's counters stay as they were. The answer depends on them, the policy and the waiting
    counts, with "preference" only on which lines are empty: in a busy hall, once per service
    until a counter acts (it was ~11 % of a ticket's CPU, a loop over every counter)."""

    MAX_ANSWERS = 1024

    def __init__(self) -> None:
        self._counters: object = None
        self._rows: tuple[Any, ...] = ()
        self._answers: dict[Any, tuple[float, int]] = {}

    def answers_for(self, hub: HallView, rows: dict[str, Any]) -> dict[Any, tuple[float, int]]:
        """The answers kept for ``rows`` (:func:`counter_rows`, just read): emptied when they,
        or the hall's counters (a hall change replaces the mapping), differ from the last."""
        signature = tuple(rows.values())
        if (hub.counters is not self._counters or signature != self._rows
                or len(self._answers) > self.MAX_ANSWERS):
            self._counters, self._rows, self._answers = hub.counters, signature, {}
        return self._answers


def _capacity(hub: HallView, service: str, waiting: dict[str, int],
              rows: dict[str, Any]) -> tuple[float, int]:
    servers, idle = 0.0, 0
    for counter in hub.counters.values():
        row = rows.get(counter.id)
        if row is None or row.status != "open" or service not in counter.services:
            continue
        if hub.policy.service_order == "oldest":
            total = sum(waiting.get(p, 0) for p in counter.services)
            share = (waiting.get(service, 0) / total) if total else 1 / len(counter.services)
            weight = max(share, SHARED_WEIGHT)
        else:
            before = counter.services[: counter.services.index(service)]
            weight = 1.0 if sum(waiting.get(p, 0) for p in before) == 0 else SHARED_WEIGHT
        servers += weight
        if row.current_ticket_id is None and weight == 1.0:
            idle += 1
    return servers, idle


def estimate(hub: HallView, s: Session, service: str, ahead: int, priority: bool = False,
             waiting: dict[str, int] | None = None, rows: dict[str, Any] | None = None,
             cache: dict[Any, tuple[float, int]] | None = None) -> WaitEstimate:
    """The estimated wait of a ticket of ``service`` with ``ahead`` tickets before it
    (``waiting``, ``rows`` and ``cache``: the waiting counts, :func:`counter_rows` and
    :func:`capacity`'s cache, if kept)."""
    servers, idle = capacity(hub, s, service, waiting, rows, cache)
    found = wait_estimate(ahead, servers, service_times(hub, s, service), idle,
                          regular=not priority)
    return with_breaks(hub, service, found)


def with_breaks(hub: HallView, service: str, found: WaitEstimate) -> WaitEstimate:
    """A wait that runs into a break of the hall calendar (the Friday prayer) lasts the break
    longer: nobody is called meanwhile."""
    extra = break_seconds(hub.hall.calendar, service, hub.local(hub.clock()), found.seconds)
    if not extra:
        return found
    minutes = extra // 60
    return dataclasses.replace(found, seconds=found.seconds + extra,
                               minutes=found.minutes + minutes,
                               low_min=found.low_min + minutes,
                               high_min=found.high_min + minutes)
