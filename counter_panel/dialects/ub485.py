"""QSystem "UB485" RS-485 call keypads, as the open-source QSystem queue server drives them
(``ru.apertum.qsystem.ub485.core``: ButtonDevice, ActionTransmit, AddrProp, UBForm).

Keypad -> host: 4 bytes ``0x01 addr key 0x07``; ``addr`` is a raw byte. Keys, whose meaning
depends on the operator's state (as in QSystem's ButtonDevice.doAction):

* ``0x31`` call: with no citizen, call the next; with a called citizen, call again (recall).
* ``0x32`` start: a called citizen came; serving starts.
* ``0x33`` redirect: send the citizen being served to the keypad's configured service.
* ``0x34`` finish: a called citizen who never came is a no-show (skip); one being served is
  done.

Host -> keypad: 7 bytes ``0x01 addr mode c1 c2 c3 0x07`` shows three characters (cp1251) on
the keypad's display; ``mode`` 0x20 steady, 0x21 blinking, 0x22-0x7F blink (mode - 0x21)
times. QSystem shows the called ticket blinking, the ticket being served steady, ``CAL``
when nobody is called but citizens wait, and blanks when nobody waits.
"""

from __future__ import annotations

import logging

from loket.counter_panel.dialects import CounterView, Dialect, Resolution, UnknownKey, register
from loket.counter_panel.protocol import BadKey, Press

log = logging.getLogger(__name__)

START, END = 0x01, 0x07
KEY_CALL, KEY_START, KEY_REDIRECT, KEY_FINISH = 0x31, 0x32, 0x33, 0x34
KEY_NAMES = {KEY_CALL: "CALL", KEY_START: "START", KEY_REDIRECT: "REDIRECT", KEY_FINISH: "FINISH"}
KEY_CODES = {name: code for code, name in KEY_NAMES.items()}
STEADY, BLINK = 0x20, 0x21
ERROR_TEXT = {"EMPTY": "---", "CLOSED": "CLS", "UNKNOWN": "ADR", "BADKEY": "ERR", "OFFLINE": "OFF",
              "BREAK": "BRK"}


def blink_times(n: int) -> int:
    return 0x21 + n


def press_frame(address: int, key: int) -> bytes:
    """What a UB485 keypad sends (simulator, tests)."""
    return bytes([START, address & 0xFF, key, END])


def screen_frame(address: int, text: str, mode: int = STEADY) -> bytes:
    chars = (text + "   ")[:3].encode("cp1251", errors="replace")
    return bytes([START, address & 0xFF, mode]) + chars + bytes([END])


def short_label(ticket: str) -> str:
    """Three characters for a ticket: the prefix's first letter and the last two digits
    (``A-012`` -> ``A12``); the hall's display shows the full number."""
    prefix, _, number = ticket.partition("-")
    digits = "".join(c for c in number if c.isdigit())
    if not prefix or not digits:
        return ticket[:3]
    return f"{prefix[0]}{int(digits) % 100:02d}"


class Ub485Decoder:
    """Finds ``0x01 addr key 0x07`` in the stream, sliding one byte on anything else."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.dropped: dict[str, int] = {}

    def feed(self, data: bytes) -> list[Press | BadKey]:
        self._buf.extend(data)
        out: list[Press | BadKey] = []
        buf = self._buf
        skipped = 0
        while len(buf) >= 4:
            if buf[0] == START and buf[3] == END and 1 <= buf[1] <= 99:
                key = buf[2]
                if key in KEY_NAMES:
                    out.append(Press(buf[1], KEY_NAMES[key]))
                    del buf[:4]
                    continue
                if 0x30 <= key <= 0x3F:
                    out.append(BadKey(buf[1], f"0x{key:02X}"))
                    del buf[:4]
                    continue
            del buf[0]
            skipped += 1
        if len(buf) > 64:
            del buf[:-3]
        if skipped:
            self.dropped["noise"] = self.dropped.get("noise", 0) + skipped
            log.debug("ub485: skipped %d bytes of noise", skipped)
        return out


@register
class Ub485Dialect(Dialect):
    name = "ub485"
    needs_state = True

    def decoder(self) -> Ub485Decoder:
        return Ub485Decoder()

    def display(self, address: int, view: CounterView) -> bytes:
        if view.ticket:
            mode = BLINK if view.ticket_status == "called" else STEADY
            return screen_frame(address, short_label(view.ticket), mode)
        if view.status in ("break", "closed"):
            return screen_frame(address, "---")
        return screen_frame(address, "CAL" if view.waiting else "   ")

    def error(self, address: int, code: str) -> bytes:
        return screen_frame(address, ERROR_TEXT.get(code, "ERR"), blink_times(3))

    def resolve(self, press: Press, view: CounterView | None, redirect: str | None) -> Resolution:
        status = view.ticket_status if view and view.ticket else None
        if press.key == "CALL":
            if status is None:
                return Resolution("next")
            if status == "called":
                return Resolution("recall")
            return Resolution(None)  # QSystem ignores a call while serving
        if press.key == "START":
            return Resolution("start" if status == "called" else None)
        if press.key == "FINISH":
            if status == "called":
                return Resolution("skip")
            if status == "serving":
                return Resolution("done")
            return Resolution(None)
        if press.key == "REDIRECT":
            if not redirect:
                raise UnknownKey("REDIRECT without a configured service")
            return Resolution("transfer" if status else None, redirect)
        raise UnknownKey(press.key)

    def is_call_key(self, press: Press) -> bool:
        return press.key == "CALL"
