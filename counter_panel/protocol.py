"""Loket keypad protocol v1: pure parsing and formatting, no I/O (see docs/keypad-protocol.md).

A frame is ``$`` + body + ``*`` + two hex digits + ``\\r\\n``; the hex digits are the XOR of every
byte of the body, as in NMEA 0183. The body is comma-separated ASCII fields.

Keypad to hub::

    K,<addr>,<key>,<seq>
    K,<addr>,TRANSFER,<service prefix>,<seq>

Hub to keypad::

    A,<addr>,<seq>                 acknowledge a press
    D,<addr>,<ticket>,<waiting>    what to show (``---`` when no ticket)
    E,<addr>,<code>                a refusal: EMPTY, CLOSED, UNKNOWN, BADKEY, OFFLINE, BREAK

``BREAK`` (added in v1.1, an extension: no older code changed) answers NEXT on a counter that is
on a break: press RESUME first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYS = ("NEXT", "RECALL", "SKIP", "DONE", "TRANSFER", "BREAK", "RESUME")
ERROR_CODES = ("EMPTY", "CLOSED", "UNKNOWN", "BADKEY", "OFFLINE", "BREAK")
NO_TICKET = "---"
MAX_FRAME = 80
"""Longest frame in bytes, ``$`` to ``\\n``; anything longer is noise."""

_PREFIX = re.compile(r"^[A-Z0-9]{1,8}$")
_TICKET = re.compile(r"^[A-Za-z0-9\-]{1,16}$")


class FrameError(ValueError):
    """A frame that cannot be used; ``reason`` is a short word for counters and logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Press:
    """A key press as read from the wire, dialect-neutral.

    ``key`` is a Loket key name (``NEXT``...) or, for dialects whose keys depend on the
    counter's state, the dialect's own key name; ``seq`` is None when the dialect has none."""

    address: int
    key: str
    seq: int | None = None
    service: str | None = None


@dataclass(frozen=True)
class BadKey:
    """A well-formed, correctly summed frame from a known-looking keypad with a key we do not
    know: answered with ``E,<addr>,BADKEY``."""

    address: int
    key: str
    seq: int | None = None


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def frame(body: str) -> bytes:
    """``"A,1,7"`` -> ``b"$A,1,7*XX\\r\\n"``."""
    raw = body.encode("ascii")
    if b"$" in raw or b"*" in raw or b"\r" in raw or b"\n" in raw:
        raise ValueError(f"body {body!r} holds a reserved character")
    return b"$" + raw + b"*" + f"{checksum(raw):02X}".encode() + b"\r\n"


def unframe(line: bytes) -> str:
    """The body of one complete frame (``$...*HH`` with or without ``\\r\\n``)."""
    line = line.rstrip(b"\r\n")
    if not line.startswith(b"$"):
        raise FrameError("start")
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 3:
        raise FrameError("checksum", "missing")
    body, digits = line[1:star], line[star + 1:]
    try:
        expected = int(digits.decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        raise FrameError("checksum", "not hex") from None
    if checksum(body) != expected:
        raise FrameError("checksum", "mismatch")
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise FrameError("ascii") from None
    if not text.isprintable():
        raise FrameError("ascii", "control character")
    return text


def _number(text: str, low: int, high: int, what: str) -> int:
    if not text.isdigit() or len(text) > 3:
        raise FrameError(what, text)
    value = int(text)
    if not low <= value <= high:
        raise FrameError(what, text)
    return value


def parse_press(body: str) -> Press | BadKey:
    """A keypad's frame body -> :class:`Press`, or :class:`BadKey` for an unknown key."""
    fields = body.split(",")
    if fields[0] != "K" or len(fields) not in (4, 5):
        raise FrameError("shape", body)
    address = _number(fields[1], 1, 99, "address")
    seq = _number(fields[-1], 0, 255, "seq")
    key = fields[2].upper()
    if len(fields) == 5:
        if key != "TRANSFER":
            raise FrameError("shape", body)
        prefix = fields[3].strip().upper()
        if not _PREFIX.match(prefix):
            raise FrameError("service", prefix)
        return Press(address, key, seq, prefix)
    if key not in KEYS or key == "TRANSFER":
        # TRANSFER needs a service prefix; a bare one is a key the hub cannot use.
        return BadKey(address, key[:16], seq)
    return Press(address, key, seq)


def press_frame(address: int, key: str, seq: int, service: str | None = None) -> bytes:
    """What a keypad sends (used by the simulator, tests and benchmarks)."""
    if service:
        return frame(f"K,{address},{key},{service},{seq % 256}")
    return frame(f"K,{address},{key},{seq % 256}")


def ack_frame(address: int, seq: int) -> bytes:
    return frame(f"A,{address},{seq}")


def display_frame(address: int, ticket: str | None, waiting: int) -> bytes:
    shown = ticket if ticket and _TICKET.match(ticket) else NO_TICKET
    return frame(f"D,{address},{shown},{max(0, int(waiting))}")


def error_frame(address: int, code: str) -> bytes:
    if code not in ERROR_CODES:
        raise ValueError(f"unknown error code {code!r}")
    return frame(f"E,{address},{code}")


@dataclass(frozen=True)
class HubFrame:
    """A hub-to-keypad frame, parsed (the simulator and tests read these)."""

    kind: str
    """"A", "D" or "E"."""
    address: int
    seq: int | None = None
    ticket: str | None = None
    waiting: int | None = None
    code: str | None = None


def parse_hub_frame(body: str) -> HubFrame:
    fields = body.split(",")
    kind = fields[0]
    if kind == "A" and len(fields) == 3:
        return HubFrame("A", _number(fields[1], 1, 99, "address"),
                        seq=_number(fields[2], 0, 255, "seq"))
    if kind == "D" and len(fields) == 4:
        ticket = None if fields[2] == NO_TICKET else fields[2]
        return HubFrame("D", _number(fields[1], 1, 99, "address"), ticket=ticket,
                        waiting=_number(fields[3], 0, 999, "waiting"))
    if kind == "E" and len(fields) == 3 and fields[2] in ERROR_CODES:
        return HubFrame("E", _number(fields[1], 1, 99, "address"), code=fields[2])
    raise FrameError("shape", body)


class LineFramer:
    """Splits a byte stream into ``$...\\n`` frames, surviving anything.

    A ``$`` always starts a new frame (whatever was collected is dropped as broken), bytes
    outside a frame are noise, and a frame longer than ``max_len`` is dropped. ``feed`` returns
    complete candidate lines; it never raises. ``dropped`` counts discarded pieces by reason."""

    def __init__(self, max_len: int = MAX_FRAME) -> None:
        self.max_len = max_len
        self._buf = bytearray()
        self._in_frame = False
        self.dropped: dict[str, int] = {}

    def _drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        noise = False
        for byte in data:
            if byte == 0x24:  # "$"
                if self._in_frame and self._buf:
                    self._drop("broken")
                self._buf = bytearray(b"$")
                self._in_frame = True
            elif not self._in_frame:
                noise = True
            elif byte == 0x0A:  # "\n"
                lines.append(bytes(self._buf))
                self._buf = bytearray()
                self._in_frame = False
            else:
                self._buf.append(byte)
                if len(self._buf) > self.max_len:
                    self._drop("overlong")
                    self._buf = bytearray()
                    self._in_frame = False
        if noise:
            self._drop("noise")
        return lines
