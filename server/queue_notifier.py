"""The hub's ``queue`` events (how many wait, per service and per counter), coalesced: a burst
of changes becomes one event per ``[realtime] queue_event_interval_s``.

:class:`QueueNotifier` is owned by the hub (:class:`loket.server.hub.Hub`): a committed write
that may have changed waiting counts marks it dirty; its greenlet (:meth:`QueueNotifier.run`)
counts and publishes. Until that greenlet runs (tests, commands) a change is published at
once."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from loket.server.config import LoketConfig
from loket.server.events import Event, EventBus
from loket.server.payloads import QueuePayload

log = logging.getLogger(__name__)


class QueueSource(Protocol):
    """What the notifier reads of the hub (:class:`loket.server.hub.Hub` is one)."""

    @property
    def config(self) -> LoketConfig:
        """The hall's configuration (``[realtime]``)."""
        ...

    @property
    def events(self) -> EventBus:
        """Where the hub publishes its events."""
        ...

    def queue_payload(self, counts: dict[str, int] | None = None) -> QueuePayload:
        """The ``queue`` event's payload, counted now."""
        ...


class QueueNotifier:
    """Publishes the ``queue`` event of a hub when its waiting counts may have changed."""

    def __init__(
        self, hub: QueueSource, order: Callable[[], contextlib.AbstractContextManager[Any]]
    ) -> None:
        self.hub = hub
        """The hub whose counts are published."""
        self.order = order
        """The hub's cluster order lock (several processes take turns to count and push)."""
        self.started = False
        """Whether :meth:`run` has been spawned (then :meth:`mark_dirty` only coalesces)."""
        self._dirty = threading.Event()
        self._last: QueuePayload | None = None

    def mark_dirty(self) -> None:
        """Waiting counts may have changed: publish them (at once while :meth:`run` is not
        running, else at its next turn)."""
        if self.started:
            self._dirty.set()
        else:
            self.publish()

    def publish(self) -> None:
        """Count now and publish a ``queue`` event (skipped when a lone process would repeat
        its previous counts)."""
        # Several processes: counting and pushing take turns with the other processes (the
        # same lock as counter actions), so counts reach displays in the order they were
        # read and an older count never lands after a newer one.
        with self.order():
            payload = self.hub.queue_payload()
            # Another process may have pushed newer counts since this one's last push, so
            # only a lone process may skip a push that repeats its previous one.
            same = not self.hub.config.realtime.message_queue and self._last is not None and (
                self._last["services"] == payload["services"]
            )
            self._last = payload
            if not same:
                self.hub.events.publish(Event("queue", payload))

    def run(self) -> None:
        """Coalesce bursts of changes into one ``queue`` event per interval (a greenlet of
        the hub: runs forever)."""
        from loket.server.gc_tuning import freeze_startup_objects

        # This greenlet starts once the hub is up: the start-up objects are all there.
        freeze_startup_objects()
        interval = self.hub.config.realtime.queue_event_interval_s
        while True:
            self._dirty.wait()
            self._dirty.clear()
            try:
                self.publish()
            except Exception:
                log.exception("could not publish waiting counts")
            time.sleep(interval)
