"""The counters' key presses as database work inside one transaction: NEXT (finish the current
ticket, rank the candidates with the pure queue rules, claim the first one still waiting),
RECALL, START, SKIP, DONE, TRANSFER, BREAK, RESUME, OPEN and CLOSE, and the officers' CALL (a
given number) and BRING_BACK (a no-show back into its queue).

A mixin of :class:`loket.server.hub.Hub`, which owns the transaction, the locking and the events;
each handler gets the session, the counter's config and locked row, its current ticket, the
time and the list of events to publish after the commit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, object_session

from loket.server import line_heads, queue_rules
from loket.server.config.hall import CounterSection
from loket.server.counter_status import (
    EMPTY,
    NOTHING,
    ActionArgs,
    CounterAction,
    CounterStatus,
    Outcome,
)
from loket.server.errors import HubError
from loket.server.events import Event
from loket.server.i18n import register
from loket.server.models import AuditEntry, CallRecord, Counter, Ticket, TicketStatus
from loket.server.payloads import CallEvent, TicketEvent
from loket.server.row_writes import write_columns

CALLABLE = (TicketStatus.WAITING, TicketStatus.NO_SHOW)
"""Statuses a CALL of a given number accepts: waiting, or skipped (no-show) earlier today."""
_LABEL = re.compile(r"^([A-Z]{1,2})-?0*([0-9]{1,3})$")


def parse_label(text: str) -> str | None:
    """What an officer types -> a ticket label: ``a-12``, ``A012``, ``A-012`` -> ``A-012``;
    None when it cannot be one."""
    found = _LABEL.match(text.strip().upper()) if len(text) <= 16 else None
    if found is None:
        return None
    return f"{found.group(1)}-{int(found.group(2)):03d}"


register(
    {
        "error.on_break": {
            "id": "{counter} sedang istirahat. Lanjutkan dulu sebelum memanggil.",
            "en": "{counter} is on a break. Resume before calling.",
        },
        "error.unknown_ticket": {
            "id": "Nomor {ticket} tidak ditemukan hari ini.",
            "en": "There is no ticket {ticket} today.",
        },
        "error.other_service": {
            "id": "Nomor {ticket} bukan antrean layanan loket ini.",
            "en": "Ticket {ticket} is not in a queue of this counter's services.",
        },
        "error.not_callable": {
            "id": "Nomor {ticket} tidak dapat dipanggil: sedang atau sudah dilayani.",
            "en": "Ticket {ticket} cannot be called: it is being or has been served.",
        },
        "error.not_skipped": {
            "id": "Nomor {ticket} tidak berstatus tidak hadir.",
            "en": "Ticket {ticket} is not a no-show.",
        },
    }
)

_TICKETS = cast(Table, Ticket.__table__)
_CLAIM = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("claim_id"), _TICKETS.c.status == TicketStatus.WAITING)
    .values(status=TicketStatus.CALLED, counter_id=bindparam("claim_counter"),
            officer=bindparam("claim_officer"), called_ts=bindparam("claim_now"),
            served_ts=bindparam("claim_now"), finished_ts=None)
    .returning(*_TICKETS.c)
)
"""NEXT's claim of a waiting ticket, a Core statement built once (docs/benchmarks.md): only a
row still waiting is taken, so two counters never get the same one; RETURNING gives the
called ticket's row."""
CLAIM_ROUNDS = 20
"""Claims a NEXT may lose in a row to other processes before it answers ``busy``."""
_CALLS = cast(Table, CallRecord.__table__)
_INSERT_CALL = insert(_CALLS).returning(_CALLS.c.id)
"""A call's record, its new id returned (:meth:`CounterActions._call`)."""


def _rows(result: Result[Any]) -> int:
    """Rows an UPDATE changed."""
    return cast(CursorResult[Any], result).rowcount


