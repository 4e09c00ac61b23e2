"""The notice outbox as database work: opting a ticket in, enqueueing a notice (tickets,
bookings, anything else), claiming due messages with a lease, recording the result, finding
tickets whose turn is near, and purging phone numbers at the end of the ticket's day.

Every function takes an open session, so callers enqueue in the same transaction as the
change that causes the notice (the booking module, the opt-in endpoint); ticket calls,
recalls and skips are enqueued by database triggers (migration ``0009_notify``)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from loket.server.config.notify import NotifySection
from loket.server.models import Ticket, TicketStatus
from loket.server.notify.models import NotifyChannelStat, NotifyOutbox, NotifyPhone, OutboxState

ERROR_CHARS = 300


@dataclass(frozen=True)
class Claimed:
    """A message claimed for delivery by one worker."""

    id: int
    key: str
    kind: str
    ticket_id: int | None
    address: str | None
    counter_id: str | None
    lang: str | None
    params: dict[str, Any]
    channel: str | None
    attempts: int


def enqueue(
    s: Session, *, key: str, kind: str, stream: str, now: float,
    ticket_id: int | None = None, address: str | None = None, counter_id: str | None = None,
    lang: str | None = None, params: dict[str, Any] | None = None, channel: str | None = None,
    send_at: float | None = None,
) -> bool:
    """Queue one message unless one with ``key`` exists (then nothing happens: a notice is
    never sent twice). Messages of one ``stream`` are delivered in the order they were
    queued. ``send_at``: not before this time (reminders). Returns whether a row was
    added."""
    values = {
        "key": key[:120], "kind": kind, "stream": stream[:64], "ticket_id": ticket_id,
        "address": address, "counter_id": counter_id, "lang": lang,
        "params": json.dumps(params, ensure_ascii=False) if params else None,
        "channel": channel, "state": OutboxState.QUEUED, "attempts": 0,
        "next_attempt_ts": now if send_at is None else send_at, "created_ts": now,
    }
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = s.execute(insert(NotifyOutbox).values(**values)
                       .on_conflict_do_nothing(index_elements=["key"]))
    return bool(cast("CursorResult[Any]", result).rowcount)


def opt_in(s: Session, ticket: Ticket, phone: str, lang: str, status_url: str,
           now: float, priority_first: bool) -> None:
    """Send this ticket's notices to ``phone`` (a later opt-in replaces the number) and queue
    the "ticket issued" notice once."""
    row = s.get(NotifyPhone, ticket.id)
    if row is None:
        ahead = ahead_of(s, ticket.day, ticket.id, ticket.service, bool(ticket.priority),
                         ticket.queued_ts, priority_first)
        s.add(NotifyPhone(ticket_id=ticket.id, phone=phone, lang=lang, status_url=status_url,
                          day=ticket.day, created_ts=now, ahead_at_opt_in=ahead))
        s.flush()
    else:
        row.phone, row.lang, row.status_url = phone, lang, status_url
    enqueue(s, key=f"t{ticket.id}:issued", kind="issued", stream=f"t{ticket.id}",
            ticket_id=ticket.id, now=now,
            params={"ahead": s.get(NotifyPhone, ticket.id).ahead_at_opt_in})  # type: ignore[union-attr]


def _due(now: float) -> Any:
    return or_(
        and_(NotifyOutbox.state == OutboxState.QUEUED, NotifyOutbox.next_attempt_ts <= now),
        and_(NotifyOutbox.state == OutboxState.SENDING, NotifyOutbox.lease_until < now),
    )


def any_due(s: Session, now: float) -> bool:
    """Whether a claim could find something (a read: on SQLite, the worker takes the write
    lock only when there is work)."""
    return s.scalar(select(NotifyOutbox.id).where(_due(now)).limit(1)) is not None


def claim(s: Session, worker: str, now: float, lease_s: float, limit: int,
          kinds: tuple[str, ...] | None = None, other_than: tuple[str, ...] = ()
          ) -> list[Claimed]:
    """Claim up to ``limit`` due messages: queued ones whose time has come and those whose
    previous worker's lease ran out (it died mid-delivery), never one with an older message
    of its stream still pending. Several workers never claim the same row: SQLite holds the
    write lock for the whole transaction, PostgreSQL skips rows another worker locked and
    re-checks the state in the UPDATE."""
    if limit <= 0:
        return []
    older = NotifyOutbox.__table__.alias("older")
    due = _due(now)
    query = (
        select(NotifyOutbox.id)
        .where(due, ~select(older.c.id).where(
            older.c.stream == NotifyOutbox.stream, older.c.id < NotifyOutbox.id,
            older.c.state.in_(OutboxState.PENDING),
        ).exists())
        .order_by(NotifyOutbox.id).limit(limit)
    )
    if kinds is not None:  # only these kinds (webhook events: server.integrations)
        query = query.where(NotifyOutbox.kind.in_(kinds))
    if other_than:  # notices only
        query = query.where(NotifyOutbox.kind.not_in(other_than))
    if s.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=NotifyOutbox)
    ids = list(s.scalars(query))
    if not ids:
        return []
    s.execute(
        update(NotifyOutbox).where(NotifyOutbox.id.in_(ids), due)
        .values(state=OutboxState.SENDING, lease_until=now + lease_s, claimed_by=worker,
                attempts=NotifyOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = s.scalars(select(NotifyOutbox).where(
        NotifyOutbox.id.in_(ids), NotifyOutbox.claimed_by == worker,
        NotifyOutbox.state == OutboxState.SENDING).order_by(NotifyOutbox.id))
    return [Claimed(r.id, r.key, r.kind, r.ticket_id, r.address, r.counter_id, r.lang,
                    json.loads(r.params) if r.params else {}, r.channel, r.attempts)
            for r in rows]


def cancel(s: Session, stream: str, reason: str = "cancelled") -> int:
    """Drop the notices of ``stream`` not sent yet (a cancelled booking's reminders); returns
    how many. One being sent right now may still go out."""
    result = s.execute(update(NotifyOutbox).where(
        NotifyOutbox.stream == stream, NotifyOutbox.state == OutboxState.QUEUED,
    ).values(state=OutboxState.DEAD, last_error=reason[:ERROR_CHARS], address=None)
        .execution_options(synchronize_session=False))
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def mark_sent(s: Session, message_id: int, channel: str, now: float) -> None:
    """Delivered: never sent again; its direct address is forgotten."""
    s.execute(update(NotifyOutbox).where(NotifyOutbox.id == message_id).values(
        state=OutboxState.SENT, sent_ts=now, sent_channel=channel, address=None,
        lease_until=None, last_error=None))


def mark_failed(s: Session, message: Claimed, worker: str, error: str, now: float,
                settings: NotifySection, dead: bool = False) -> str:
    """A failed attempt: retried later with exponential backoff (and some jitter, so a
    gateway coming back is not hit by every message at once), or dead-lettered after
    ``max_attempts``. Returns the new state."""
    dead = dead or message.attempts >= settings.max_attempts
    delay = min(settings.retry_base_s * 2 ** max(message.attempts - 1, 0), settings.retry_max_s)
    state = OutboxState.DEAD if dead else OutboxState.QUEUED
    s.execute(update(NotifyOutbox).where(
        NotifyOutbox.id == message.id, NotifyOutbox.claimed_by == worker,
        NotifyOutbox.state == OutboxState.SENDING,
    ).values(state=state, lease_until=None, last_error=error[:ERROR_CHARS],
             next_attempt_ts=now + delay * random.uniform(0.8, 1.2)))
    return state


def defer(s: Session, message: Claimed, worker: str, until: float) -> None:
    """Give a claimed message back untried (its channels are rate-limited for now)."""
    s.execute(update(NotifyOutbox).where(
        NotifyOutbox.id == message.id, NotifyOutbox.claimed_by == worker,
        NotifyOutbox.state == OutboxState.SENDING,
    ).values(state=OutboxState.QUEUED, lease_until=None, next_attempt_ts=until,
             attempts=NotifyOutbox.attempts - 1))


def note_channel(s: Session, name: str, ok: bool, now: float, error: str = "") -> int:
    """Count one delivery or failure on a channel (atomic increments: several workers may
    count at once); returns its failures in a row."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(insert(NotifyChannelStat).values(name=name, sent=0, failed=0, failing_streak=0)
              .on_conflict_do_nothing(index_elements=["name"]))
    stat = NotifyChannelStat
    if ok:
        values: dict[str, Any] = {"sent": stat.sent + 1, "failing_streak": 0, "last_ok_ts": now}
    else:
        values = {"failed": stat.failed + 1, "failing_streak": stat.failing_streak + 1,
                  "last_error": error[:ERROR_CHARS], "last_error_ts": now}
    streak = s.execute(update(stat).where(stat.name == name).values(**values)
                       .returning(stat.failing_streak)).scalar()
    return int(streak or 0)


