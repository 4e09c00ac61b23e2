"""``[kiosk]`` and ``[[kiosks]]``: ticket machines at the hall's entrance."""

from __future__ import annotations

from pydantic import Field

from server.config.base import Section


class KioskSection(Section):
    rate_limit: str = "6 per minute;60 per hour"
    """Most tickets one kiosk (or one IP address) may issue, in Flask-Limiter notation."""
    idle_timeout_s: int = Field(default=45, ge=10, le=600)
    """Seconds without a touch before the kiosk returns to its start screen."""
    public_url: str = ""
    """Base URL of the hub as seen from citizens' phones on the hall's Wi-Fi, used in the QR
    code (``http://192.168.1.10:5000``). Empty: the address the kiosk used."""


class KioskDeviceSection(Section):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,32}$")
    """Kiosk id, given to the kiosk page as ``/kiosk?id=...``."""
    printer: str = ""
    """ESC/POS printer: ``usb://VID:PID``, ``serial:///dev/ttyUSB0?baudrate=19200``,
    ``network://192.168.1.50:9100``, ``file:///dev/usb/lp0`` or ``dummy://``. Empty: the
    browser prints."""
    paper_width_mm: int = Field(default=80)
    """58 or 80."""
    agencies: list[str] = Field(default_factory=list)
    """Agencies this kiosk offers (names or ids); empty: all."""
    rate_limit: str = ""
    """Most tickets this kiosk may issue (Flask-Limiter notation, "10 per minute"); empty:
    ``[kiosk] rate_limit``. Counted per kiosk and IP address."""
