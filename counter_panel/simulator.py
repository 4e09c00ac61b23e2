"""Virtual keypads on pseudo-terminals: for ``loket simulate``, for ``loket serve`` without
hardware, and for tests and benchmarks.

A :class:`VirtualKeypadPort` is the keypad end of a serial line: it writes presses in a
dialect's wire format and reads what the hub sends back. :func:`pty_pair` makes a
pseudo-terminal whose slave path a bridge opens like any serial port; :class:`PtyRelay` joins
two pseudo-terminals (a tiny ``socat``) so both ends have a device path."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loket.counter_panel import protocol
from loket.counter_panel.dialects import ub485

log = logging.getLogger(__name__)

LETTERS = {
    "n": "NEXT", "r": "RECALL", "s": "SKIP", "d": "DONE", "t": "TRANSFER", "b": "BREAK",
    "u": "RESUME", "g": "START",
}
"""Letters typed in ``loket simulate`` -> keys (``g``, start serving, is for UB485 keypads)."""
UB485_KEYS = {
    "NEXT": ub485.KEY_CALL, "RECALL": ub485.KEY_CALL, "CALL": ub485.KEY_CALL,
    "START": ub485.KEY_START, "TRANSFER": ub485.KEY_REDIRECT, "REDIRECT": ub485.KEY_REDIRECT,
    "DONE": ub485.KEY_FINISH, "SKIP": ub485.KEY_FINISH, "FINISH": ub485.KEY_FINISH,
}
"""Loket key names -> the UB485 key that does the same in the matching state."""


LINKS_FOLDER = "keypads"
"""Folder (in the hall's state folder: ``var/`` for the demo hall, else beside the config
file) of the stable names of simulated keypads' pseudo-terminals."""


def stable_link(folder: Path, name: str, target: str) -> Path:
    """``folder/name`` -> ``target`` (a pty path that changes on every start), replaced
    atomically, so a bridge's config or ``loket simulate --attach`` can name it once."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / name
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)
    return link


def drop_link(link: Path, target: str) -> None:
    """Remove ``link`` if it still points at ``target`` (a newer process may own it now)."""
    with contextlib.suppress(OSError):
        if os.readlink(link) == target:
            link.unlink()


def pty_pair() -> tuple[int, str]:
    """A raw pseudo-terminal: (master fd, slave path). The slave is opened and closed once so
    the line settings stick; the bridge opens it by path."""
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    path = os.ttyname(slave)
    os.close(slave)
    return master, path


class PtyRelay:
    """Copies bytes both ways between two pty masters, so that a bridge can open one slave
    path and a person (or ``loket simulate --attach``) the other."""

    def __init__(self) -> None:
        self.master_a, self.path_a = pty_pair()
        self.master_b, self.path_b = pty_pair()
        # keep a slave open on each side so the masters never read EIO while nobody is on
        # the other end
        self._hold = [os.open(self.path_a, os.O_RDWR | os.O_NOCTTY),
                      os.open(self.path_b, os.O_RDWR | os.O_NOCTTY)]
        for fd in (self.master_a, self.master_b):
            os.set_blocking(fd, False)  # never block the hub (gevent) on a full line
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="pty-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pair = {self.master_a: (self.master_b, self._hold[1]),
                self.master_b: (self.master_a, self._hold[0])}
        while not self._stop:
            try:
                ready, _, _ = select.select(list(pair), [], [], 0.5)
                for fd in ready:
                    data = os.read(fd, 4096)
                    target, held = pair[fd]
                    try:
                        os.write(target, data)
                    except BlockingIOError:
                        # nobody reads the other end: drop what piled up there, then retry
                        termios.tcflush(held, termios.TCIFLUSH)
                        with contextlib.suppress(BlockingIOError):
                            os.write(target, data)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                time.sleep(0.1)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        for fd in (*self._hold, self.master_a, self.master_b):
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass
class Received:
    at: float
    frame: Any
    """A :class:`~counter_panel.protocol.HubFrame` (loket) or raw bytes (ub485)."""


class VirtualKeypadPort:
    """The keypads' end of one line. ``fd`` is a pty master (or any fd), or pass ``path`` to
    open a device. Frames from the hub are parsed and queued in :attr:`received`."""

    def __init__(self, fd: int | None = None, path: str | None = None,
                 dialect: str = "loket") -> None:
        if fd is None:
            if path is None:
                raise ValueError("give an fd or a path")
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(fd)
        self.fd = fd
        self.dialect = dialect
        self.seq: dict[int, int] = {}
        self.received: queue.Queue[Received] = queue.Queue()
        self._framer = protocol.LineFramer()
        self._raw = bytearray()
        self._stop = False
        self._thread = threading.Thread(target=self._read, name="virtual-keypad", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def press(self, address: int, key: str, service: str | None = None,
              seq: int | None = None) -> int:
        """Press ``key`` (a Loket key, or a letter of :data:`LETTERS`) on the keypad at
        ``address``; returns the seq used."""
        key = LETTERS.get(key, key).upper()
        if self.dialect == "ub485":
            if key not in UB485_KEYS:
                raise ValueError(f"a UB485 keypad has no key for {key}")
            self.write(ub485.press_frame(address, UB485_KEYS[key]))
            return 0
        if seq is None:
            seq = (self.seq.get(address, -1) + 1) % 256
        self.seq[address] = seq
        self.write(protocol.press_frame(address, key, seq, service))
        return seq

    def _read(self) -> None:
        while not self._stop:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    continue
                data = os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.05)
                continue
            now = time.monotonic()
            if self.dialect == "ub485":
                self._raw.extend(data)
                while len(self._raw) >= 7:
                    start = self._raw.find(bytes([ub485.START]))
                    if start < 0:
                        self._raw.clear()
                        break
                    del self._raw[:start]
                    if len(self._raw) >= 7 and self._raw[6] == ub485.END:
                        self.received.put(Received(now, bytes(self._raw[:7])))
                        del self._raw[:7]
                    elif len(self._raw) >= 7:
                        del self._raw[0]
                continue
            for line in self._framer.feed(data):
                try:
                    parsed = protocol.parse_hub_frame(protocol.unframe(line))
                except protocol.FrameError:
                    continue
                self.received.put(Received(now, parsed))

    def expect(self, kind: str | None = None, address: int | None = None,
               timeout: float = 5.0, where: Callable[[Any], bool] | None = None) -> Any:
        """The next received frame (of ``kind`` for ``address``, and for which ``where`` is
        true), skipping others: ``where`` waits for a state, past screens sent before it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind or 'frame'} for address {address}")
            try:
                item = self.received.get(timeout=left)
            except queue.Empty:
                continue
            frame = item.frame
            if isinstance(frame, bytes):
                return frame
            if (kind is None or frame.kind == kind) and (address is None
                                                         or frame.address == address) \
                    and (where is None or where(frame)):
                return frame

    def drain(self) -> list[Any]:
        out = []
        while True:
            try:
                out.append(self.received.get_nowait().frame)
            except queue.Empty:
                return out

    def close(self) -> None:
        self._stop = True
        self._thread.join(1)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def simulated_addresses(config: Any) -> dict[int, str]:
    """Keypad addresses for a hall without ``[[keypads]]``: the counters in config order,
    1-99, all on one simulated bus."""
    return {i + 1: counter.id for i, counter in enumerate(config.counters[:99])}
