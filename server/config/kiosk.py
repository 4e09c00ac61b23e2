"""``[kiosk]`` and ``[[kiosks]]``: ticket machines at the hall's entrance."""

from __future__ import annotations

from limits import parse_many
from pydantic import Field, field_validator

from loket.server.config.base import Section, http_url


def _check_limit(value: str) -> str:
    if value:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit like \"10 per 10 seconds;1800 per hour\""
            ) from None
    return value


class KioskSection(Section):
    rate_limit: str = "6 per minute;60 per hour"
    """Most tickets one IP address may issue when it is not a paired kiosk (a phone, a laptop,
    an unpaired kiosk), in Flask-Limiter notation. Paired kiosks use ``paired_rate_limit``."""
    paired_rate_limit: str = "10 per 10 seconds;1800 per hour"
    """Most tickets a paired kiosk may issue (see docs/kiosk.md, "Pairing a kiosk"): only a
    stuck or abused device reaches it, and the supervisor dashboard shows an alert when it
    does. A kiosk's own ``rate_limit`` replaces it."""
    idle_timeout_s: int = Field(default=45, ge=10, le=600)
    """Seconds without a touch before the kiosk returns to its start screen."""
    public_url: str = ""
    """Base URL of the hub as seen from citizens' phones on the hall's Wi-Fi, used in the QR
    code and printed status links (``http://192.168.1.10:5000``). Empty: the address the kiosk
    was paired at, else this machine's LAN address and ``[server] port``; never a request's
    ``Host`` header."""
    offline_alert_min: int = Field(default=5, ge=1, le=1440)
    """A paired kiosk not heard from for this many minutes while the hall is open is an alert
    on the supervisor dashboard."""
    pair_code_min: int = Field(default=15, ge=1, le=1440)
    """Minutes a pairing code from ``loket kiosk pair`` stays valid (it works once)."""

    @field_validator("rate_limit", "paired_rate_limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        return _check_limit(value)

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_url(value)


class KioskDeviceSection(Section):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,32}$")
    """Kiosk id, given to the kiosk page as ``/kiosk?id=...`` (a paired kiosk's page knows
    its id from its pairing)."""
    name: str = ""
    """Where the kiosk stands, shown in alerts ("Pintu utama"); empty: the id."""
    printer: str = ""
    """ESC/POS printer: ``usb://VID:PID``, ``serial:///dev/ttyUSB0?baudrate=19200``,
    ``network://192.168.1.50:9100``, ``file:///dev/usb/lp0`` or ``dummy://``. Empty: the
    browser prints."""
    paper_width_mm: int = Field(default=80)
    """58 or 80."""
    agencies: list[str] = Field(default_factory=list)
    """Agencies this kiosk offers (names or ids); empty: all."""
    rate_limit: str = ""
    """Most tickets this kiosk may issue once paired (Flask-Limiter notation, "10 per
    minute"); empty: ``[kiosk] paired_rate_limit``."""

    @field_validator("rate_limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        return _check_limit(value)