class CounterActions:
    """The handlers of the counter actions (:data:`HANDLERS`); see
    :meth:`loket.server.hub.Hub.counter_action`, which runs them in its transaction."""

    counters: dict[str, CounterSection]
    policy: queue_rules.Policy

    def day(self, ts: float | None = None) -> str:
        """The hall's local date of ``ts`` (see :meth:`loket.server.hub.Hub.day`)."""
        raise NotImplementedError

    def iso(self, ts: float | None) -> str | None:
        """``ts`` as ISO 8601 in the hall's time zone (see :meth:`loket.server.hub.Hub.iso`)."""
        raise NotImplementedError

    def _ticket_event(self, ticket: Ticket) -> TicketEvent:
        raise NotImplementedError

    def _finish(self, s: Session, ticket: Ticket | None, status: str, now: float,
                events: list[Event]) -> None:
        """End the counter's active ticket (done, no-show), written at once."""
        if ticket is None or ticket.status not in TicketStatus.ACTIVE:
            return
        write_columns(s, ticket, {"status": status, "finished_ts": now})
        events.append(Event("ticket", self._ticket_event(ticket)))

    def _refuse_paused(self, counter: CounterSection, row: Any) -> None:
        """NEXT and CALL need an open counter: a break ends with RESUME, never silently."""
        if row.status == CounterStatus.CLOSED:
            raise HubError("counter_closed", counter=counter.name)
        if row.status == CounterStatus.BREAK:
            raise HubError("on_break", counter=counter.name)

    def _do_next(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        self._refuse_paused(counter, row)
        self._finish(s, current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = CounterStatus.OPEN
        view = queue_rules.CounterView(
            counter.id, tuple(counter.services), row.calls_since_priority,
            row.calls_since_booked or 0,
        )
        # The reads and the claim need none of this transaction's changes (the finished
        # ticket is not waiting), so nothing is flushed before them.
        with s.no_autoflush:
            claimed = self._claim_best(s, counter, row, view, now)
        if claimed is None:
            return EMPTY  # committed (the previous ticket is finished), then refused as empty
        ticket, candidate = claimed
        row.current_ticket_id = ticket.id
        row.calls_since_priority = queue_rules.calls_since_priority_after(view, candidate)
        row.calls_since_booked = queue_rules.calls_since_booked_after(view, candidate)
        events.append(self._call(s, ticket, counter, now, recall=False))
        events.append(Event("ticket", self._ticket_event(ticket)))
        return Outcome(called=ticket.label, shown=ticket)

    def _claim_best(
        self, s: Session, counter: CounterSection, row: Counter, view: queue_rules.CounterView,
        now: float,
    ) -> tuple[Ticket, queue_rules.Candidate] | None:
        """The ticket the rules rank first for the counter, now called by it, and its candidate
        (None: nobody waits for it). A claim lost to another process (hub processes sharing
        PostgreSQL without the cluster order lock) reads the heads again and ranks afresh, so
        the order holds however deep the race went; after :data:`CLAIM_ROUNDS` lost claims in
        a row, ``busy`` (503) and nothing is written."""
        for _ in range(CLAIM_ROUNDS):
            ranked = queue_rules.rank(view, self._candidates(s, counter), self.policy, now=now)
            if not ranked:
                return None
            ticket = self._claim(s, counter, row, ranked[0], now)
            if ticket is not None:
                return ticket, ranked[0]
        raise HubError("busy")

    def _claim(
        self, s: Session, counter: CounterSection, row: Counter,
        candidate: queue_rules.Candidate, now: float,
    ) -> Ticket | None:
        """``candidate`` called by this counter if it is still waiting (None: another counter
        or process took it first). One statement on the session's connection: the conditional
        UPDATE, whose RETURNING is the called ticket. The ORM's UPDATE ... RETURNING into the
        session cost three times as much; the ticket is only read after this (events, the
        counter's state), so a transient copy of the row stands for it."""
        found = s.connection().execute(_CLAIM, {
            "claim_id": candidate.ticket_id, "claim_counter": counter.id,
            "claim_officer": row.officer, "claim_now": now,
        }).first()
        return None if found is None else Ticket(**found._mapping)

    def _candidates(self, s: Session, counter: CounterSection) -> list[queue_rules.Candidate]:
        """The heads of each (service, priority, booked) line this counter serves: only a head
        can be first in line, and a few more let a lost race fall back without another query
        (:func:`loket.server.line_heads.heads`)."""
        return line_heads.heads(s, self.day(), counter.services)

    def _candidates_per_line(
        self, s: Session, counter: CounterSection
    ) -> list[queue_rules.Candidate]:
        """The same heads as :meth:`_candidates` by the reference queries (for tests)."""
        return line_heads.heads_per_line(s, self.day(), counter.services)

    def _call(
        self, s: Session, ticket: Ticket, counter: CounterSection, now: float, recall: bool
    ) -> Event:
        values = {"ts": now, "ticket_id": ticket.id, "label": ticket.label,
                  "service": ticket.service, "counter_id": counter.id, "recall": recall}
        # One Core INSERT on the session's connection: the record is only written, never
        # read back in this transaction, so it needs no unit of work (docs/benchmarks.md).
        new_id = s.connection().execute(_INSERT_CALL, values).scalar_one()
        record = CallRecord(id=new_id, **values)  # transient: the payload's fields
        return Event("call", self._call_payload(record, ticket.priority, ticket.booked))

    def _call_payload(
        self, record: CallRecord, priority: bool | None = None, booked: bool | None = None
    ) -> CallEvent:
        """A call as displays get it; ``priority``/``booked`` None read the ticket's flags."""
        if priority is None or booked is None:
            session = object_session(record)
            ticket = session.get(Ticket, record.ticket_id) if session is not None else None
            priority = bool(ticket.priority) if ticket is not None else False
            booked = bool(ticket.booked) if ticket is not None else False
        counter = self.counters.get(record.counter_id)
        return {
            "id": record.id,
            "ticket": record.label,
            "service": record.service,
            "counter": record.counter_id,
            "counter_name": counter.name if counter else record.counter_id,
            "counter_spoken_name": counter.spoken_name if counter else "",
            "zone": counter.zone if counter else "",
            "recall": bool(record.recall),
            "priority": bool(priority),
            "booked": bool(booked),
            "at": self.iso(record.ts),
        }

    def _require_current(self, counter: CounterSection, current: Ticket | None) -> Ticket:
        if current is None or current.status not in TicketStatus.ACTIVE:
            raise HubError("no_current", counter=counter.name)
        return current

    def _do_recall(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        ticket = self._require_current(counter, current)
        ticket.recalls += 1
        events.append(self._call(s, ticket, counter, now, recall=True))
        return Outcome(called=ticket.label)

    def _do_start(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        ticket = self._require_current(counter, current)
        if ticket.status == TicketStatus.CALLED:
            ticket.status = TicketStatus.SERVING
            ticket.served_ts = now
            events.append(Event("ticket", self._ticket_event(ticket)))
        return NOTHING

    def _end_current(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        status: str, now: float, events: list[Event],
    ) -> Outcome:
        """SKIP and DONE: the counter's ticket ends as ``status`` and the counter is free."""
        self._finish(s, self._require_current(counter, current), status, now, events)
        row.current_ticket_id = None
        return NOTHING

    def _do_skip(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        return self._end_current(s, counter, row, current, TicketStatus.NO_SHOW, now, events)

    def _do_done(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        return self._end_current(s, counter, row, current, TicketStatus.DONE, now, events)

    def _do_transfer(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        service = args.service
        if not service:
            raise HubError("bad_request", reason="transfer needs a 'service'")
        ticket = self._require_current(counter, current)
        if ticket.service == service:
            raise HubError("same_service", service=service)
        ticket.transferred_from = f"{ticket.service} @ {counter.name}"[:64]
        ticket.service = service
        ticket.status = TicketStatus.WAITING
        ticket.transfers += 1
        ticket.counter_id = None
        ticket.served_ts = None
        row.current_ticket_id = None
        events.append(Event("ticket", self._ticket_event(ticket)))
        return NOTHING

    def _do_break(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        self._finish(s, current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = CounterStatus.BREAK
        return NOTHING

    def _do_open(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        """OPEN (a supervisor opens a closed counter) and RESUME (the officer ends a break):
        the counter is open again, its current ticket untouched. Which of the two it was stays
        in the ``counter`` event's actor and in the audit (``counter:open``/``counter:resume``,
        written by the API from the action's name)."""
        row.status = CounterStatus.OPEN
        return NOTHING

    def _do_close(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        self._finish(s, current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = CounterStatus.CLOSED
        return NOTHING

    # ------------------------------------------------------------------ a given ticket
    def _today_ticket(self, s: Session, counter: CounterSection, label: str | None) -> Ticket:
        """Today's ticket ``label`` in a queue of this counter's services."""
        ticket = s.scalars(
            select(Ticket).where(Ticket.day == self.day(), Ticket.label == label)
            .order_by(Ticket.id.desc()).limit(1)
        ).one_or_none()
        if ticket is None:
            raise HubError("unknown_ticket", ticket=label)
        if ticket.service not in counter.services:
            raise HubError("other_service", ticket=label)
        return ticket

    def _audit(self, s: Session, now: float, actor: str, action: str, counter: CounterSection,
               detail: dict[str, Any]) -> None:
        s.add(AuditEntry(ts=now, actor=actor[:80], action=action, target=counter.id,
                         detail=json.dumps(detail)))

    def _do_call(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        """Call a given waiting or skipped ticket (the officer typed its number)."""
        self._refuse_paused(counter, row)
        target = self._today_ticket(s, counter, args.ticket)
        if target.status not in CALLABLE:
            raise HubError("not_callable", ticket=target.label, state=target.status)
        previous = target.status
        self._finish(s, current, TicketStatus.DONE, now, events)
        row.current_ticket_id = None
        row.status = CounterStatus.OPEN
        # The same claim as NEXT: only a row still waiting (or skipped) is taken, so two
        # counters calling the same number at once never both get it.
        claimed = _rows(s.execute(
            update(Ticket)
            .where(Ticket.id == target.id, Ticket.status.in_(CALLABLE))
            .values(status=TicketStatus.CALLED, counter_id=counter.id, officer=row.officer,
                    called_ts=now, served_ts=now, finished_ts=None)
            .execution_options(synchronize_session=False)
        ))
        if claimed != 1:
            raise HubError("not_callable", ticket=target.label, state="called")
        s.refresh(target)
        row.current_ticket_id = target.id
        events.append(self._call(s, target, counter, now, recall=False))
        events.append(Event("ticket", self._ticket_event(target)))
        self._audit(s, now, args.actor, "counter:call", counter,
                    {"ticket": target.label, "was": previous})
        return Outcome(called=target.label, shown=target)

    def _do_bring_back(
        self, s: Session, counter: CounterSection, row: Counter, current: Ticket | None,
        now: float, events: list[Event], args: ActionArgs,
    ) -> Outcome:
        """A skipped (no-show) ticket of today back into its queue, in its old place (its
        queue time is kept), so the next NEXT of a counter of its service calls it."""
        target = self._today_ticket(s, counter, args.ticket)
        if target.status != TicketStatus.NO_SHOW:
            raise HubError("not_skipped", ticket=target.label, state=target.status)
        claimed = _rows(s.execute(
            update(Ticket)
            .where(Ticket.id == target.id, Ticket.status == TicketStatus.NO_SHOW)
            .values(status=TicketStatus.WAITING, counter_id=None, called_ts=None,
                    served_ts=None, finished_ts=None)
            .execution_options(synchronize_session=False)
        ))
        if claimed != 1:
            raise HubError("not_skipped", ticket=target.label, state="waiting")
        s.refresh(target)
        events.append(Event("ticket", self._ticket_event(target)))
        self._audit(s, now, args.actor, "counter:bring_back", counter, {"ticket": target.label})
        return NOTHING


Handler = Callable[
    [CounterActions, Session, CounterSection, Counter, Ticket | None, float, list[Event],
     ActionArgs],
    Outcome,
]
"""A counter action's handler: the hub, its session, the counter's config and locked row, its
current ticket, the time, the events to publish after the commit, and the action's args."""

HANDLERS: dict[CounterAction, Handler] = {
    CounterAction.NEXT: CounterActions._do_next,
    CounterAction.RECALL: CounterActions._do_recall,
    CounterAction.SKIP: CounterActions._do_skip,
    CounterAction.DONE: CounterActions._do_done,
    CounterAction.TRANSFER: CounterActions._do_transfer,
    CounterAction.START: CounterActions._do_start,
    CounterAction.BREAK: CounterActions._do_break,
    CounterAction.RESUME: CounterActions._do_open,  # the same: see _do_open
    CounterAction.CALL: CounterActions._do_call,
    CounterAction.BRING_BACK: CounterActions._do_bring_back,
    CounterAction.OPEN: CounterActions._do_open,
    CounterAction.CLOSE: CounterActions._do_close,
}
"""Each action's handler (the hub looks the action up here; nothing is found by name)."""
