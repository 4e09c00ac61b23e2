"""The keypad bridge: presses from every port -> hub actions, and the hub's state -> what each
keypad shows. Pure decisions live in the dialects; this module holds the bookkeeping
(retransmissions, double presses, which keypad shows which counter)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from loket.counter_panel.backends import Backend, BackendError
from loket.counter_panel.dialects import CounterView, UnknownKey
from loket.counter_panel.link import PortLink
from loket.counter_panel.protocol import BadKey, Press

log = logging.getLogger(__name__)

HUB_ERRORS = {
    "empty": "EMPTY",
    "counter_closed": "CLOSED",
    "on_break": "BREAK",
    "unknown_counter": "UNKNOWN",
    "forbidden": "UNKNOWN",
    "offline": "OFFLINE",
    "unauthorized": "OFFLINE",
}
"""Hub error codes -> keypad E codes; any other refusal (no ticket to recall, same service...)
is BADKEY: the key cannot be used now."""


RETRANSMIT_WINDOW_S = 10.0
"""A repeated seq counts as a retransmission only this soon after the first (a keypad that
was switched off and on may start again from the same seq)."""


def keypad_error(code: str) -> str:
    return HUB_ERRORS.get(code, "BADKEY")


class KeypadBridge:
    def __init__(
        self,
        backend: Backend,
        clock: Callable[[], float] = time.monotonic,
        retry_min_s: float = 0.2,
        retry_max_s: float = 5.0,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self.links: list[PortLink] = []
        self.stats: dict[str, int] = {
            "presses": 0, "applied": 0, "refused": 0, "retransmissions": 0,
            "double_presses": 0, "unknown_address": 0, "bad_key": 0, "ignored": 0,
        }
        self.online = False
        self._views: dict[str, CounterView] = {}
        self._last_seq: dict[tuple[int, int], tuple[int, float]] = {}
        self._last_call: dict[str, float] = {}
        self._busy: set[str] = set()
        self._lock = threading.RLock()
        self._outbox: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._sender: threading.Thread | None = None

    # ------------------------------------------------------------------ setup
    def add_port(self, url: str, **kwargs: Any) -> PortLink:
        link = PortLink(self, url, **kwargs)
        self.links.append(link)
        return link

    def add_config(self, sections: Iterable[Any]) -> None:
        for section in sections:
            self.links.append(PortLink.from_config(self, section))

    def counters(self) -> set[str]:
        return {c for link in self.links for c in link.addresses.values()}

    def keypads_of(self, counter_id: str) -> list[tuple[PortLink, int]]:
        return [(link, address) for link in self.links
                for address, counter in link.addresses.items() if counter == counter_id]

    def start(self) -> None:
        self._sender = threading.Thread(target=self._send_loop, name="keypads-out", daemon=True)
        self._sender.start()
        self.backend.start(self)
        for link in self.links:
            link.start()

    def stop(self) -> None:
        for link in self.links:
            link.stop()
        self.backend.stop()
        self._outbox.put(None)
        if self._sender is not None:
            self._sender.join(5)

    def dropped(self) -> dict[str, int]:
        """Frames dropped by every port's decoder, by reason."""
        total: dict[str, int] = {}
        for link in self.links:
            for reason, n in (link.decoder.dropped if link.decoder else {}).items():
                total[reason] = total.get(reason, 0) + n
        return total

    # ------------------------------------------------------------------ hub -> keypads
    def on_counter(self, state: dict[str, Any]) -> None:
        counter_id = str(state.get("counter") or "")
        if counter_id not in self.counters():
            return
        view = CounterView.from_state(state)
        with self._lock:
            old = self._views.get(counter_id)
            if "ticket_status" not in state and old is not None and old.ticket == view.ticket:
                # the public /display event has no ticket_status: keep what we knew
                view = CounterView(view.ticket, old.ticket_status, view.waiting, view.status)
            self._views[counter_id] = view
            if old == view or counter_id in self._busy:
                return
        self._outbox.put(("D", counter_id))

    def on_queue(self, payload: dict[str, Any]) -> None:
        mine = self.counters()
        for entry in payload.get("counters", []):
            counter_id = str(entry.get("id"))
            if counter_id not in mine:
                continue
            waiting = int(entry.get("waiting") or 0)
            with self._lock:
                old = self._views.get(counter_id)
                if old is not None and old.waiting == waiting:
                    continue
                base = old or CounterView()
                self._views[counter_id] = CounterView(base.ticket, base.ticket_status, waiting,
                                                      base.status)
                if counter_id in self._busy:
                    continue
            self._outbox.put(("D", counter_id))

    def on_online(self, online: bool) -> None:
        self.online = online
        for counter_id in sorted(self.counters()):
            self._outbox.put(("D" if online else "OFFLINE", counter_id))
            if online:
                self._outbox.put(("REFRESH", counter_id))

    def port_connected(self, link: PortLink) -> None:
        """A port (re)opened: tell each of its keypads what to show."""
        for address, counter_id in link.addresses.items():
            self._last_seq.pop((id(link), address), None)
            if self.online:
                link.write(link.dialect.display(address, self._view(counter_id)))
            else:
                link.write(link.dialect.error(address, "OFFLINE"))

    def _view(self, counter_id: str) -> CounterView:
        with self._lock:
            view = self._views.get(counter_id)
        if view is None:
            view = self._refresh(counter_id) or CounterView()
        return view

    def _refresh(self, counter_id: str) -> CounterView | None:
        try:
            view = CounterView.from_state(self.backend.state(counter_id))
        except BackendError as exc:
            log.debug("state of counter %s unavailable: %s", counter_id, exc.code)
            return None
        with self._lock:
            self._views[counter_id] = view
        return view

    def _send_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            kind, counter_id = item
            try:
                if kind == "REFRESH":
                    old = self._views.get(counter_id)
                    if self._refresh(counter_id) != old:
                        self._show(counter_id)
                elif kind == "D":
                    self._show(counter_id)
                else:
                    for link, address in self.keypads_of(counter_id):
                        link.write(link.dialect.error(address, kind))
            except Exception:
                log.exception("sending to the keypads of counter %s failed", counter_id)

    def _show(self, counter_id: str) -> None:
        view = self._view(counter_id)
        for link, address in self.keypads_of(counter_id):
            link.write(link.dialect.display(address, view))

    # ------------------------------------------------------------------ keypads -> hub
    def handle(self, link: PortLink, press: Press | BadKey) -> None:
        """One press from ``link`` (runs in that port's reader thread)."""
        self.stats["presses"] += 1
        dialect = link.dialect
        address = press.address
        counter_id = link.addresses.get(address)
        if counter_id is None:
            self.stats["unknown_address"] += 1
            log.debug("press from unknown keypad address %d on %s", address, link.url)
            link.write(dialect.error(address, "UNKNOWN"))
            return
        slot = (id(link), address)
        now = self.clock()
        last = self._last_seq.get(slot)
        if (press.seq is not None and last is not None and last[0] == press.seq
                and now - last[1] < RETRANSMIT_WINDOW_S):
            self.stats["retransmissions"] += 1
            link.write(dialect.ack(address, press.seq))
            link.write(dialect.display(address, self._view(counter_id)))
            return
        if press.seq is not None:
            self._last_seq[slot] = (press.seq, now)
        link.write(dialect.ack(address, press.seq))
        if isinstance(press, BadKey):
            self.stats["bad_key"] += 1
            log.debug("bad key %r from keypad %d on %s", press.key, address, link.url)
            link.write(dialect.error(address, "BADKEY"))
            link.write(dialect.display(address, self._view(counter_id)))
            return
        with self._lock:
            self._busy.add(counter_id)
        try:
            self._apply(link, press, counter_id)
        finally:
            with self._lock:
                self._busy.discard(counter_id)
        if self.online:
            self._show(counter_id)

    def _apply(self, link: PortLink, press: Press, counter_id: str) -> None:
        dialect = link.dialect
        address = press.address
        now = self.clock()
        if dialect.is_call_key(press):
            last = self._last_call.get(counter_id)
            if last is not None and now - last < link.double_press_s:
                self.stats["double_presses"] += 1
                log.info("counter %s: second call within %.1f s ignored", counter_id,
                         link.double_press_s)
                return
        view = None
        if dialect.needs_state:
            view = self._refresh(counter_id)
            if view is None:
                link.write(dialect.error(address, "OFFLINE"))
                return
        try:
            resolution = dialect.resolve(press, view, link.redirect.get(address))
        except UnknownKey as exc:
            self.stats["bad_key"] += 1
            log.debug("keypad %d on %s: %s", address, link.url, exc)
            link.write(dialect.error(address, "BADKEY"))
            return
        if resolution.action is None:
            self.stats["ignored"] += 1
            return
        actor = f"keypad:{link.url}#{address}"
        try:
            state = self.backend.action(counter_id, resolution.action, resolution.service, actor)
        except BackendError as exc:
            self.stats["refused"] += 1
            log.info("counter %s %s refused: %s", counter_id, resolution.action, exc.code)
            link.write(dialect.error(address, keypad_error(exc.code)))
            if exc.code != "offline":
                self._refresh(counter_id)
            return
        self.stats["applied"] += 1
        if resolution.action == "next":
            self._last_call[counter_id] = now
        with self._lock:
            self._views[counter_id] = CounterView.from_state(state)
