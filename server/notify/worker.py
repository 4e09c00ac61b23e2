"""The sender: one loop per worker process (`loket notify worker`) that claims due messages
from the outbox with a lease, delivers them in a thread pool (each through the configured
channels in order, with fallback), and records the outcome.

* Exactly once: a message is claimed by one worker at a time (see :func:`outbox.claim`) and
  marked sent only after the channel acknowledged it; a worker killed mid-delivery leaves its
  claim to expire and the message is sent again (with the same ``Idempotency-Key``), never a
  message already marked sent.
* Never in the way: the hub only writes outbox rows in its own transactions; everything slow
  (HTTP, SMTP, their timeouts, retries) happens here, in another process.
* Retries back off exponentially; after ``max_attempts`` the message is dead-lettered. A
  failing channel is logged once when it starts failing and once when it recovers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from loket.server.config import LoketConfig
from loket.server.db import Database
from loket.server.models import Ticket
from loket.server.notify import notices, outbox
from loket.server.notify.channels import Channel, DeliveryError, Message
from loket.server.notify.models import NotifyOutbox, NotifyPhone, OutboxState
from loket.server.notify.phone import mask

log = logging.getLogger(__name__)
PURGE_EVERY_S = 300.0
Handler = Callable[[outbox.Claimed], None]
HANDLERS: dict[str, Callable[[Worker], Handler | None]] = {}
"""Other kinds of outbox messages than notices: kind -> factory of the callable that delivers
one claimed message (and records its result), or None when that kind is not configured.
``webhook``: :mod:`loket.server.integrations.delivery`. A handler's ``lease_s`` attribute, if any,
lengthens the claims' lease."""
NEAR_EVERY_S = 2.0


