"""The hub's queue operations: issuing tickets and the counters' actions, as database
transactions, with an event published after each commit.

Exactly-once calling rests on the database, not on this process's memory:
* SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`server.db`), so the
  whole read-decide-write of a NEXT holds the write lock.
* PostgreSQL: the counter's row is locked (``SELECT ... FOR UPDATE``) and the chosen ticket is
  claimed with ``UPDATE ... WHERE status = 'waiting'``; a claim that matches no row lost a race
  to another counter and the next candidate is tried.
Ticket numbers come from a per-service, per-day row incremented in the same transaction that
inserts the ticket, and a unique constraint backs it up (:mod:`loket.server.issuing`, run in
the hub's write transaction).

Beside it, over the hub's public reads: issuing a ticket (:mod:`loket.server.issuing`), what
displays read (:mod:`loket.server.snapshot`), a
ticket as its holder sees it (:mod:`loket.server.ticket_view`), the coalesced ``queue`` events
(:mod:`loket.server.queue_notifier`) and the calendar as it applies now
(:mod:`loket.server.hall_calendar`); a counter as the hub runs it (an action checked and run,
its state) is in :mod:`loket.server.counter_desk`, each action's handler in
:mod:`loket.server.counter_actions`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from loket.server import counter_desk, hall_calendar, queue_rules
from loket.server import service_times as observed
from loket.server.admin.store import HallStore
from loket.server.config import LoketConfig
from loket.server.config.hall import CounterSection, ServiceSection
from loket.server.counter_actions import CounterActions
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.events import Event, EventBus
from loket.server.issue_batch import WriteMemo, batcher_for
from loket.server.issuing import TicketIssuer
from loket.server.issuing import hash_token as hash_token
from loket.server.models import AuditEntry, CallRecord, Counter, Setting, Ticket, TicketStatus
from loket.server.payloads import (
    CallEvent,
    CounterActionAnswer,
    CounterPayload,
    IssuedTicket,
    QueuePayload,
    ServiceState,
    Snapshot,
    TicketEvent,
    TicketPublic,
    TicketStatusAnswer,
)
from loket.server.queue_notifier import QueueNotifier
from loket.server.snapshot import build_queue_payload, build_snapshot
from loket.server.ticket_view import ticket_event, ticket_public

log = logging.getLogger(__name__)

Spawn = Callable[[Callable[[], None]], Any]
CALL_ORDER_LOCK = 7242011
"""PostgreSQL advisory lock key that orders counter actions across hub processes."""


@dataclass
class Write:
    """An open write transaction of the hub (see :meth:`Hub.write`)."""

    session: Session
    """The transaction's session: committed when the ``with`` block ends without error."""
    now: float
    """The hub clock when the transaction began (one time for everything it writes)."""
    events: list[Event] = field(default_factory=list)
    """Published in this order after the commit."""
    queue_changed: bool = False
    """Set when waiting counts may have changed: a ``queue`` event follows the commit."""
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    """Run in this order after the commit and the publishing (see :meth:`after_commit`)."""
    memo: WriteMemo = field(default_factory=WriteMemo)
    """Values read once in this transaction by the tickets it issues (server.issue_batch)."""

    def publish(self, event: Event) -> None:
        """Publish ``event`` once the transaction has committed (never if it fails)."""
        self.events.append(event)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed and its events are out."""
        self.callbacks.append(callback)


class Hub(CounterActions):
    """Facade over the queue: what the API, keypads, web panels and kiosk call."""

    def __init__(
        self,
        config: LoketConfig,
        db: Database,
        clock: Callable[[], float] = time.time,
        events: EventBus | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.events = events or EventBus()
        self.tz = ZoneInfo(config.hall.timezone)
        self.hall = HallStore(config, db, clock)
        """The live agencies, services, counters and calendar (see :mod:`server.admin.store`)."""
        self.events.subscribe(self._on_hall_event)
        self.policy = queue_rules.Policy(
            priority_policy=config.queue.priority_policy,
            priority_every=config.queue.priority_every,
            service_order=config.queue.service_order,
            booked_policy=config.queue.booked_policy,
            booked_every=config.queue.booked_every,
        )
        self._publish_lock = threading.RLock()
        self.service_time_cache = observed.ServiceTimeCache()
        """Observed service times per service, recomputed at most every
        :data:`loket.server.service_times.CACHE_S` (see :mod:`loket.server.service_times`)."""
        self._queue = QueueNotifier(self, self._cluster_order)
        self._issuer = TicketIssuer(self)

    # ------------------------------------------------------------------ hall configuration
    @property
    def config(self) -> LoketConfig:
        """The hall's configuration: the file's, with the live hall tables of the database."""
        return self.hall.config

    @property
    def services(self) -> dict[str, ServiceSection]:
        """The hall's services by prefix, in the order of the hall's configuration."""
        return self.hall.services

    @property
    def counters(self) -> dict[str, CounterSection]:  # type: ignore[override]
        """The hall's counters by id, in the order of the hall's configuration."""
        return self.hall.counters

    def hall_changed(self) -> None:
        """After a committed hall change: reload, create rows for new counters, tell every
        page (``hall`` event) and, through the relay, every other hub process."""
        self.hall.reload()
        with self.write() as w:
            counter_desk.ensure_rows(w.session, self.counters, self.clock)
            w.publish(Event("hall", {"version": self.hall.version}))
            w.queue_changed = True

    def _on_hall_event(self, event: Event) -> None:
        if event.kind == "hall" and event.remote and self.hall.reload():
            self._ensure_counter_rows()

    def _hall_reloaded(self) -> None:
        """After the hall watcher reloaded a hall another program changed: rows for new
        counters, a ``hall`` event, fresh waiting counts."""
        self._ensure_counter_rows()
        self.events.publish(Event("hall", {"version": self.hall.version}))
        self._queue.mark_dirty()

    def _ensure_counter_rows(self) -> None:
        with self.write() as w:
            counter_desk.ensure_rows(w.session, self.counters, self.clock)

    # ------------------------------------------------------------------ the write path
    @contextlib.contextmanager
    def write(self, *, ordered: bool = False) -> Iterator[Write]:
        """The one way to change the queue's state: one database transaction whose events
        are published, in order, only after it commits.

        Holds the hub's publish lock for the transaction and its publishing, so events leave
        in commit order; ``ordered`` (counter actions) also takes the cluster-wide order lock
        when several hub processes share PostgreSQL. On an exception nothing is committed and
        nothing is published. After the publish, ``w.queue_changed`` refreshes the displays'
        waiting counts and ``w.after_commit`` callbacks run. While another process holds
        SQLite's write lock it waits cooperatively, at most ``[storage] busy_timeout_s``, then
        raises :class:`loket.server.db.DatabaseBusy` (``503 busy``) with nothing written."""
        with self._publish_lock:
            order = self._cluster_order() if ordered else contextlib.nullcontext(None)
            with order as connection:
                with self.db.session(connection) as s:
                    # Begin now: the wait for SQLite's write lock (bounded, cooperative; then
                    # DatabaseBusy) comes before the caller's code, and ``now`` after it.
                    s.connection()
                    w = Write(session=s, now=self.clock())
                    yield w
                for event in w.events:
                    self.events.publish(event)
        for callback in w.callbacks:
            callback()
        if w.queue_changed:
            self._queue.mark_dirty()

    # ------------------------------------------------------------------ setup
    def start(self, spawn: Spawn | None = None) -> None:
        """Load the live hall (seeding it from the file on first start), create counter rows
        for its counters; start the waiting-count notifier."""
        self.hall.load()
        self._ensure_counter_rows()
        if spawn is not None and not self._queue.started:
            self._queue.started = True
            spawn(self._queue.run)
            spawn(functools.partial(hall_calendar.watch_hall, self, self._hall_reloaded))

    # ------------------------------------------------------------------ time
    def local(self, ts: float) -> datetime:
        """A timestamp as the hall's local time."""
        return datetime.fromtimestamp(ts, self.tz)

    def iso(self, ts: float | None) -> str | None:
        """A timestamp as ISO 8601 in the hall's time zone, to the second (None stays None)."""
        return None if ts is None else self.local(ts).isoformat(timespec="seconds")

    def day(self, ts: float | None = None) -> str:
        """The hall's local date (``YYYY-MM-DD``) of ``ts``, or of now."""
        return self.local(self.clock() if ts is None else ts).date().isoformat()

    def describe_opening(self, moment: datetime | None, lang: str) -> str:
        """When a closed service opens again, in words for a citizen ("pukul 08.00",
        "besok pukul 08.00", a date)."""
        return hall_calendar.describe_opening(self, moment, lang)

    # ------------------------------------------------------------------ issuing
    def service_state(
        self, prefix: str, lang: str = "id", paused_services: list[str] | None = None
    ) -> ServiceState:
        """Whether tickets can be taken for a service now, and why not."""
        return hall_calendar.service_state(self, prefix, lang, paused_services)

    def issue_ticket(
        self, service: str, priority: bool = False, kiosk: str | None = None, lang: str = "id"
    ) -> IssuedTicket:
        """Issue the next number of ``service``. Durable once this returns."""
        # Concurrent issues share one transaction and one commit (server.issue_batch).
        return batcher_for(self).issue(service, priority=priority, kiosk=kiosk, lang=lang)

    def issue_in(
        self,
        w: Write,
        service: str,
        *,
        priority: bool = False,
        kiosk: str | None = None,
        lang: str = "id",
        booked: bool = False,
        slot_ts: float | None = None,
        queued_ts: float | None = None,
    ) -> IssuedTicket:
        """Issue the next number of ``service`` inside the write transaction ``w`` (the
        ticket event goes out after its commit). A booking's check-in passes ``booked``, the
        slot's start ``slot_ts`` and the fairness key ``queued_ts`` the booked policy gives
        it (default: now). Raises :class:`HubError` (``unknown_service``, ``paused``,
        ``closed``, ``quota_full``) before anything is written (:mod:`server.issuing`)."""
        return self._issuer.issue_in(w, service, priority=priority, kiosk=kiosk, lang=lang,
                                     booked=booked, slot_ts=slot_ts, queued_ts=queued_ts)

    @property
    def issuer(self) -> TicketIssuer:
        """Issues this hub's tickets and counts a ticket's place (:mod:`server.issuing`)."""
        return self._issuer

    # ------------------------------------------------------------------ counters
    def counter_action(
        self, counter_id: str, action: str, actor: str = "system", service: str | None = None,
        officer: str | None = None, ticket: str | None = None,
    ) -> CounterPayload | CounterActionAnswer:
        """Apply a counter's key press. Returns the counter's state after it."""
        request = counter_desk.check_action(self.counters, self.services, counter_id, action,
                                            actor, service, officer, ticket)
        with self.write(ordered=True) as w:
            result, outcome = counter_desk.run_action(self, w.session, w.now, w.events, request)
            w.publish(Event("counter", {**result, "actor": actor}))
            w.queue_changed = True
        if outcome.empty:
            raise HubError("empty", counter=request.counter.name)
        return result

    def _cluster_order(self) -> contextlib.AbstractContextManager[Connection | None]:
        """Several processes on PostgreSQL: counter actions, from the claim to the publish of
        their events, take turns across the cluster (an advisory lock), so ``call`` events
        reach Redis, and so every display, in the order of their ids. One process needs
        nothing more than :attr:`_publish_lock`. Cost: counter actions are serialised
        cluster-wide, a few milliseconds each on PostgreSQL (hundreds a second; a hall of 100
        counters presses about one a second)."""
        if self.config.realtime.message_queue and not self.db.is_sqlite:
            return self.db.cluster_lock(CALL_ORDER_LOCK)
        return contextlib.nullcontext(None)

    def counter_state(self, counter_id: str) -> CounterPayload:
        """A counter's state as the ``counter`` event and ``GET /api/counters/<id>`` give it."""
        counter = counter_desk.known_counter(self.counters, counter_id)
        with self.db.read() as s:
            return counter_desk.state_in(self, s, counter, counter_desk.counter_row(s, counter_id))

    def set_officer(self, counter_id: str, officer: str | None) -> None:
        """Note who staffs a counter (None: nobody); published as a ``counter`` event."""
        counter = counter_desk.known_counter(self.counters, counter_id)
        with self.write() as w:
            row = counter_desk.counter_row(w.session, counter_id)
            row.officer = officer
            w.publish(Event("counter", counter_desk.state_in(self, w.session, counter, row)))

    # ------------------------------------------------------------------ tickets
    def _ticket_event(self, ticket: Ticket) -> TicketEvent:
        return ticket_event(ticket, self.counters, self.iso)

    def ticket_by_token(self, token: str) -> TicketPublic | TicketStatusAnswer | None:
        """A ticket's public status for its status page (a waiting ticket's adds the people
        ahead and the estimate: :class:`TicketStatusAnswer`); None for an unknown token."""
        with self.db.read() as s:
            ticket = s.scalars(
                select(Ticket).where(Ticket.status_token_hash == hash_token(token))
            ).one_or_none()
            if ticket is None:
                return None
            public = ticket_public(ticket, self.counters, self.iso)
            if ticket.status != TicketStatus.WAITING or ticket.day != self.day():
                return public
            ahead = self._issuer.ahead(s, ticket)
            wait = observed.estimate(self, s, ticket.service, ahead, bool(ticket.priority))
            return {**public, "ahead": ahead, "estimated_wait_s": wait.seconds,
                    "estimate": wait.public()}

    # ------------------------------------------------------------------ public read helpers
    def ticket_payload(self, ticket: Ticket) -> TicketEvent:
        """A ticket as the ``ticket`` event carries it (for a module that changes tickets in
        its own :meth:`write`)."""
        return self._ticket_event(ticket)

    def call_payload(
        self, record: CallRecord, priority: bool | None = None, booked: bool | None = None
    ) -> CallEvent:
        """A call as displays get it in the ``call`` event; ``priority``/``booked`` None read
        the ticket's flags in the record's session."""
        return self._call_payload(record, priority, booked)

    def counter_payload(
        self, counter: CounterSection, row: Counter, ticket: Ticket | None, waiting: int
    ) -> CounterPayload:
        """A counter's state from its row and current ticket, read in the caller's
        transaction (as :meth:`counter_state` gives it)."""
        return counter_desk.counter_payload(counter, row, ticket, waiting, self.iso)

    def waiting_counts_in(self, s: Session) -> dict[str, int]:
        """Today's waiting tickets per service (every service, 0 when none wait), read in the
        caller's transaction ``s``."""
        return self._waiting_counts(s)

    def settings_in(self, s: Session) -> dict[str, Any]:
        """The supervisors' settings (running text, paused services...), read in the caller's
        transaction ``s``."""
        return self._settings(s)

    # ------------------------------------------------------------------ state
    def waiting_counts(self) -> dict[str, int]:
        """Today's waiting tickets per service, in a read transaction of its own."""
        with self.db.read() as s:
            return self._waiting_counts(s)

    def _waiting_counts(self, s: Session) -> dict[str, int]:
        rows = s.execute(_WAITING_COUNTS, {"day": self.day(), "status": TicketStatus.WAITING})
        counts = {prefix: 0 for prefix in self.services}
        counts.update({service: n for service, n in rows})
        return counts

    def queue_payload(self, counts: dict[str, int] | None = None) -> QueuePayload:
        """The ``queue`` event's payload: waiting tickets per service and per counter (from
        ``counts`` if given, else counted now)."""
        return build_queue_payload(self, counts)

    def snapshot(self, zone: str | None = None, lang: str = "id") -> Snapshot:
        """Everything a display needs on connect; the body of ``GET /api/state``."""
        return build_snapshot(self, zone, lang)

    def agency_id(self, agency: str) -> str:
        """The id (slug) of an agency named by id or name."""
        return self.config.agency_id(agency)

    def agency_name(self, agency: str) -> str:
        """The display name of an agency named by id or name."""
        return self.config.agency_name(agency)

    # ------------------------------------------------------------------ settings & audit
    def _settings(self, s: Session) -> dict[str, Any]:
        return {row.key: json.loads(row.value) for row in s.scalars(select(Setting))}

    def settings(self) -> dict[str, Any]:
        """The supervisors' settings, in a read transaction of their own."""
        with self.db.read() as s:
            return self._settings(s)

    def paused_services(self) -> list[str]:
        """Prefixes of the services a supervisor paused (no tickets issued meanwhile)."""
        return list(self.settings().get("paused_services", []))

    def set_setting(self, key: str, value: Any, actor: str) -> None:
        """Store a setting (audited) and publish a ``settings`` event; pausing or resuming
        services refreshes the waiting counts too."""
        with self.write() as w:
            s, now = w.session, w.now
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=json.dumps(value), updated_ts=now))
            else:
                row.value, row.updated_ts = json.dumps(value), now
            self.audit_in(w, actor, f"set:{key}", key, json.dumps(value)[:2000])
            w.publish(Event("settings", {"key": key, "value": value}))
            w.queue_changed = key == "paused_services"

    def audit(self, actor: str, action: str, target: str = "", detail: Any = "") -> None:
        """Note who did what in the audit log, in a transaction of its own."""
        with self.write() as w:
            self.audit_in(w, actor, action, target, detail)

    def audit_in(
        self, w: Write, actor: str, action: str, target: str = "", detail: Any = ""
    ) -> None:
        """Note who did what in the audit log, inside the write transaction ``w`` (kept only
        if it commits); a ``detail`` that is not a string is stored as JSON."""
        w.session.add(AuditEntry(ts=w.now, actor=actor, action=action, target=target,
                                 detail=detail if isinstance(detail, str)
                                 else json.dumps(detail)))


_WAITING_COUNTS = text(
    "SELECT service, count(*) FROM tickets WHERE day = :day AND status = :status"
    " GROUP BY service"
)
