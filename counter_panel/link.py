"""One serial port with keypads on it: opened with pyserial's ``serial_for_url``, read by a
``serial.threaded.ReaderThread``, and reopened with backoff when it goes away (an unplugged
USB adapter, a port that does not exist yet, a closed pseudo-terminal)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import serial
import serial.threaded

from counter_panel.dialects import Dialect, get_dialect

if TYPE_CHECKING:
    from counter_panel.bridge import KeypadBridge

log = logging.getLogger(__name__)


class _Reader(serial.threaded.ReaderThread):
    """pyserial's reader, also ending on the plain OSError (EIO) that ``in_waiting`` raises
    when a USB adapter or pseudo-terminal disappears."""

    def run(self) -> None:
        if not hasattr(self.serial, "cancel_read"):
            self.serial.timeout = 1
        self.protocol = self.protocol_factory()
        try:
            self.protocol.connection_made(self)
        except Exception as exc:
            self.alive = False
            self.protocol.connection_lost(exc)
            self._connection_made.set()
            return
        error: Exception | None = None
        self._connection_made.set()
        while self.alive and self.serial.is_open:
            try:
                data = self.serial.read(self.serial.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError) as exc:
                # TypeError: pyserial reading a port closed under it (fd None)
                error = exc
                break
            if data:
                self.protocol.data_received(data)  # never raises, see KeypadProtocol
        self.alive = False
        self.protocol.connection_lost(error)
        self.protocol = None


class KeypadProtocol(serial.threaded.Protocol):
    """Bytes from one port -> presses for the bridge. Never lets an exception out."""

    def __init__(self, link: PortLink) -> None:
        self.link = link
        self.decoder = link.dialect.decoder()
        link.decoder = self.decoder

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            presses = self.decoder.feed(data)
        except Exception:
            log.exception("keypad decoder failed on %r", data[:64])
            return
        for press in presses:
            try:
                self.link.bridge.handle(self.link, press)
            except Exception:
                log.exception("keypad press %r on %s failed", press, self.link.url)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.link.lost_reason = exc


class PortLink:
    def __init__(
        self,
        bridge: KeypadBridge,
        url: str,
        baudrate: int = 9600,
        dialect: str | Dialect = "loket",
        addresses: dict[int, str] | None = None,
        redirect: dict[int, str] | None = None,
        double_press_s: float = 2.0,
    ) -> None:
        self.bridge = bridge
        self.url = url
        self.baudrate = baudrate
        self.dialect = get_dialect(dialect) if isinstance(dialect, str) else dialect
        self.addresses = dict(addresses or {})
        self.redirect = dict(redirect or {})
        self.double_press_s = double_press_s
        self.decoder: Any = None
        self.lost_reason: BaseException | None = None
        self.opened = 0
        """How many times the port was opened (1 + reconnections)."""
        self._reader: _Reader | None = None
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, bridge: KeypadBridge, section: Any) -> PortLink:
        return cls(
            bridge,
            section.port,
            section.baudrate,
            section.dialect,
            {int(a): c for a, c in section.addresses.items()},
            {int(a): p for a, p in section.redirect.items()},
            section.double_press_s,
        )

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"keypads {self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        reader = self._reader
        if reader is not None:
            try:
                reader.close()
            except Exception:
                log.debug("closing %s failed", self.url, exc_info=True)
        if self._thread is not None:
            self._thread.join(5)

    def write(self, data: bytes) -> bool:
        reader = self._reader
        if not data or reader is None or not self._connected.is_set():
            return False
        try:
            reader.write(data)
            return True
        except (serial.SerialException, OSError, TypeError) as exc:
            log.debug("write to %s failed: %s", self.url, exc)
            return False

    def _run(self) -> None:
        delay = self.bridge.retry_min_s
        reported = False
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(self.url, baudrate=self.baudrate)
            except (serial.SerialException, OSError, ValueError) as exc:
                if not reported:
                    log.warning("keypad port %s is not available (%s); retrying", self.url, exc)
                    reported = True
                else:
                    log.debug("keypad port %s still not available: %s", self.url, exc)
                self._stop.wait(delay)
                delay = min(delay * 2, self.bridge.retry_max_s)
                continue
            delay = self.bridge.retry_min_s
            self.opened += 1
            log.info("keypad port %s open (%s, %d baud)%s", self.url, self.dialect.name,
                     self.baudrate, " again" if reported or self.opened > 1 else "")
            reported = False
            self.lost_reason = None
            reader = _Reader(port, lambda: KeypadProtocol(self))
            self._reader = reader
            reader.start()
            reader._connection_made.wait(5)
            self._connected.set()
            self.bridge.port_connected(self)
            reader.join()
            self._connected.clear()
            self._reader = None
            try:
                port.close()
            except Exception:
                log.debug("closing %s failed", self.url, exc_info=True)
            if self._stop.is_set():
                break
            log.warning("keypad port %s lost (%s); retrying", self.url,
                        self.lost_reason or "closed")
            reported = True
            self._stop.wait(delay)