_NEAR_CANDIDATES = text(
    "SELECT t.id, t.service, t.priority, t.queued_ts, t.transfers, p.ahead_at_opt_in"
    " FROM notify_phones p JOIN tickets t ON t.id = p.ticket_id"
    " WHERE p.day = :day AND t.status = :waiting"
)
_AHEAD = (
    "SELECT count(*) FROM tickets WHERE day = :day AND status = :waiting AND service = :service"
    " AND id != :id AND "
)
_OLDER = "(queued_ts < :queued OR (queued_ts = :queued AND id < :id))"
_AHEAD_OLDER = text(_AHEAD + _OLDER)
_AHEAD_PRIORITY = text(_AHEAD + f"priority = :yes AND {_OLDER}")
_AHEAD_REGULAR = text(_AHEAD + f"(priority = :yes OR {_OLDER})")


def ahead_of(s: Session, day: str, ticket_id: int, service: str, priority: bool,
             queued_ts: float, priority_first: bool) -> int:
    """Waiting tickets called before this one (the hub's own rule, see
    ``server.issuing.TicketIssuer.ahead``)."""
    regular_rule = _AHEAD_PRIORITY if priority else _AHEAD_REGULAR
    sql = regular_rule if priority_first else _AHEAD_OLDER
    return int(s.execute(sql, {
        "day": day, "waiting": TicketStatus.WAITING, "service": service, "id": ticket_id,
        "queued": queued_ts, "yes": True,
    }).scalar() or 0)


