"""Hub events between hub processes that share one Redis server.

Flask-SocketIO's message queue already carries every Socket.IO push to every process. What it
does not carry are the hub's in-process events, which the announcer, a keypad bridge and the
supervisor's dashboard pusher listen to. So, when ``[realtime] message_queue`` is set, each
process also publishes its own events on a Redis channel named after the hall. It re-publishes
the events of the other processes on its local :class:`~server.events.EventBus`, marked
``remote``. With that, an announcer enabled on one process speaks every call of the cluster
exactly once, and a keypad wired to process 1 shows a call made through process 2.

Events sent while Redis is unreachable are not replayed. Socket.IO pushes fail at that moment
as well, and displays resynchronise from ``snapshot`` when they reconnect. The listener
reconnects with backoff, logging the first failure and the recovery, not every retry. A
subscription that stays silent is pinged; no answer means a half-open connection (a NAT or a
firewall that forgot it, a host that vanished without a reset), which is dropped and redone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from loket.server.backoff import FailureLog, retrying
from loket.server.config.hall import slugify
from loket.server.events import Event, EventBus

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 10.0
KEEPALIVE_S = 15.0
"""Ping the subscription after this long without a message."""
PONG_TIMEOUT_S = 5.0
"""Reconnect when a ping goes unanswered this long."""
PING = "loket-relay"


def link_options(connect_timeout_s: float = 5.0, dead_after_s: float = 15.0) -> dict[str, Any]:
    """redis-py options for a link to the hall's Redis that cannot hang for ever: connecting
    gives up after ``connect_timeout_s``; an idle link is probed by TCP keepalives, and data
    that Redis has not acknowledged for ``dead_after_s`` (a pulled cable, a frozen host)
    breaks the connection (``TCP_USER_TIMEOUT``), so a blocked publish raises instead of
    holding the hub, and the cluster's call-order lock, indefinitely."""
    options: dict[int, int] = {}
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 2),
                        ("TCP_USER_TIMEOUT", int(dead_after_s * 1000))):
        if hasattr(socket, name):  # Linux; other systems keep their defaults
            options[getattr(socket, name)] = value
    return {"socket_connect_timeout": connect_timeout_s, "socket_keepalive": True,
            "socket_keepalive_options": options}


def channel_for(hall_name: str) -> str:
    """``loket:events:<hall>``: two halls on one Redis server do not hear each other."""
    return f"loket:events:{slugify(hall_name) or 'hall'}"


class EventRelay:
    def __init__(self, bus: EventBus, url: str, channel: str, keepalive_s: float = KEEPALIVE_S,
                 pong_timeout_s: float = PONG_TIMEOUT_S) -> None:
        self.bus = bus
        self.channel = channel
        self.keepalive_s = keepalive_s
        self.pong_timeout_s = pong_timeout_s
        self.origin = secrets.token_hex(8)
        """This process's id; its own events coming back from Redis are ignored."""
        self._publisher = redis.Redis.from_url(url, socket_timeout=5, **link_options())
        self._listener = redis.Redis.from_url(url, **link_options())
        self._stopped = threading.Event()
        self._publish_failing = False
        self._unsubscribe: Callable[[], None] | None = None
        self.received = 0
        self.sent = 0
        self.dropped = 0
        """Malformed messages on the channel, dropped and counted."""
        self.subscribed = threading.Event()
        """Set while the listener is subscribed (Redis confirmed it; tests wait for it)."""

    def start(self, spawn: Callable[[Callable[[], None]], Any]) -> None:
        """Send this process's events, and start the listener with ``spawn`` (a gevent-friendly
        ``socketio.start_background_task`` in the hub)."""
        self._unsubscribe = self.bus.subscribe(self._outgoing)
        spawn(self.listen)

    def stop(self) -> None:
        self._stopped.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ------------------------------------------------------------------ out
    def _outgoing(self, event: Event) -> None:
        if event.remote:
            return
        message = json.dumps({"origin": self.origin, "kind": event.kind, "data": event.data},
                             ensure_ascii=False, default=str)
        try:
            self._publisher.publish(self.channel, message)
        except (redis.RedisError, OSError) as exc:
            if not self._publish_failing:
                self._publish_failing = True
                log.warning("cannot relay hub events to the other processes (%s); "
                            "they miss this process's events until Redis is back", exc)
            return
        self.sent += 1
        if self._publish_failing:
            self._publish_failing = False
            log.info("relaying hub events to the other processes again")

    # ------------------------------------------------------------------ in
    def listen(self) -> None:
        """Re-publish the other processes' events locally, until :meth:`stop`; reconnects
        with backoff."""
        failures = FailureLog(log, "cannot hear the other hub processes (%s); retrying")
        retrying(failures, first_s=0.5, max_s=MAX_BACKOFF_S,
                 retry_on=(redis.RedisError, OSError), stop=self._stopped)(self._hear, failures)
        self.subscribed.clear()

    def _hear(self, failures: FailureLog) -> None:
        """One subscription, until :meth:`stop` (returns) or a broken link (raises)."""
        if self._stopped.is_set():
            return
        pubsub = self._listener.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.channel)
            heard = time.monotonic()
            pinged: float | None = None
            while not self._stopped.is_set():
                message = pubsub.get_message(timeout=min(1.0, self.keepalive_s))
                now = time.monotonic()
                if message is not None:
                    heard, pinged = now, None
                    kind = message.get("type")
                    if kind == "message":
                        self._incoming(message.get("data"))
                    elif kind == "subscribe":
                        self.subscribed.set()
                        since = failures.since
                        if failures.recovered() and since is not None:
                            log.info("hearing the other hub processes again after %.0f s",
                                     now - since)
                elif pinged is not None:
                    if now - pinged > self.pong_timeout_s:
                        raise redis.ConnectionError(
                            f"no answer from Redis within {self.pong_timeout_s:g} s")
                elif now - heard > self.keepalive_s:
                    pubsub.ping(PING)
                    pinged = now
        except BaseException:
            self.subscribed.clear()
            raise
        finally:
            with contextlib.suppress(redis.RedisError, OSError):
                pubsub.close()

    def _incoming(self, raw: Any) -> None:
        try:
            message = json.loads(raw)
            if message["origin"] == self.origin:
                return
            event = Event(str(message["kind"]), dict(message["data"]), remote=True)
        except (ValueError, KeyError, TypeError):
            self.dropped += 1
            log.warning("dropped a malformed message on %s", self.channel)
            return
        self.received += 1
        self.bus.publish(event)
