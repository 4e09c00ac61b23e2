"""Issuing a ticket: drawing the service's next number of the day, inserting the ticket, its
place in line and its estimated wait, and the answer the kiosk prints.

:class:`TicketIssuer` is owned by the hub (:class:`loket.server.hub.Hub`), whose
``issue_in`` and ``issue_ticket`` call it; it reads the hub through :class:`IssuingHub`, a
``Protocol`` of the hub's public names, and writes in the hub's open write transaction
(:class:`IssueWrite`). Numbers come from a per-service, per-day row incremented in the same
transaction that inserts the ticket; a unique constraint backs it up."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import and_, func, insert, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from loket.server import service_times as observed
from loket.server.config.hall import ServiceSection
from loket.server.errors import HubError
from loket.server.events import Event
from loket.server.issue_batch import WriteMemo, paused_services
from loket.server.models import ServiceDay, Ticket, TicketStatus
from loket.server.payloads import IssuedTicket, ServiceState, TicketEvent

log = logging.getLogger(__name__)

MAX_DAILY_NUMBER = 999
"""Highest number a service without a quota issues in a day (labels keep three digits)."""


class IssuingHub(observed.HallView, Protocol):
    """What issuing reads of the hub (:class:`loket.server.hub.Hub` is one)."""

    @property
    def services(self) -> Mapping[str, ServiceSection]:
        """The hall's services by prefix."""
        ...

    def service_state(
        self, prefix: str, lang: str = "id", paused_services: list[str] | None = None
    ) -> ServiceState:
        """Whether tickets can be taken for a service now, and why not."""
        ...

    def agency_name(self, agency: str) -> str:
        """The display name of an agency named by id or name."""
        ...

    def iso(self, ts: float | None) -> str | None:
        """A timestamp as ISO 8601 in the hall's time zone."""
        ...

    def ticket_payload(self, ticket: Ticket) -> TicketEvent:
        """A ticket as the ``ticket`` event carries it."""
        ...


class IssueWrite(Protocol):
    """The hub's open write transaction (:class:`loket.server.hub.Write` is one)."""

    session: Session
    now: float
    queue_changed: bool
    memo: WriteMemo

    def publish(self, event: Event) -> None:
        """Publish ``event`` once the transaction has committed."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed."""
        ...