def places(s: Session, day: str, services: set[str], priority_first: bool) -> dict[int, int]:
    """People ahead of every waiting ticket of ``services`` today, in one query."""
    lines: dict[str, list[tuple[int, float, int]]] = {}
    for tid, service, priority, queued in s.execute(
        select(Ticket.id, Ticket.service, Ticket.priority, Ticket.queued_ts).where(
            Ticket.day == day, Ticket.status == TicketStatus.WAITING,
            Ticket.service.in_(services))
    ):
        rank = 0 if (priority_first and priority) else 1
        lines.setdefault(service, []).append((rank, queued, tid))
    return {tid: i for line in lines.values() for i, (_, _, tid) in enumerate(sorted(line))}


def near_tickets(
    s: Session, day: str, priority_first: bool
) -> list[tuple[int, str, bool, int, int]]:
    """Opted-in tickets still waiting today whose queue moved since they opted in:
    ``(id, service, priority, transfers, ahead)``. Two queries whatever the number of
    tickets: the waiting lines are ranked here by the hub's rule (see
    ``server.issuing.TicketIssuer.ahead``)."""
    candidates = s.execute(_NEAR_CANDIDATES, {"day": day, "waiting": TicketStatus.WAITING}).all()
    if not candidates:
        return []
    place = places(s, day, {c[1] for c in candidates}, priority_first)
    found = []
    for tid, service, priority, _queued, transfers, at_opt_in in candidates:
        ahead = place.get(tid, 0)
        if at_opt_in is not None and ahead >= at_opt_in and not transfers:
            continue  # the "issued" notice already said how many are ahead
        found.append((tid, service, bool(priority), int(transfers or 0), ahead))
    return found


def near_key(ticket_id: int, transfers: int = 0) -> str:
    return f"t{ticket_id}:near:{transfers}"


def purge(s: Session, today: str, now: float, keep_days: int) -> int:
    """Delete the phone numbers of tickets from before ``today``, dead-letter their notices
    still waiting, and drop delivered or dead notices older than ``keep_days``. Returns how
    many numbers were deleted."""
    gone = cast("CursorResult[Any]", s.execute(
        delete(NotifyPhone).where(NotifyPhone.day < today))).rowcount or 0
    s.execute(update(NotifyOutbox).where(
        NotifyOutbox.state == OutboxState.QUEUED, NotifyOutbox.ticket_id.is_not(None),
        ~select(NotifyPhone.ticket_id).where(
            NotifyPhone.ticket_id == NotifyOutbox.ticket_id).exists(),
    ).values(state=OutboxState.DEAD, last_error="recipient_gone")
        .execution_options(synchronize_session=False))
    s.execute(delete(NotifyOutbox).where(
        NotifyOutbox.state.in_((OutboxState.SENT, OutboxState.DEAD)),
        NotifyOutbox.created_ts < now - keep_days * 86400))
    return int(gone)
