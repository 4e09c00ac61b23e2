"""The heads of a counter's lines: the first waiting ticket of each walk-in line and the first
few of each booked line (by check-in and by slot), the only ones that can be first in line.
NEXT ranks them with :mod:`loket.server.queue_rules`.

:func:`heads` reads them with one ``LIMIT`` query per line and order, walking an index
(walk-ins: ``ix_tickets_queue``; booked tickets: the partial indexes of migration 0015), all in
one ``UNION ALL`` statement, so its cost does not grow with the waiting line;
:func:`heads_per_line` is the reference the tests compare it with (one ORM query per line and
order)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from loket.server.models import Ticket, TicketStatus
from loket.server.queue_rules import Candidate

PER_LINE = 8
"""Heads loaded per booked line and order by a NEXT: a booked ticket may be called only once
its slot has started, so the first that may be called can be behind others in its line."""
WALK_IN_PER_LINE = 1
"""Heads loaded per walk-in line: a walk-in may always be called, so only a line's first can be
first in line (a claim lost to another process reads the heads again,
:meth:`loket.server.counter_actions.CounterActions._claim_best`)."""
_LINE_ORDERS = (
    ("NOT booked", "queued_ts", WALK_IN_PER_LINE),  # walk-ins, by queue time: ix_tickets_queue
    ("booked", "queued_ts", PER_LINE),  # booked, by queue time (check-in): ix_tickets_booked_queue
    ("booked", "slot_ts", PER_LINE),  # booked, by slot start: ix_tickets_booked_slot
)
"""The orders a line is read in: under "first" and "every_n" a booked ticket's ``queued_ts`` is
its check-in time, and the earliest slots are the ones due first. ``booked`` stays literal SQL
so that SQLite can use the partial indexes (a bound parameter would not match their WHERE)."""
_SERVICES_PER_QUERY = 16
"""Services per statement (six ``SELECT``s each, under SQLite's 500 terms of a compound one)."""


@functools.cache
def statement(services: int) -> TextClause:
    """The heads of each (service, priority, booked) line of ``services`` services (bound as
    ``:s0``, ``:s1``...): one ``LIMIT`` query per line and order, walking an index, so the cost
    does not grow with the waiting line; one statement, a UNION ALL of them."""
    parts: list[str] = []
    for k in range(services):
        for priority in (":yes", ":no"):
            for booked, order, limit in _LINE_ORDERS:
                parts.append(
                    "SELECT * FROM (SELECT id, service, priority, queued_ts, booked, slot_ts"
                    f" FROM tickets WHERE day = :day AND status = :status AND service = :s{k}"
                    f" AND priority = {priority} AND {booked}"
                    f" ORDER BY {order}, id LIMIT {limit}) AS h{len(parts)}"
                )
    return text(" UNION ALL ".join(parts))



def heads(s: Session, day: str, services: Sequence[str]) -> list[Candidate]:
    """The heads of every line of ``services`` on ``day`` (each ticket once)."""
    found: dict[int, Candidate] = {}
    for first in range(0, len(services), _SERVICES_PER_QUERY):
        chunk = services[first:first + _SERVICES_PER_QUERY]
        params: dict[str, Any] = {f"s{k}": service for k, service in enumerate(chunk)}
        params.update(day=day, status=TicketStatus.WAITING, yes=True, no=False)
        # On the session's connection: a text statement needs none of the ORM's execution.
        for tid, service, priority, queued, booked, slot in s.connection().execute(
            statement(len(chunk)), params
        ):
            found[tid] = Candidate(tid, service, bool(priority), queued, bool(booked), slot)
    return list(found.values())


def heads_per_line(s: Session, day: str, services: Sequence[str]) -> list[Candidate]:
    """The same heads as :func:`heads`, with one ORM query per line and order."""
    found: dict[int, Candidate] = {}
    for service in services:
        for priority in (True, False):
            for booked in (True, False):
                line = (
                    Ticket.day == day,
                    Ticket.status == TicketStatus.WAITING,
                    Ticket.service == service,
                    Ticket.priority.is_(priority),
                    Ticket.booked.is_(booked),
                )
                orders: list[tuple[Any, ...]] = [(Ticket.queued_ts, Ticket.id)]
                if booked:
                    orders.append((Ticket.slot_ts, Ticket.id))
                for order in orders:
                    rows = s.execute(
                        select(Ticket.id, Ticket.queued_ts, Ticket.slot_ts)
                        .where(*line).order_by(*order)
                        .limit(PER_LINE if booked else WALK_IN_PER_LINE)
                    )
                    for tid, queued, slot in rows:
                        found[tid] = Candidate(tid, service, priority, queued, booked, slot)
    return list(found.values())
