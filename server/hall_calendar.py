"""The hall's calendar as the hub applies it, moment by moment: whether a service takes
tickets now (and when it opens again, in words), whether a counter is on a calendar break, and
the watcher greenlet that tells the pages when a break, a closure or a last-ticket time starts
or ends, or when another program changed the hall.

Plain functions over what they read of the hub (:class:`CalendarHub`;
:class:`loket.server.hub.Hub` is one); the hub's methods ``service_state`` and
``describe_opening`` call them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from loket.server.admin.store import HallStore
from loket.server.config.hall import CounterSection, ServiceSection
from loket.server.events import Event, EventBus
from loket.server.i18n import translate
from loket.server.payloads import ServiceState

log = logging.getLogger(__name__)

HALL_POLL_S = 1.0
"""How often each hub process checks the hall's version in the database."""


class CalendarHub(Protocol):
    """What the calendar reads of the hub (:class:`loket.server.hub.Hub` is one)."""

    @property
    def clock(self) -> Callable[[], float]:
        """The hub's clock (seconds since the epoch)."""
        ...

    @property
    def services(self) -> Mapping[str, ServiceSection]:
        """The hall's services by prefix."""
        ...

    @property
    def hall(self) -> HallStore:
        """The live hall: its ``calendar`` and ``version``."""
        ...

    @property
    def events(self) -> EventBus:
        """Where the hub publishes its events."""
        ...

    def local(self, ts: float) -> datetime:
        """``ts`` in the hall's time zone."""
        ...

    def iso(self, ts: float | None) -> str | None:
        """``ts`` as ISO 8601 in the hall's time zone."""
        ...

    def paused_services(self) -> list[str]:
        """Prefixes of the services a supervisor paused."""
        ...


def describe_opening(hub: CalendarHub, moment: datetime | None, lang: str) -> str:
    """When a closed service opens again, in words for a citizen ("pukul 08.00",
    "besok pukul 08.00", a date)."""
    if moment is None:
        return translate("time.unknown", lang)
    now = hub.local(hub.clock())
    when = translate("time.at", lang, time=moment.strftime("%H.%M"))
    if moment.date() == now.date():
        return when
    if (moment.date() - now.date()).days == 1:
        return f"{translate('time.tomorrow', lang)} {when}"
    return f"{moment.strftime('%d-%m-%Y')} {when}"


def service_state(
    hub: CalendarHub, prefix: str, lang: str = "id", paused_services: list[str] | None = None
) -> ServiceState:
    """Whether tickets can be taken for a service now, and why not (``paused_services``: the
    paused prefixes if already read, else read now)."""
    service = hub.services[prefix]
    now = hub.local(hub.clock())
    refusal = hub.hall.calendar.refusal(prefix, now, service.opening_rules, service.cutoff)
    open_now = refusal is None
    if paused_services is None:
        paused_services = hub.paused_services()
    paused = prefix in paused_services
    return {
        "open": open_now and not paused,
        "paused": paused,
        "next_opening": None if refusal is None else hub.iso(_ts(refusal.resumes)),
        "next_opening_text": None
        if refusal is None
        else describe_opening(hub, refusal.resumes, lang),
        "closed_kind": None if refusal is None else refusal.kind,
        "closed_reason": None if refusal is None else refusal.reason,
    }


def calendar_break(hub: CalendarHub, counter: CounterSection) -> str | None:
    """The reason of the calendar break or closure every service of ``counter`` is in now
    (the counter's screen shows a break); None when it may call."""
    now = hub.local(hub.clock())
    reasons = set()
    for prefix in counter.services:
        svc = hub.services.get(prefix)
        refusal = None if svc is None else hub.hall.calendar.refusal(
            prefix, now, svc.opening_rules, None)
        if refusal is None or refusal.kind not in ("break", "closure"):
            return None
        reasons.add(refusal.reason)
    return sorted(reasons)[0] if reasons else None


def blocked_now(hub: CalendarHub) -> frozenset[str]:
    """The prefixes of the services the calendar refuses tickets for now."""
    now = hub.local(hub.clock())
    return frozenset(p for p, svc in hub.services.items() if hub.hall.calendar.refusal(
        p, now, svc.opening_rules, svc.cutoff) is not None)


def watch_hall(hub: CalendarHub, reloaded: Callable[[], None]) -> None:
    """Notice hall changes made by another program (``loket config import``, ``loket
    calendar import``) or a process whose relay event was lost: one tiny query a second;
    ``reloaded`` runs after each such reload. A break, a closure or a last-ticket time that
    starts or ends is told to the pages the same way (a ``hall`` event), so kiosks and
    counter screens follow the calendar. Runs forever (a greenlet of the hub)."""
    blocked = blocked_now(hub)
    while True:
        time.sleep(HALL_POLL_S)
        try:
            now_blocked = blocked_now(hub)
            if now_blocked != blocked:
                blocked = now_blocked
                hub.events.publish(Event("hall", {"version": hub.hall.version,
                                                  "calendar": True}))
            if hub.hall.reload():
                reloaded()
        except Exception:
            log.exception("could not check the hall's configuration")


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()
