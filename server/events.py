"""In-process publish/subscribe between the hub and its edges (Socket.IO, keypad bridge,
announcer). Handlers run in the publisher's thread and must only hand work off (enqueue,
emit); a failing handler is logged and the others still run."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something that happened in the hall, for every subscriber: published by the hub after
    the transaction that made it has committed (see :meth:`loket.server.hub.Hub.write`)."""

    kind: str
    """call, queue, counter, ticket, settings, hall, kiosk, printer, assistance..."""
    data: dict[str, Any] = field(default_factory=dict)
    remote: bool = False
    """Made by another hub process and relayed here through Redis (see :mod:`loket.server.relay`).
    Subscribers that emit to Socket.IO skip these: the message queue already carried their
    pushes to every process."""


Handler = Callable[[Event], None]


class EventBus:
    """The hub's subscribers by event kind; :meth:`publish` calls each in turn."""

    def __init__(self) -> None:
        self._handlers: list[tuple[frozenset[str] | None, Handler]] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler, kinds: set[str] | None = None) -> Callable[[], None]:
        """Call ``handler`` for every event (or only ``kinds``); returns an unsubscribe."""
        entry = (frozenset(kinds) if kinds else None, handler)
        with self._lock:
            self._handlers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber of its kind, in subscription order, in this
        thread; a failing subscriber is logged and the others still get it."""
        with self._lock:
            handlers = list(self._handlers)
        for kinds, handler in handlers:
            if kinds is not None and event.kind not in kinds:
                continue
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %s", handler, event.kind)
