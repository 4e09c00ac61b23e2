"""Forwarding a hall's tickets and survey scores to the city's central database.

The hall never waits on the city: every ticket change is noted in ``city_outbox`` by a trigger
inside the hub's own transaction (migration ``0004_city``), and this forwarder, running as its
own process (`loket city forward`), sends what the outbox names when the link is up:

1. read up to ``batch_size`` outbox entries and the *current* rows they name (hall, read-only);
2. upsert them into the city in one transaction, keyed by (hall id, id in the hall's database);
   a ticket's copy carries the outbox sequence it reflects and an older copy never overwrites
   a newer one;
3. only after the city committed, delete exactly those outbox entries.

A crash or a cut between 2 and 3 sends the same rows again, which changes nothing: catching up
after an outage of any length gives the city exactly the hall's rows, with no duplicates.
Entries are deleted by sequence number, never by "everything below a watermark", so a hub
transaction that commits late (PostgreSQL hands out sequence numbers before commit) is still
sent on the next round.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from loket.server.backoff import FailureLog, retrying
from loket.server.city.models import CityHall, CityLink, CityOutbox, CitySurvey, CityTicket
from loket.server.config import LoketConfig
from loket.server.db import Database
from loket.server.models import Counter, Ticket, TicketStatus
from loket.server.supervisor.models import SurveyResponse

log = logging.getLogger(__name__)

TICKET_FIELDS = (
    "day", "service", "issued_service", "label", "priority", "status", "issued_ts", "called_ts",
    "served_ts", "finished_ts", "counter_id",
)
"""What the city gets of a ticket: no officer, no status-page token, no kiosk."""
SCORES = tuple(f"u{i}" for i in range(1, 10))
MAX_BACKOFF_S = 60.0


class CityLinkError(RuntimeError):
    """The city refuses this hall for a reason retrying cannot fix (e.g. its id is taken)."""


class CityUnreachable(RuntimeError):
    """The city's database cannot be reached or failed this round; retrying may help. The
    original error is ``__cause__``."""

    def __init__(self, exc: BaseException) -> None:
        self.reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        super().__init__(self.reason)


@dataclass
class Batch:
    """What one round sends: outbox entries and the current rows they name."""

    seqs: list[int] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    surveys: list[dict[str, Any]] = field(default_factory=list)
    void_surveys: list[int] = field(default_factory=list)
    """Responses of tickets that are no-shows: they count in no IKM (issue 12), so the city
    drops them, even when they were sent before the ticket became one."""
    status: dict[str, Any] = field(default_factory=dict)


class Forwarder:
    def __init__(
        self,
        config: LoketConfig,
        hall_db: Database,
        central: Database,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.hall_db = hall_db
        self.central = central
        self.clock = clock
        self.hall_id = config.city_hall_id
        self.batch_size = config.city.batch_size
        self.tz = ZoneInfo(config.hall.timezone)
        self._central_ready = False
        self._last_ok_noted = 0.0
        self.instance = ""

    # ------------------------------------------------------------------ hall side
    def enable(self) -> bool:
        """Start noting changes, and queue every existing ticket and response once (so the
        city also gets the hall's history). Returns True when forwarding was off before."""
        now = self.clock()
        with self.hall_db.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                # Wait for hub transactions in flight, so none slips between the backfill
                # below and the triggers seeing the flag.
                s.execute(text("LOCK TABLE tickets, survey_responses IN SHARE MODE"))
            instance = s.get(CityLink, "instance")
            if instance is None:
                instance = CityLink(key="instance", value=secrets.token_hex(16), updated_ts=now)
                s.add(instance)
            self.instance = instance.value
            if s.get(CityLink, "forwarding") is not None:
                return False
            s.add(CityLink(key="forwarding", value="on", updated_ts=now))
            s.flush()
            s.execute(text("INSERT INTO city_outbox (kind, row_id) "
                           "SELECT 'ticket', id FROM tickets ORDER BY id"))
            s.execute(text("INSERT INTO city_outbox (kind, row_id) "
                           "SELECT 'survey', id FROM survey_responses ORDER BY id"))
        log.info("forwarding to the city is on for hall %s; its history is queued", self.hall_id)
        return True

    def disable(self) -> int:
        """Stop noting changes and drop what was not sent yet; returns how many entries."""
        with self.hall_db.session() as s:
            dropped = s.scalar(select(func.count()).select_from(CityOutbox)) or 0
            s.execute(delete(CityLink).where(CityLink.key == "forwarding"))
            s.execute(delete(CityOutbox))
        return int(dropped)

    def backlog(self) -> int:
        with self.hall_db.read() as s:
            return int(s.scalar(select(func.count()).select_from(CityOutbox)) or 0)

    def link_state(self) -> dict[str, Any]:
        """``forwarding``, ``last_ok``, ``last_error`` and the backlog, for `loket city status`."""
        with self.hall_db.read() as s:
            rows = {r.key: (r.value, r.updated_ts) for r in s.scalars(select(CityLink))}
            backlog = int(s.scalar(select(func.count()).select_from(CityOutbox)) or 0)
        return {
            "hall_id": self.hall_id,
            "forwarding": "forwarding" in rows,
            "backlog": backlog,
            "last_ok_ts": rows["last_ok"][1] if "last_ok" in rows else None,
            "last_error": rows["last_error"][0] if "last_error" in rows else None,
            "last_error_ts": rows["last_error"][1] if "last_error" in rows else None,
        }

    def pending(self) -> Batch:
        """The oldest outbox entries and the current state of the rows they name."""
        if not self.instance:
            self.enable()
        batch = Batch()
        with self.hall_db.read() as s:
            entries = s.execute(
                select(CityOutbox.seq, CityOutbox.kind, CityOutbox.row_id)
                .order_by(CityOutbox.seq).limit(self.batch_size)
            ).all()
            batch.seqs = [e.seq for e in entries]
            versions: dict[int, int] = {}
            survey_ids: set[int] = set()
            for seq, kind, row_id in entries:
                if kind == "ticket":
                    versions[row_id] = max(seq, versions.get(row_id, 0))
                elif kind == "survey":
                    survey_ids.add(row_id)
            if versions:
                for ticket in s.scalars(select(Ticket).where(Ticket.id.in_(versions))):
                    row = {name: getattr(ticket, name) for name in TICKET_FIELDS}
                    row.update(hall_id=self.hall_id, source_id=ticket.id,
                               version=versions[ticket.id], priority=bool(ticket.priority))
                    batch.tickets.append(row)
                batch.void_surveys = list(s.scalars(
                    select(SurveyResponse.id).join(Ticket, Ticket.id == SurveyResponse.ticket_id)
                    .where(Ticket.id.in_(versions), Ticket.status == TicketStatus.NO_SHOW)))
            if survey_ids:
                for response in s.scalars(
                    select(SurveyResponse).join(Ticket, Ticket.id == SurveyResponse.ticket_id)
                    .where(SurveyResponse.id.in_(survey_ids),
                           Ticket.status != TicketStatus.NO_SHOW)
                ):
                    row = {name: getattr(response, name) for name in SCORES}
                    row.update(hall_id=self.hall_id, source_id=response.id, day=response.day,
                               service=response.service)
                    batch.surveys.append(row)
            batch.status = self._status(s, sending=len(batch.seqs))
        return batch

    def _status(self, s: Session, sending: int) -> dict[str, Any]:
        configured = [c.id for c in self.config.counters]
        rows = s.execute(
            select(Counter.status, Counter.current_ticket_id).where(Counter.id.in_(configured))
        ).all()
        now = self.clock()
        return {
            "day": datetime.fromtimestamp(now, self.tz).date().isoformat(),
            "counters": len(configured),
            "counters_open": sum(1 for status, _ in rows if status == "open"),
            "counters_serving": sum(1 for status, current in rows
                                    if status == "open" and current is not None),
            # What will still be waiting once this batch is in: the city shows "catching up".
            "backlog": int(s.scalar(select(func.count()).select_from(CityOutbox)) or 0) - sending,
            "sent_ts": now,
        }

    def acknowledge(self, batch: Batch) -> None:
        """Forget the entries the city now holds (only after it committed them)."""
        now = self.clock()
        with self.hall_db.session() as s:
            for start in range(0, len(batch.seqs), 500):
                chunk = batch.seqs[start:start + 500]
                s.execute(delete(CityOutbox).where(CityOutbox.seq.in_(chunk)))
            _set_link(s, "last_ok", "", now)
        self._last_ok_noted = now

    def note_error(self, message: str) -> None:
        with self.hall_db.session() as s:
            _set_link(s, "last_error", message[:500], self.clock())

    # ------------------------------------------------------------------ city side
    def prepare_city(self) -> None:
        """Bring the city's schema up to date once (on the first round that reaches it)."""
        if not self._central_ready:
            self.central.upgrade()
            self._central_ready = True

    def send(self, batch: Batch) -> None:
        """Upsert the batch into the city's database in one transaction (idempotent)."""
        self.prepare_city()
        if not self.instance:
            self.enable()
        now = self.clock()
        services = [
            {"prefix": svc.prefix, "name": svc.name,
             "agency": self.config.agency_name(svc.agency),
             "agency_id": self.config.agency_id(svc.agency)}
            for svc in self.config.services
        ]
        with self.central.session() as s:
            hall = s.scalars(
                select(CityHall).where(CityHall.hall_id == self.hall_id).with_for_update()
            ).first()
            if hall is None:
                s.add(CityHall(hall_id=self.hall_id, instance=self.instance,
                               name=self.config.hall.name, timezone=self.config.hall.timezone,
                               services=json.dumps(services), status=json.dumps(batch.status),
                               first_seen_ts=now, last_seen_ts=now))
                s.flush()
            elif hall.instance != self.instance:
                raise CityLinkError(
                    f"the city already has a hall {self.hall_id!r} fed by another hall's "
                    "database; give this hall its own [city] hall_id in loket.toml")
            else:
                hall.name = self.config.hall.name
                hall.timezone = self.config.hall.timezone
                hall.services = json.dumps(services)
                hall.status = json.dumps(batch.status)
                hall.last_seen_ts = now
            if batch.tickets:
                stmt = _insert(s, CityTicket).values(batch.tickets)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["hall_id", "source_id"],
                    set_={name: stmt.excluded[name] for name in (*TICKET_FIELDS, "version")},
                    where=CityTicket.version <= stmt.excluded.version,
                )
                s.execute(stmt)
            if batch.surveys:
                s.execute(_insert(s, CitySurvey).values(batch.surveys)
                          .on_conflict_do_nothing(index_elements=["hall_id", "source_id"]))
            if batch.void_surveys:
                s.execute(delete(CitySurvey).where(CitySurvey.hall_id == self.hall_id,
                                                   CitySurvey.source_id.in_(batch.void_surveys)))

    # ------------------------------------------------------------------ rounds
    def run_once(self) -> int:
        """One round: send the oldest batch (or only the hall's live figures) and forget it.
        Returns how many outbox entries were sent."""
        batch = self.pending()
        try:
            self.send(batch)
        except (DBAPIError, OSError) as exc:
            raise CityUnreachable(exc) from exc
        if batch.seqs or self.clock() - self._last_ok_noted >= 60:
            self.acknowledge(batch)
        return len(batch.seqs)

    def drain(self) -> int:
        """Rounds until the outbox is empty; returns the entries sent."""
        total = 0
        while True:
            sent = self.run_once()
            total += sent
            if sent < self.batch_size:
                return total

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Forward until ``stop`` is set. A link that is down is logged once, retried with
        backoff, and logged again when it is back; the hall is never held up by it."""
        stop = stop or threading.Event()
        interval = self.config.city.interval_s
        self.enable()
        city = FailureLog(log, "cannot reach the city's database (%s); the hall goes on and "
                          "the backlog is sent when the link is back", on=CityUnreachable)
        # The hall's own database (busy, or down): not the link's fault; retried as well.
        hall = FailureLog(log, "forwarding failed on the hall's own database (%s); retrying",
                          "the hall's database answers again", level=logging.ERROR,
                          exc_info=True)
        while not stop.is_set():
            retrying((city, hall), first_s=2 * interval, max_s=MAX_BACKOFF_S,
                     retry_on=(CityUnreachable, DBAPIError, OSError),
                     stop=stop)(self._round, city, hall)
            stop.wait(interval)

    def _round(self, city: FailureLog, hall: FailureLog) -> None:
        """One :meth:`drain`, logging the recovery of a link that was failing."""
        try:
            sent = self.drain()
        except CityUnreachable as exc:
            if not city.failing:
                self._try_note_error(exc.reason)
            raise
        hall.recovered()
        since = city.since
        if city.recovered() and since is not None:
            log.info("the city's database is reachable again after %.0f s; %d changes sent",
                     time.monotonic() - since, sent)
        elif sent:
            log.debug("%d changes sent to the city", sent)

    def _try_note_error(self, reason: str) -> None:
        try:
            self.note_error(reason)
        except Exception:  # the hall's own database is down as well: nothing to add
            log.exception("could not record the city link's error in the hall's database")


def _set_link(s: Session, key: str, value: str, now: float) -> None:
    row = s.get(CityLink, key)
    if row is None:
        s.add(CityLink(key=key, value=value, updated_ts=now))
    else:
        row.value = value
        row.updated_ts = now


def _insert(s: Session, model: Any) -> Any:
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise CityLinkError(f"the city's database must be PostgreSQL or SQLite, not {dialect}")
