"""Loket keypad protocol v1 (ASCII, NMEA-style checksum); see counter_panel.protocol."""

from __future__ import annotations

import logging

from loket.counter_panel import protocol
from loket.counter_panel.dialects import CounterView, Dialect, Resolution, UnknownKey, register
from loket.counter_panel.protocol import BadKey, FrameError, Press

log = logging.getLogger(__name__)

ACTIONS = {
    "NEXT": "next",
    "RECALL": "recall",
    "SKIP": "skip",
    "DONE": "done",
    "TRANSFER": "transfer",
    "BREAK": "break",
    "RESUME": "resume",
}


class LoketDecoder:
    def __init__(self) -> None:
        self._framer = protocol.LineFramer()
        self.invalid: dict[str, int] = {}

    @property
    def dropped(self) -> dict[str, int]:
        merged = dict(self._framer.dropped)
        for reason, n in self.invalid.items():
            merged[reason] = merged.get(reason, 0) + n
        return merged

    def feed(self, data: bytes) -> list[Press | BadKey]:
        out: list[Press | BadKey] = []
        for line in self._framer.feed(data):
            try:
                out.append(protocol.parse_press(protocol.unframe(line)))
            except FrameError as exc:
                self.invalid[exc.reason] = self.invalid.get(exc.reason, 0) + 1
                log.debug("dropped keypad frame %r: %s", line[:protocol.MAX_FRAME], exc)
        return out


@register
class LoketDialect(Dialect):
    name = "loket"

    def decoder(self) -> LoketDecoder:
        return LoketDecoder()

    def ack(self, address: int, seq: int | None) -> bytes:
        return protocol.ack_frame(address, seq or 0)

    def display(self, address: int, view: CounterView) -> bytes:
        return protocol.display_frame(address, view.ticket, view.waiting)

    def error(self, address: int, code: str) -> bytes:
        return protocol.error_frame(address, code)

    def resolve(self, press: Press, view: CounterView | None, redirect: str | None) -> Resolution:
        action = ACTIONS.get(press.key)
        if action is None:
            raise UnknownKey(press.key)
        return Resolution(action, press.service if action == "transfer" else None)

    def is_call_key(self, press: Press) -> bool:
        return press.key == "NEXT"
