"""A counter as the hub runs it: which actions a counter takes, a requested action checked
before any transaction begins, one action run inside the hub's write transaction (the counter's
row locked, its handler from :data:`loket.server.counter_actions.HANDLERS`, the state after it),
and the counter's payload as the ``counter`` event, ``GET /api/counters/<id>`` and the panels
show it.

The transaction itself, its locks and the publishing of the events are the hub's
(:meth:`loket.server.hub.Hub.counter_action`, :meth:`loket.server.hub.Hub.write`); this module
only gets their session, time and event list, and never imports the hub."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from loket.server.config.hall import CounterSection, ServiceSection
from loket.server.counter_actions import HANDLERS, CounterActions, parse_label
from loket.server.counter_status import (
    ActionArgs,
    CounterAction,
    CounterState,
    CounterStatus,
    Outcome,
)
from loket.server.errors import HubError
from loket.server.events import Event
from loket.server.issuing import insert_ignore
from loket.server.models import Counter, Ticket, TicketStatus
from loket.server.payloads import CounterActionAnswer, CounterPayload
from loket.server.row_writes import write_columns

COUNTER_ACTIONS = ("next", "recall", "skip", "done", "transfer", "start", "break", "resume",
                   "call", "bring_back")
"""The actions of a counter's officer (keypad, panel, API)."""
TICKET_ACTIONS = ("call", "bring_back")
"""Counter actions about a given ticket (``ticket``: its number as the officer typed it)."""
SUPERVISOR_ACTIONS = ("open", "close")
"""The actions only a supervisor takes."""


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A counter action that passed :func:`check_action`: the counter, the action, its
    arguments (the ticket's label as parsed) and the officer to note on the counter, if any."""

    counter: CounterSection
    action: CounterAction
    args: ActionArgs
    officer: str | None = None


def known_counter(counters: Mapping[str, CounterSection], counter_id: str) -> CounterSection:
    """The configured counter ``counter_id``; :class:`HubError` ``unknown_counter`` if none."""
    counter = counters.get(counter_id)
    if counter is None:
        raise HubError("unknown_counter", counter=counter_id)
    return counter


def check_action(
    counters: Mapping[str, CounterSection],
    services: Mapping[str, ServiceSection],
    counter_id: str,
    action: str,
    actor: str = "system",
    service: str | None = None,
    officer: str | None = None,
    ticket: str | None = None,
) -> ActionRequest:
    """A requested counter action, checked before anything is read or written: a known
    counter (``unknown_counter``) and action (``unknown_action``); TRANSFER names a known
    service (``bad_request``, ``unknown_service``); CALL and BRING_BACK give a ticket number
    (``bad_request``)."""
    counter = known_counter(counters, counter_id)
    if action not in COUNTER_ACTIONS + SUPERVISOR_ACTIONS:
        raise HubError("unknown_action", action=action)
    if action == "transfer":
        if not service:
            raise HubError("bad_request", reason="transfer needs a 'service'")
        if service not in services:
            raise HubError("unknown_service", service=service)
    label = None
    if action in TICKET_ACTIONS:
        if not ticket:
            raise HubError("bad_request", reason=f"{action} needs a 'ticket'")
        label = parse_label(ticket)
        if label is None:
            raise HubError("bad_request", reason="'ticket' is not a ticket number")
    return ActionRequest(counter, CounterAction(action),
                         ActionArgs(service=service, ticket=label, actor=actor), officer)


def run_action(
    desk: CounterActions, s: Session, now: float, events: list[Event], request: ActionRequest
) -> tuple[CounterPayload | CounterActionAnswer, Outcome]:
    """Run a checked action in the open write transaction ``s`` (time ``now``; the handler's
    events go to ``events``): the counter's state after it (with ``called`` when it called a
    ticket) and the handler's outcome. The caller publishes and commits."""
    counter = request.counter
    # The counter's row, locked, and its current ticket: one statement.
    row, current = s.execute(COUNTER_FOR_UPDATE, {"id": counter.id}).one()
    if request.officer:
        row.officer = request.officer
    outcome = HANDLERS[request.action](desk, s, counter, row, current, now, events, request.args)
    # The counter's row in one Core UPDATE (the unit of work's search for changes was most of
    # a NEXT's flush), then whatever else the handler changed (a transfer's ticket, an audit).
    write_columns(s, row, {"status": row.status, "current_ticket_id": row.current_ticket_id,
                           "officer": row.officer,
                           "calls_since_priority": row.calls_since_priority,
                           "calls_since_booked": row.calls_since_booked, "updated_ts": now})
    s.flush()
    waiting = waiting_for(s, counter, desk.day())
    shown = outcome.shown or current_ticket(s, row)
    state = counter_payload(counter, row, shown, waiting, desk.iso)
    if outcome.called is not None:
        return {**state, "called": outcome.called}, outcome
    return state, outcome


def ensure_rows(s: Session, counter_ids: Iterable[str], clock: Callable[[], float]) -> None:
    """A row for each configured counter that has none yet (open, idle), in ``s``."""
    known = set(s.scalars(select(Counter.id)))
    for counter_id in counter_ids:
        if counter_id not in known:  # several processes may start at once
            insert_ignore(s, Counter, {"id": counter_id, "status": CounterStatus.OPEN,
                                       "updated_ts": clock(), "calls_since_priority": 0})


def state_in(desk: CounterActions, s: Session, counter: CounterSection, row: Counter
             ) -> CounterPayload:
    """The counter's state from its ``row``, read in the caller's transaction ``s``."""
    ticket = current_ticket(s, row)
    return counter_payload(counter, row, ticket, waiting_for(s, counter, desk.day()), desk.iso)


def counter_row(s: Session, counter_id: str) -> Counter:
    """The counter's row; :class:`HubError` ``unknown_counter`` if it has none yet."""
    row = s.get(Counter, counter_id)
    if row is None:
        raise HubError("unknown_counter", counter=counter_id)
    return row


def current_ticket(s: Session, row: Counter) -> Ticket | None:
    """The ticket the counter's row shows now, if any."""
    return s.get(Ticket, row.current_ticket_id) if row.current_ticket_id else None


def waiting_for(s: Session, counter: CounterSection, day: str) -> int:
    """The tickets of ``day`` waiting in the queues of the counter's services (read on the
    session's connection: flush first what it should count)."""
    return s.connection().scalar(WAITING_FOR, {"day": day, "status": TicketStatus.WAITING,
                                               "services": list(counter.services)}) or 0


def counter_payload(
    counter: CounterSection,
    row: Counter,
    ticket: Ticket | None,
    waiting: int,
    iso: Callable[[float | None], str | None],
) -> CounterPayload:
    """A counter's state from its config, row, current ticket and waiting count (``iso``: a
    timestamp in the hall's time zone, :meth:`loket.server.hub.Hub.iso`)."""
    status = CounterState.of(row.status, serving=ticket is not None)
    return {
        "counter": counter.id,
        "counter_name": counter.name,
        "zone": counter.zone,
        "status": status,
        "open": row.status == CounterStatus.OPEN,
        "ticket": ticket.label if ticket else None,
        "ticket_status": ticket.status if ticket else None,
        "service": ticket.service if ticket else None,
        "priority": bool(ticket.priority) if ticket else False,
        "booked": bool(ticket.booked) if ticket else False,
        "waited_s": round(ticket.called_ts - ticket.queued_ts)
        if ticket and ticket.called_ts
        else None,
        "since": iso(ticket.called_ts) if ticket else None,
        "officer": row.officer,
        "waiting": waiting,
    }


# Statements of every counter action, built once (docs/benchmarks.md).
COUNTER_FOR_UPDATE = (
    select(Counter, Ticket).outerjoin(Ticket, Ticket.id == Counter.current_ticket_id)
    .where(Counter.id == bindparam("id")).with_for_update(of=Counter)
)
"""A counter's row, locked for the transaction (PostgreSQL), with its current ticket."""
WAITING_FOR = select(func.count()).select_from(Ticket).where(
    Ticket.day == bindparam("day"), Ticket.status == bindparam("status"),
    Ticket.service.in_(bindparam("services", expanding=True)))
"""Waiting tickets of a day in a list of services (:func:`waiting_for`)."""