class TicketIssuer:
    """Issues tickets of a hub inside its write transactions, and counts a ticket's place."""

    def __init__(self, hub: IssuingHub) -> None:
        self.hub = hub
        """The hub whose tickets are issued."""
        self._capacity = observed.CapacityCache()
        self._numbering_rows: set[tuple[str, str]] = set()
        """(day, service) whose ServiceDay row is known to exist (rows are never deleted)."""

    def issue_in(
        self,
        w: IssueWrite,
        service: str,
        *,
        priority: bool = False,
        kiosk: str | None = None,
        lang: str = "id",
        booked: bool = False,
        slot_ts: float | None = None,
        queued_ts: float | None = None,
    ) -> IssuedTicket:
        """Issue the next number of ``service`` inside the write transaction ``w`` (see
        :meth:`loket.server.hub.Hub.issue_in`)."""
        hub = self.hub
        svc = hub.services.get(service)
        if svc is None:
            raise HubError("unknown_service", service=service)
        s, now = w.session, w.now
        day = hub.day(now)
        token = secrets.token_urlsafe(18)
        # The paused services, read in this transaction (once per transaction: one row).
        memo = w.memo
        if memo.paused is None:
            memo.paused = paused_services(s)
        self._refuse_closed(svc, hub.service_state(service, lang, memo.paused))
        if (day, service) not in self._numbering_rows:
            insert_ignore(s, ServiceDay, {"day": day, "service": service, "last_number": 0})
        # Plain SQL on the transaction's connection, not ORM statements and a flush: this
        # runs for every ticket issued (bench/hub_load.py, docs/benchmarks.md).
        db = s.connection()
        # Three digits a day unless a quota above 999 is set (see ServiceSection).
        # The number is drawn only below the limit: a refusal has written nothing (so a batch
        # needs no savepoint per ticket, server.issue_batch).
        limit = svc.quota if svc.quota is not None else MAX_DAILY_NUMBER
        number = db.execute(_NEXT_NUMBER, {"day": day, "service": service,
                                           "limit": limit}).scalar()
        if number is None:
            raise HubError("quota_full", service=svc.name, quota=limit)
        values: dict[str, Any] = {
            "day": day,
            "issued_service": service,
            "number": number,
            "label": format_label(service, number),
            "service": service,
            "priority": priority,
            "status": TicketStatus.WAITING,
            "issued_ts": now,
            "queued_ts": now if queued_ts is None else queued_ts,
            "status_token_hash": hash_token(token),
            "kiosk": kiosk,
            "recalls": 0,
            "transfers": 0,
            "booked": booked,
            "slot_ts": slot_ts,
        }
        ticket = Ticket(**values)  # not added to the session: the row is inserted below
        ticket.id = db.execute(_INSERT_TICKET, values).scalar_one()
        ahead = self.ahead(s, ticket)
        if memo.batch:  # counted once per batch, then kept current ticket by ticket
            if memo.waiting is None:
                memo.waiting = hub.waiting_counts_in(s)
            else:
                memo.waiting[service] = memo.waiting.get(service, 0) + 1
            if memo.counters is None:  # a batch only issues: the counters do not change
                memo.counters = observed.counter_rows(s)
                memo.capacity = self._capacity.answers_for(hub, memo.counters)
        wait = observed.estimate(hub, s, service, ahead, priority, memo.waiting,
                                 memo.counters, memo.capacity)
        w.publish(Event("ticket", hub.ticket_payload(ticket)))
        w.queue_changed = True
        w.after_commit(lambda: self._numbering_rows.add((day, service)))
        return {
            "ticket": ticket.label,
            "service": service,
            "service_name": svc.name,
            "agency": hub.agency_name(svc.agency),
            "priority": priority,
            "booked": booked,
            "position": ahead + 1,
            "ahead": ahead,
            "estimated_wait_s": wait.seconds,
            "estimate": wait.public(),
            "issued_at": hub.iso(now),
            "status_token": token,
            "status_url": f"/t/{token}",
        }

    @staticmethod
    def _refuse_closed(svc: ServiceSection, state: ServiceState) -> None:
        """Raise ``paused`` or ``closed`` unless tickets can be taken now."""
        if state["paused"]:
            raise HubError("paused", service=svc.name)
        if not state["open"]:
            if state["closed_reason"]:
                raise HubError("closed", service=svc.name,
                               next_opening=state["next_opening_text"],
                               reason=f" ({state['closed_reason']})")
            raise HubError("closed", service=svc.name,
                           next_opening=state["next_opening_text"])

    def ahead(self, s: Session, ticket: Ticket) -> int:
        """Waiting tickets of the same service called before ``ticket`` (plain SQL: this runs
        for every ticket issued, and building the expression cost more than running it)."""
        policy = self.hub.policy
        sql = _ahead_sql(policy.priority_policy == "first", bool(ticket.priority),
                         policy.booked_policy == "first", bool(ticket.booked))
        # On the transaction's connection: the session's execute adds ORM work plain SQL
        # does not need (per ticket, docs/benchmarks.md).
        return s.connection().execute(sql, {
            "day": ticket.day, "status": TicketStatus.WAITING, "service": ticket.service,
            "id": ticket.id, "queued": ticket.queued_ts, "yes": True,
        }).scalar() or 0

    def ahead_expression(self, s: Session, ticket: Ticket) -> int:
        """The same count as :meth:`ahead`, as an SQLAlchemy expression (the reference the
        tests compare it with)."""
        policy = self.hub.policy
        older = or_(
            Ticket.queued_ts < ticket.queued_ts,
            and_(Ticket.queued_ts == ticket.queued_ts, Ticket.id < ticket.id),
        )
        if policy.booked_policy == "first":
            # Booked tickets go before walk-ins of their class (see queue_rules).
            if ticket.booked:
                older = and_(Ticket.booked.is_(True), older)
            else:
                older = or_(Ticket.booked.is_(True), older)
        if policy.priority_policy == "first":
            if ticket.priority:
                ahead_clause = and_(Ticket.priority.is_(True), older)
            else:
                ahead_clause = or_(Ticket.priority.is_(True), older)
        else:
            ahead_clause = older
        return s.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.day == ticket.day,
                Ticket.status == TicketStatus.WAITING,
                Ticket.service == ticket.service,
                Ticket.id != ticket.id,
                ahead_clause,
            )
        ) or 0


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def format_label(prefix: str, number: int) -> str:
    """``("A", 12)`` -> ``"A-012"``."""
    return f"{prefix}-{number:03d}"


def insert_ignore(s: Session, model: Any, values: dict[str, Any]) -> None:
    """Insert a row of ``model`` in ``s`` unless a row with its primary key exists (several
    processes may create the same row at once)."""
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        s.execute(postgresql.insert(model).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        s.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())
    else:
        exists = s.get(model, tuple(values[k.name] for k in model.__table__.primary_key))
        if exists is None:
            s.add(model(**values))
            s.flush()


_NEXT_NUMBER = text(
    "UPDATE service_days SET last_number = last_number + 1 WHERE day = :day"
    " AND service = :service AND last_number < :limit RETURNING last_number"
)
_INSERT_TICKET = insert(Ticket).returning(Ticket.id)
_AHEAD_BASE = (
    "SELECT count(*) FROM tickets WHERE day = :day AND status = :status AND service = :service"
    " AND id != :id AND "
)
_OLDER = "(queued_ts < :queued OR (queued_ts = :queued AND id < :id))"


@functools.cache
def _ahead_sql(priority_first: bool, priority: bool, booked_first: bool, booked: bool) -> Any:
    """The count of tickets ahead, for the ``first`` priority and booked policies (a ticket's
    class goes before the other) or plain arrival order."""
    same_class = _OLDER
    if booked_first:
        same_class = f"(booked = :yes AND {_OLDER})" if booked else f"(booked = :yes OR {_OLDER})"
    if priority_first:
        clause = f"priority = :yes AND {same_class}" if priority else \
            f"(priority = :yes OR {same_class})"
    else:
        clause = same_class
    return text(_AHEAD_BASE + clause)
