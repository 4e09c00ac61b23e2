"""Group commit of concurrent ticket issues.

Every ticket is durable when its answer leaves (``synchronous=FULL``: the commit waits for the
disk). Kiosks and integrations that ask at the same moment share one write transaction and so
one ``BEGIN IMMEDIATE``, one commit and one flush to disk: the first request to arrive leads,
lets every request that is ready join it (one turn of the event loop), issues them one after
the other in the transaction (a refusal, such as ``quota_full``, writes nothing, so it touches
no other ticket), commits, publishes the events and wakes the others with their answers. A
request that arrives meanwhile waits for the next batch, led by the first of them; under
gevent that includes every request arriving while the batch's commit waits for the disk, in a
thread while the loop goes on (:class:`loket.server.db.OffLoopCommitConnection`).

Nothing is answered before its commit; a failed commit fails every ticket of the batch (none
of them was answered). Numbers stay gap-free and, within a service, in arrival order, as with
one transaction per ticket; a batch takes the services in one fixed order (no deadlock between
hub processes sharing PostgreSQL). Measured in docs/benchmarks.md ("Hub: faster").
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from loket.server.errors import HubError
from loket.server.payloads import IssuedTicket

log = logging.getLogger(__name__)


class Hub(Protocol):
    """What this module needs of :class:`server.hub.Hub`."""

    def write(self) -> contextlib.AbstractContextManager[Any]: ...

    def issue_in(self, w: Any, service: str, *, priority: bool = False,
                 kiosk: str | None = None, lang: str = "id") -> IssuedTicket: ...


MAX_BATCH = 64
"""Most tickets in one transaction (a longer batch makes its first ticket wait longer)."""


@dataclass
class _Request:
    service: str
    priority: bool
    kiosk: str | None
    lang: str
    done: threading.Event = field(default_factory=threading.Event)
    result: IssuedTicket | None = None
    error: BaseException | None = None


class IssueBatcher:
    """Issues tickets for one hub, batching requests that arrive together (see module)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._lock = threading.Lock()
        self._pending: list[_Request] = []
        self._leader: _Request | None = None
        self.batches = 0
        """Transactions committed (for the tests and the bench: tickets / batches)."""

    def issue(self, service: str, *, priority: bool, kiosk: str | None,
              lang: str) -> IssuedTicket:
        """Issue one ticket; returns once it is committed (see :meth:`Hub.issue_ticket`)."""
        request = _Request(service, priority, kiosk, lang)
        with self._lock:
            self._pending.append(request)
            if self._leader is None:
                self._leader = request
        if self._leader is not request:
            request.done.wait()  # answered, or woken to lead the next batch
        if request.result is None and request.error is None:
            self._lead()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _lead(self) -> None:
        time.sleep(0)  # one turn of the loop: requests already on their way join this batch
        with self._lock:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
        try:
            self._run(batch)
        finally:
            with self._lock:
                self._leader = self._pending[0] if self._pending else None
            if self._leader is not None:
                self._leader.done.set()  # promoted: it leads the next batch
            for request in batch:
                request.done.set()

    def _run(self, batch: list[_Request]) -> None:
        try:
            with self.hub.write() as w:
                w.memo.batch = True
                # Services in one order in every batch: on PostgreSQL several hub processes
                # batch at once, and two batches that took the per-service numbering rows in
                # opposite orders would deadlock. Stable: a service's numbers stay in
                # arrival order.
                # A refusal (HubError) leaves nothing written (Hub.issue_in refuses before
                # drawing a number), so no savepoint per ticket: each cost two statements.
                for request in sorted(batch, key=lambda r: r.service):
                    try:
                        request.result = self.hub.issue_in(
                            w, request.service, priority=request.priority,
                            kiosk=request.kiosk, lang=request.lang)
                    except HubError as refusal:
                        request.error = refusal
            self.batches += 1
        except BaseException as failure:  # nothing of the batch was committed
            for request in batch:
                request.result = None
                request.error = failure
            if not isinstance(failure, Exception):
                raise


_BATCHERS: weakref.WeakKeyDictionary[Any, IssueBatcher] = weakref.WeakKeyDictionary()
_BATCHERS_LOCK = threading.Lock()


def batcher_for(hub: Hub) -> IssueBatcher:
    """The hub's batcher (one per hub object)."""
    with _BATCHERS_LOCK:
        batcher = _BATCHERS.get(hub)
        if batcher is None:
            batcher = _BATCHERS[hub] = IssueBatcher(hub)
        return batcher


class WriteMemo:
    """Values read once per write transaction and kept current by the tickets it issues: the
    paused services, the waiting counts and the counters' rows (the estimate's input). Only
    this transaction writes while it holds the write lock, so they stay exact."""

    def __init__(self) -> None:
        self.paused: list[str] | None = None
        self.waiting: dict[str, int] | None = None
        self.counters: dict[str, Any] | None = None
        """The counters' rows the estimate reads (server.service_times.counter_rows)."""
        self.capacity: dict[Any, tuple[float, int]] | None = None
        """server.service_times.capacity's answers for :attr:`counters` (a batch only)."""
        self.batch = False
        """Set by the batcher: the transaction only issues tickets, so counting each new
        ticket keeps :attr:`waiting` exact and :attr:`counters` stays true (a caller's own
        transaction may change others)."""


_PAUSED = text("SELECT value FROM settings WHERE key = 'paused_services'")


def paused_services(s: Session) -> list[str]:
    """The paused services, read in ``s`` (one row, not every setting)."""
    import json

    value = s.connection().execute(_PAUSED).scalar()
    paused = json.loads(value) if value else None
    return list(paused) if paused else []