class Worker:
    def __init__(self, config: LoketConfig, db: Database,
                 clock: Callable[[], float] = time.time, name: str | None = None) -> None:
        self.config = config
        self.settings = config.notify
        self.db = db
        self.clock = clock
        self.name = name or f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.tz = ZoneInfo(config.hall.timezone)
        self.channels = [Channel(c) for c in self.settings.channels]
        self.lease_s = sum(c.timeout_s for c in self.settings.channels) * 1.5 + 5.0
        self.pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="notify")
        self.in_flight: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._failing: set[str] = set()
        self._last_purge = -1e18
        self._last_near = -1e18
        self._hub: Any = None
        self.handlers: dict[str, Handler] = {
            kind: handler for kind, make in HANDLERS.items()
            if (handler := make(self)) is not None}
        self.lease_s = max([self.lease_s, *(float(getattr(h, "lease_s", 0.0))
                                            for h in self.handlers.values())])
        base = self.settings.public_url or config.kiosk.public_url.strip().rstrip("/")
        if self.channels and not base:
            log.warning("[notify] public_url (or [kiosk] public_url) is not set: notices "
                        "carry no status link")

    def day(self) -> str:
        return datetime.fromtimestamp(self.clock(), self.tz).date().isoformat()

    # ------------------------------------------------------------------ rounds
    def run_once(self) -> int:
        """Housekeeping when due, then claim as many messages as there are free threads and
        hand them to the pool. Returns how many were claimed."""
        now = self.clock()
        if now - self._last_purge >= PURGE_EVERY_S:
            self.purge()
        if now - self._last_near >= NEAR_EVERY_S:
            self._last_near = now
            self.scan_near()
        with self._lock:
            free = self.settings.workers - len(self.in_flight)
        # Claim no more than the channels may send now: a rate-limited channel must not turn
        # into a loop of claims and deferrals (each a write transaction). Other kinds
        # (webhook events, :data:`HANDLERS`) have no rate limit and are claimed apart.
        room = min(free, sum(c.limit.available() for c in self.channels))
        if free <= 0 or (room <= 0 and not self.handlers):
            return 0
        with self.db.read() as s:
            if not outbox.any_due(s, self.clock()):
                return 0
        claimed: list[outbox.Claimed] = []
        other = tuple(self.handlers)
        with self.db.session() as s:
            if other:
                claimed = outbox.claim(s, self.name, self.clock(), self.lease_s, free, other)
            room = min(room, free - len(claimed))
            if room > 0:
                claimed += outbox.claim(s, self.name, self.clock(), self.lease_s, room,
                                        other_than=other)
        for message in claimed:
            future = self.pool.submit(self._deliver_safely, message)
            with self._lock:
                self.in_flight.add(future)
            future.add_done_callback(self._done)
        return len(claimed)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self.in_flight.discard(future)
        self._wake.set()

    def run_forever(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set, then let messages in flight finish."""
        log.info("notice worker %s: channels %s", self.name,
                 ", ".join(c.name for c in self.channels) or "(none)")
        failing_since: float | None = None
        delay = self.settings.poll_s
        while not stop.is_set():
            try:
                claimed = self.run_once()
            except Exception:
                if failing_since is None:  # logged once; the recovery is logged too
                    failing_since = time.monotonic()
                    log.exception("notice worker cannot use the database; retrying with "
                                  "backoff (notices wait in the outbox, none is lost)")
                claimed = 0
                delay = min(max(delay * 2, self.settings.poll_s), 30.0)
            else:
                if failing_since is not None:
                    log.info("notice worker reaches the database again after %.0f s",
                             time.monotonic() - failing_since)
                    failing_since = None
                delay = self.settings.poll_s
            if not claimed:
                self._wake.wait(delay)
                self._wake.clear()
        self.close()

    def drain(self, timeout: float = 30.0) -> None:
        """Rounds until nothing is pending or in flight (tests, `loket notify test`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            claimed = self.run_once()
            with self._lock:
                busy = bool(self.in_flight)
            if not claimed and not busy and not self._pending():
                return
            self._wake.wait(0.05)
            self._wake.clear()
        raise TimeoutError("notices still pending")

    def _pending(self) -> bool:
        with self.db.read() as s:
            return bool(s.scalar(select(func.count()).select_from(NotifyOutbox).where(
                NotifyOutbox.state.in_(OutboxState.PENDING))))

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    # ------------------------------------------------------------------ housekeeping
    def purge(self) -> int:
        self._last_purge = self.clock()
        with self.db.session() as s:
            gone = outbox.purge(s, self.day(), self.clock(), self.settings.keep_days)
        if gone:
            log.info("deleted %d phone numbers of earlier days", gone)
        return gone

    def scan_near(self) -> int:
        """Queue "your turn is near" for opted-in tickets that are now close to the front
        (a condition of the whole queue, not of one change: checked here every
        ``NEAR_EVERY_S``, and its idempotency key makes it once per ticket and transfer)."""
        if not self.channels:
            return 0
        first = self.config.queue.priority_policy == "first"
        near: list[tuple[int, int, int, int | None]] = []
        with self.db.read() as s:
            for tid, service, priority, transfers, ahead in outbox.near_tickets(
                    s, self.day(), first):
                minutes = None
                if ahead > self.settings.near_position and self.settings.near_minutes:
                    minutes = self._estimate_minutes(s, service, ahead, priority)
                    if minutes is None or minutes >= self.settings.near_minutes:
                        continue
                elif ahead > self.settings.near_position:
                    continue
                near.append((tid, transfers, ahead, minutes))
        added = 0
        if near:
            now = self.clock()
            with self.db.session() as s:
                for tid, transfers, ahead, minutes in near:
                    added += outbox.enqueue(
                        s, key=outbox.near_key(tid, transfers), kind="near", stream=f"t{tid}",
                        ticket_id=tid, now=now, params={"ahead": ahead, "minutes": minutes})
        return added

    def _estimate_minutes(self, s: Any, service: str, ahead: int, priority: bool) -> int | None:
        from loket.server import service_times as observed
        from loket.server.hub import Hub

        if self._hub is None:
            self._hub = Hub(self.config, self.db, clock=self.clock)
        seconds = observed.estimate(self._hub, s, service, ahead, priority).seconds
        return None if seconds is None else round(seconds / 60)

    # ------------------------------------------------------------------ delivery
    def _deliver_safely(self, message: outbox.Claimed) -> None:
        try:
            self.deliver(message)
        except Exception:
            log.exception("delivering notice %s failed unexpectedly; it will be retried",
                          message.key)
            self._fail(message, "internal error (see the worker's log)", dead=False)

    def deliver(self, message: outbox.Claimed) -> None:
        handler = self.handlers.get(message.kind)
        if handler is not None:
            handler(message)
            return
        built = self.build(message)
        if built is None:
            self._fail(message, "recipient_gone", dead=True)
            return
        channels = [c for c in self.channels if c.accepts(built)
                    and (message.channel is None or c.name == message.channel)]
        if not channels:
            self._fail(message, "no channel for this recipient", dead=True)
            return
        errors: list[str] = []
        wait_for = 0.0
        for channel in channels:
            wait = channel.limit.take()
            if wait:
                wait_for = wait if not wait_for else min(wait_for, wait)
                continue
            try:
                channel.send(built)
            except DeliveryError as exc:
                errors.append(f"{channel.name}: {exc}")
                self._note(channel.name, ok=False, error=str(exc))
                continue
            try:
                self._note(channel.name, ok=True, sent_id=message.id)
            except Exception:  # delivered: never count it as a failed attempt
                log.exception("notice %s was delivered but could not be marked sent; it may "
                              "be sent again (same Idempotency-Key) when its lease ends",
                              message.key)
            return
        if wait_for and len(errors) < len(channels):
            with self.db.session() as s:
                outbox.defer(s, message, self.name, self.clock() + wait_for)
            return
        self._fail(message, "; ".join(errors), dead=False)

    def _fail(self, message: outbox.Claimed, error: str, dead: bool) -> None:
        with self.db.session() as s:
            state = outbox.mark_failed(s, message, self.name, error, self.clock(),
                                       self.settings, dead=dead)
        if state == OutboxState.DEAD:
            log.warning("notice %s dead-lettered after %d attempt(s): %s", message.key,
                        message.attempts, error)

    def _note(self, channel: str, ok: bool, error: str = "", sent_id: int | None = None) -> None:
        """Count a delivery or failure on ``channel`` (and mark ``sent_id`` sent in the same
        transaction: one write per delivered notice)."""
        with self.db.session() as s:
            if sent_id is not None:
                outbox.mark_sent(s, sent_id, channel, self.clock())
            streak = outbox.note_channel(s, channel, ok, self.clock(), error)
        with self._lock:
            if ok and channel in self._failing:
                self._failing.discard(channel)
                log.info("notice channel %s delivers again", channel)
            elif not ok and channel not in self._failing:
                self._failing.add(channel)
                log.warning("notice channel %s failed (%s); retrying with backoff, "
                            "falling back to the next channel", channel, error)
        if not ok and streak == self.settings.alert_after:
            log.error("notice channel %s has failed %d times in a row: %s", channel, streak,
                      error)

    def build(self, message: outbox.Claimed) -> Message | None:
        """The message's recipient and text; None when its recipient is gone (purged)."""
        params: dict[str, Any] = {"hall": self.config.hall.name, **message.params}
        lang = message.lang or self.config.hall.language
        to = message.address
        ticket_label = str(params.get("ticket", ""))
        with self.db.read() as s:
            if message.ticket_id is not None:
                phone = s.get(NotifyPhone, message.ticket_id)
                if phone is None:
                    return None
                to, lang = phone.phone, message.lang or phone.lang
                params.setdefault("status_url", phone.status_url)
                ticket = s.get(Ticket, message.ticket_id)
                if ticket is not None:
                    ticket_label = ticket.label
                    service = next((sv for sv in self.config.services
                                    if sv.prefix == ticket.service), None)
                    if service is not None:
                        params.setdefault("service", (service.name_en or service.name)
                                          if lang == "en" else service.name)
        if not to:
            return None
        params["ticket"] = ticket_label
        counter = next((c for c in self.config.counters if c.id == message.counter_id), None)
        if counter is not None:
            params.setdefault("counter", counter.name)
            params.setdefault("zone", counter.zone)
        text = notices.render(message.kind, lang, params, self.settings.templates)
        log.debug("notice %s to %s", message.key, mask(to))
        return Message(key=message.key, kind=message.kind, to=to, text=text, lang=lang,
                       ticket=ticket_label, counter=str(params.get("counter", "")),
                       subject=str(params.get("subject", "")))
