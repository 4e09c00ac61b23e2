"""The counters' key presses as database work inside one transaction: NEXT (finish the current
ticket, rank the candidates with the pure queue rules, claim the first one still waiting),
RECALL, START, SKIP, DONE, TRANSFER, BREAK, RESUME, OPEN and CLOSE.

A mixin of :class:`server.hub.Hub`, which owns the transaction, the locking and the events;
each handler gets the session, the counter's config and locked row, its current ticket, the
time and the list of events to publish after the commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from server import queue_rules
from server.config.hall import CounterSection
from server.errors import HubError
from server.events import Event
from server.models import CallRecord, Ticket, TicketStatus

EMPTY = object()
"""Returned by NEXT when nobody waits: the transaction commits, then the hub refuses."""
_EMPTY = EMPTY

_LINE_HEADS = text(
    "SELECT id, service, priority, queued_ts FROM ("
    " SELECT id, service, priority, queued_ts, ROW_NUMBER() OVER"
    " (PARTITION BY service, priority ORDER BY queued_ts, id) AS place"
    " FROM tickets WHERE day = :day AND status = :status AND service IN :services"
    ") AS heads WHERE place <= :per_line"
).bindparams(bindparam("services", expanding=True))


class CounterActions:
    """Handlers named ``_do_<action>``; see :meth:`server.hub.Hub.counter_action`."""

    counters: dict[str, CounterSection]
    policy: queue_rules.Policy

    def day(self, ts: float | None = None) -> str:
        raise NotImplementedError

    def iso(self, ts: float | None) -> str | None:
        raise NotImplementedError

    def _ticket_event(self, ticket: Ticket) -> dict[str, Any]:
        raise NotImplementedError

    def _finish(self, ticket: Ticket | None, status: str, now: float, events: list[Event]) -> None:
        if ticket is None or ticket.status not in TicketStatus.ACTIVE:
            return
        ticket.status = status
        ticket.finished_ts = now
        events.append(Event("ticket", self._ticket_event(ticket)))

    def _do_next(self, s, counter, row, current, now, events, **_):
        if row.status == "closed":
            raise HubError("counter_closed", 409, counter=counter.name)
        self._finish(current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = "open"
        view = queue_rules.CounterView(
            counter.id, tuple(counter.services), row.calls_since_priority
        )
        for candidate in queue_rules.rank(view, self._candidates(s, counter), self.policy):
            claimed = s.execute(
                update(Ticket)
                .where(Ticket.id == candidate.ticket_id, Ticket.status == TicketStatus.WAITING)
                .values(
                    status=TicketStatus.CALLED,
                    counter_id=counter.id,
                    officer=row.officer,
                    called_ts=now,
                    served_ts=now,
                    finished_ts=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another counter (process) took it first
            ticket = s.get(Ticket, candidate.ticket_id)
            s.refresh(ticket)
            row.current_ticket_id = ticket.id
            row.calls_since_priority = queue_rules.calls_since_priority_after(view, candidate)
            events.append(self._call(s, ticket, counter, now, recall=False))
            events.append(Event("ticket", self._ticket_event(ticket)))
            return ticket.label
        return _EMPTY  # committed (the previous ticket is finished), then refused as empty

    def _candidates(self, s: Session, counter: CounterSection) -> list[queue_rules.Candidate]:
        """The heads of each (service, priority) line this counter serves: only a head can be
        first in line, and a few more let a lost race fall back without another query."""
        # One windowed query instead of one per (service, priority) line: a NEXT at a counter
        # with eight services cost sixteen statements (see bench/hub_load.py).
        rows = s.execute(_LINE_HEADS, {
            "day": self.day(), "status": TicketStatus.WAITING,
            "services": list(counter.services), "per_line": 8,
        })
        return [
            queue_rules.Candidate(tid, service, bool(priority), queued)
            for tid, service, priority, queued in rows
        ]

    def _candidates_per_line(
        self, s: Session, counter: CounterSection
    ) -> list[queue_rules.Candidate]:
        """The same heads as :meth:`_candidates`, one query per line (kept for tests)."""
        day = self.day()
        candidates: list[queue_rules.Candidate] = []
        for service in counter.services:
            for priority in (True, False):
                rows = s.execute(
                    select(Ticket.id, Ticket.queued_ts)
                    .where(
                        Ticket.day == day,
                        Ticket.status == TicketStatus.WAITING,
                        Ticket.service == service,
                        Ticket.priority.is_(priority),
                    )
                    .order_by(Ticket.queued_ts, Ticket.id)
                    .limit(8)
                )
                candidates.extend(
                    queue_rules.Candidate(tid, service, priority, queued) for tid, queued in rows
                )
        return candidates

    def _call(
        self, s: Session, ticket: Ticket, counter: CounterSection, now: float, recall: bool
    ) -> Event:
        record = CallRecord(
            ts=now,
            ticket_id=ticket.id,
            label=ticket.label,
            service=ticket.service,
            counter_id=counter.id,
            recall=recall,
        )
        s.add(record)
        s.flush()
        return Event("call", self._call_payload(record, ticket.priority))

    def _call_payload(self, record: CallRecord, priority: bool = False) -> dict[str, Any]:
        counter = self.counters.get(record.counter_id)
        return {
            "id": record.id,
            "ticket": record.label,
            "service": record.service,
            "counter": record.counter_id,
            "counter_name": counter.name if counter else record.counter_id,
            "zone": counter.zone if counter else "",
            "recall": bool(record.recall),
            "priority": bool(priority),
            "at": self.iso(record.ts),
        }

    def _require_current(self, counter: CounterSection, current: Ticket | None) -> Ticket:
        if current is None or current.status not in TicketStatus.ACTIVE:
            raise HubError("no_current", 409, counter=counter.name)
        return current

    def _do_recall(self, s, counter, row, current, now, events, **_):
        ticket = self._require_current(counter, current)
        ticket.recalls += 1
        events.append(self._call(s, ticket, counter, now, recall=True))
        return ticket.label

    def _do_start(self, s, counter, row, current, now, events, **_):
        ticket = self._require_current(counter, current)
        if ticket.status == TicketStatus.CALLED:
            ticket.status = TicketStatus.SERVING
            ticket.served_ts = now
            events.append(Event("ticket", self._ticket_event(ticket)))
        return None

    def _do_skip(self, s, counter, row, current, now, events, **_):
        self._finish(self._require_current(counter, current), TicketStatus.NO_SHOW, now, events)
        row.current_ticket_id = None
        return None

    def _do_done(self, s, counter, row, current, now, events, **_):
        self._finish(self._require_current(counter, current), TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        return None

    def _do_transfer(self, s, counter, row, current, now, events, service=None, **_):
        ticket = self._require_current(counter, current)
        if ticket.service == service:
            raise HubError("same_service", 409, service=service)
        ticket.transferred_from = f"{ticket.service} @ {counter.name}"[:64]
        ticket.service = service
        ticket.status = TicketStatus.WAITING
        ticket.transfers += 1
        ticket.counter_id = None
        ticket.served_ts = None
        row.current_ticket_id = None
        events.append(Event("ticket", self._ticket_event(ticket)))
        return None

    def _do_break(self, s, counter, row, current, now, events, **_):
        self._finish(current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = "break"
        return None

    def _do_resume(self, s, counter, row, current, now, events, **_):
        row.status = "open"
        return None

    def _do_open(self, s, counter, row, current, now, events, **_):
        row.status = "open"
        return None

    def _do_close(self, s, counter, row, current, now, events, **_):
        self._finish(current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = "closed"
        return None
