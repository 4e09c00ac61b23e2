"""Printing a ticket on an ESC/POS thermal printer through python-escpos.

A printer is named by a URL in ``[[kiosks]] printer``: ``usb://VID:PID``,
``serial:///dev/ttyUSB0?baudrate=19200``, ``network://192.168.1.50:9100``,
``file:///dev/usb/lp0`` or ``dummy://``. Before printing, printers that can answer (network,
serial, USB) are asked whether they are online and have paper (DLE EOT); a printer that does
not answer is printed to anyway. Every failure becomes a :class:`PrintResult` with a status,
never an exception: the ticket was issued before printing and stays valid.

``dummy://`` keeps the bytes in memory; when the environment variable
``LOKET_DUMMY_PRINTER_DIR`` is set (tests only) they are also written to
``<dir>/<kiosk id>.bin`` so a test can read what was printed.
"""

from __future__ import annotations

import logging
import os
import socket
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

DUMMY_DIR_ENV = "LOKET_DUMMY_PRINTER_DIR"
STATUS_TIMEOUT_S = 1.5
"""How long a printer may take to answer a status query before it is printed to anyway."""
CONNECT_TIMEOUT_S = 4.0

WIDTHS = {58: (384, 32), 80: (576, 48)}
"""Paper width in mm -> (printable dots, characters per line in font A)."""


@dataclass(frozen=True)
class TicketPrint:
    """What goes on paper."""

    hall: str
    ticket: str
    service: str
    agency: str
    issued: str
    """Date and time in the hall's time zone, already formatted ("28-11-2026 08.15")."""
    ahead_line: str
    wait_line: str
    status_url: str
    footer: str
    priority_line: str = ""
    logo: Path | None = None


@dataclass(frozen=True)
class PrintResult:
    status: str
    """ok, paper_low (printed, but the roll is nearly out), no_paper, offline or error."""
    detail: str = ""

    @property
    def printed(self) -> bool:
        return self.status in ("ok", "paper_low")


class PrinterURLError(ValueError):
    """A ``printer`` value that names no supported connection."""


def open_printer(url: str, paper_width_mm: int = 80) -> Any:
    """An unopened python-escpos printer for ``url`` (raises :class:`PrinterURLError`)."""
    from escpos import printer as escpos_printer

    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    profile = query.get("profile") or None
    kind = parts.scheme
    if kind == "dummy":
        return escpos_printer.Dummy(profile=profile)
    if kind == "network":
        if not parts.hostname:
            raise PrinterURLError(f"{url!r}: network printers need a host (network://IP:9100)")
        return escpos_printer.Network(
            parts.hostname, port=parts.port or 9100, timeout=CONNECT_TIMEOUT_S, profile=profile
        )
    if kind == "serial":
        device = parts.path or parts.netloc
        return escpos_printer.Serial(
            devfile=device,
            baudrate=int(query.get("baudrate", 19200)),
            timeout=STATUS_TIMEOUT_S,
            profile=profile,
        )
    if kind == "file":
        return escpos_printer.File(devfile=parts.path, profile=profile)
    if kind == "usb":
        try:
            vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
        except ValueError:
            raise PrinterURLError(f"{url!r}: expected usb://0xVID:0xPID") from None
        return escpos_printer.Usb(vendor, product, timeout=int(STATUS_TIMEOUT_S * 1000),
                                  profile=profile)
    raise PrinterURLError(
        f"{url!r}: the printer must start with usb://, serial://, network://, file:// or dummy://"
    )


def ascii_text(text: str) -> str:
    """Thermal printers' code pages lack many characters: keep to plain ASCII."""
    text = text.replace("–", "-").replace("—", "-").replace("±", "+/-")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=8)
def _logo_image(path: str, max_dots: int) -> Any:
    from PIL import Image

    image: Image.Image = Image.open(path)
    image.load()
    if image.width > max_dots:
        height = round(image.height * max_dots / image.width)
        image = image.resize((max_dots, height))
    return image


