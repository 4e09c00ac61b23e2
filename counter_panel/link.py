"""One serial port with keypads on it: opened with pyserial's ``serial_for_url``, read by a
``serial.threaded.ReaderThread``, and reopened with backoff when it goes away (an unplugged
USB adapter, a port that does not exist yet, a closed pseudo-terminal)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol, cast

import serial
import serial.threaded

from loket.counter_panel.dialects import Dialect, get_dialect
from loket.counter_panel.protocol import BadKey, Press
from loket.server.backoff import FailureLog, retrying

log = logging.getLogger(__name__)


class _EndingPort:
    """The port as the reader sees it: the plain OSError (EIO) that ``in_waiting`` raises when
    a USB adapter or pseudo-terminal disappears, and the TypeError of pyserial reading a port
    closed under it (fd None), become the :class:`serial.SerialException` on which pyserial's
    reader ends. Everything else is the port's own."""

    def __init__(self, port: Any) -> None:
        object.__setattr__(self, "_port", port)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._port, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._port, name, value)

    @property
    def in_waiting(self) -> int:
        try:
            return int(self._port.in_waiting)
        except (OSError, TypeError) as exc:
            raise serial.SerialException(f"port gone: {exc}") from exc

    def read(self, size: int = 1) -> bytes:
        try:
            return bytes(self._port.read(size))
        except (OSError, TypeError) as exc:
            if isinstance(exc, serial.SerialException):
                raise
            raise serial.SerialException(f"port gone: {exc}") from exc


class _Reader(serial.threaded.ReaderThread):
    """pyserial's reader on an :class:`_EndingPort`, so it also ends when the device goes."""

    def __init__(self, port: Any, protocol_factory: Callable[[], serial.threaded.Protocol]
                 ) -> None:
        # duck-typed: every attribute but the two reads above is the port's own
        super().__init__(cast("serial.Serial", _EndingPort(port)), protocol_factory)

    def wait_started(self, timeout: float) -> bool:
        """Waits until the protocol has been told of the connection."""
        # pyserial's own flag, set by run() (its connect() waits on it without a timeout)
        started: threading.Event = self.__dict__["_connection_made"]
        return started.wait(timeout)


class PortOwner(Protocol):
    """What a port link needs of its keypad bridge (:class:`loket.counter_panel.bridge.KeypadBridge`
    is one): the retry delays, and where presses and reconnections go."""

    retry_min_s: float
    retry_max_s: float

    def port_connected(self, link: PortLink) -> None: ...

    def handle(self, link: PortLink, press: Press | BadKey) -> None: ...


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
        bridge: PortOwner,
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
    def from_config(cls, bridge: PortOwner, section: Any) -> PortLink:
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
        failures = FailureLog(log, f"keypad port {self.url} is not available (%s); retrying")
        while not self._stop.is_set():
            port = retrying(
                failures, first_s=self.bridge.retry_min_s, max_s=self.bridge.retry_max_s,
                retry_on=(serial.SerialException, OSError, ValueError), stop=self._stop,
            )(self._open)
            if port is None:  # stopped
                break
            self.opened += 1
            again = failures.recovered() or self.opened > 1
            log.info("keypad port %s open (%s, %d baud)%s", self.url, self.dialect.name,
                     self.baudrate, " again" if again else "")
            self._read(port)
            if self._stop.is_set():
                break
            failures.failed(self.lost_reason or "closed",
                            f"keypad port {self.url} lost (%s); retrying")
            self._stop.wait(self.bridge.retry_min_s)

    def _open(self) -> Any:
        if self._stop.is_set():
            return None
        return serial.serial_for_url(self.url, baudrate=self.baudrate)

    def _read(self, port: Any) -> None:
        """Reads ``port`` until it is lost or the link stops."""
        self.lost_reason = None
        reader = _Reader(port, lambda: KeypadProtocol(self))
        self._reader = reader
        reader.start()
        reader.wait_started(5)
        self._connected.set()
        self.bridge.port_connected(self)
        reader.join()
        self._connected.clear()
        self._reader = None
        try:
            port.close()
        except Exception:
            log.debug("closing %s failed", self.url, exc_info=True)