def render(p: Any, ticket: TicketPrint, paper_width_mm: int) -> None:
    """Send one ticket's ESC/POS commands to an open printer."""
    dots, _chars = WIDTHS.get(paper_width_mm, WIDTHS[80])
    big = 4 if paper_width_mm <= 58 else 6
    p.set(align="center", normal_textsize=True)
    if ticket.logo is not None and ticket.logo.suffix.lower() == ".png" and ticket.logo.exists():
        try:
            p.image(_logo_image(str(ticket.logo), int(dots * 0.6)), center=False)
        except Exception:  # a broken logo must not stop the ticket
            log.exception("could not print the logo %s", ticket.logo)
    p.set(align="center", bold=True, double_height=True, double_width=False)
    p.textln(ascii_text(ticket.hall))
    p.set(align="center", normal_textsize=True)
    p.textln(ascii_text(ticket.agency))
    p.textln(ascii_text(ticket.service))
    p.ln()
    p.set(align="center", bold=True, custom_size=True, width=big, height=big)
    p.textln(ascii_text(ticket.ticket))
    p.set(align="center", normal_textsize=True, bold=True)
    if ticket.priority_line:
        p.textln(ascii_text(ticket.priority_line))
    p.set(align="center", normal_textsize=True, bold=False)
    p.ln()
    p.textln(ascii_text(ticket.ahead_line))
    p.textln(ascii_text(ticket.wait_line))
    p.textln(ascii_text(ticket.issued))
    p.ln()
    p.qr(ticket.status_url, size=6 if paper_width_mm <= 58 else 8, native=True, center=False)
    p.textln(ascii_text(ticket.footer))
    p.cut()


def _query(p: Any) -> PrintResult | None:
    """Ask a printer that can answer whether it is online and has paper; None: no answer."""
    device = getattr(p, "device", None)
    if isinstance(device, socket.socket):
        device.settimeout(STATUS_TIMEOUT_S)
    try:
        online = p.query_status(b"\x10\x04\x01")
        if online and online[0] & 8:
            return PrintResult("offline", "printer reports offline (cover open or error)")
        paper = p.query_status(b"\x10\x04\x04")
    except TimeoutError:
        return None
    except NotImplementedError:
        return None
    if not paper:
        return None
    if paper[0] & 0x60 == 0x60:
        return PrintResult("no_paper", "paper roll is empty")
    if paper[0] & 0x0C == 0x0C:
        return PrintResult("paper_low", "paper roll is nearly empty")
    return PrintResult("ok")


def check_printer(url: str, kiosk_id: str) -> PrintResult:
    """Ask the printer whether it is usable now, printing nothing (``ok`` when a printer that
    cannot answer status queries could at least be opened)."""
    return print_ticket(url, 80, None, kiosk_id)[0]


def print_ticket(url: str, paper_width_mm: int, ticket: TicketPrint | None, kiosk_id: str
                 ) -> tuple[PrintResult, bytes]:
    """Print ``ticket``; returns the result and, for ``dummy://``, the bytes printed.

    Under gevent, serial, USB and device-file printers block in C calls that gevent cannot
    switch out of, so they run in gevent's pool of real threads; network printers use
    gevent's cooperative sockets directly."""
    if urlsplit(url).scheme in ("serial", "usb", "file") and _gevent_patched():
        import gevent

        result: tuple[PrintResult, bytes] = gevent.get_hub().threadpool.apply(
            _print_ticket, (url, paper_width_mm, ticket, kiosk_id))
        return result
    return _print_ticket(url, paper_width_mm, ticket, kiosk_id)


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("socket"))


def _print_ticket(url: str, paper_width_mm: int, ticket: TicketPrint | None, kiosk_id: str
                  ) -> tuple[PrintResult, bytes]:
    try:
        p = open_printer(url, paper_width_mm)
    except PrinterURLError as exc:
        return PrintResult("error", str(exc)), b""
    except Exception as exc:  # e.g. pyusb missing for usb://
        log.warning("kiosk %s: printer %s unusable: %s", kiosk_id, url, exc)
        return PrintResult("error", f"{exc.__class__.__name__}: {exc}"[:200]), b""
    try:
        p.open()
    except Exception as exc:  # DeviceNotFoundError, OSError, SerialException, USBError
        log.warning("kiosk %s: printer %s not reachable: %s", kiosk_id, url, exc)
        return PrintResult("offline", f"{exc.__class__.__name__}: {exc}"[:200]), b""
    try:
        state: PrintResult | None = None
        if urlsplit(url).scheme in ("network", "serial", "usb"):
            state = _query(p)
            if state is not None and not state.printed:
                return state, b""
        if ticket is None:
            return state or PrintResult("ok"), b""
        render(p, ticket, paper_width_mm)
        output = bytes(p.output) if urlsplit(url).scheme == "dummy" else b""
        if output:
            _keep_dummy_output(kiosk_id, output)
        return state or PrintResult("ok"), output
    except Exception as exc:  # unplugged half-way: BrokenPipe, SerialException, USBError
        log.warning("kiosk %s: printing failed on %s: %s", kiosk_id, url, exc)
        return PrintResult("offline", f"{exc.__class__.__name__}: {exc}"[:200]), b""
    finally:
        try:
            p.close()
        except Exception:
            log.debug("closing printer %s failed", url, exc_info=True)


def _keep_dummy_output(kiosk_id: str, output: bytes) -> None:
    folder = os.environ.get(DUMMY_DIR_ENV)
    if not folder:
        return
    path = Path(folder) / f"{kiosk_id}.bin"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(output)
    tmp.replace(path)
