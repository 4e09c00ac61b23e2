"""``[[keypads]]``: serial ports with counter keypads (see docs/keypad-protocol.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from loket.server.config.base import Section


class KeypadPortSection(Section):
    port: str = Field(min_length=1)
    """A pyserial URL: ``/dev/ttyUSB0``, ``COM3``, ``hwgrep://VID:PID``, ``rfc2217://host:port``,
    ``socket://host:port`` or ``loop://``."""
    baudrate: int = Field(default=9600, ge=300, le=921600)
    """Line speed; keypads use 8N1."""
    dialect: Literal["loket", "ub485"] = "loket"
    """Wire format: "loket" (Loket keypad protocol v1) or "ub485" (QSystem RS-485 keypads)."""
    addresses: dict[str, str] = Field(min_length=1)
    """Keypad address on this port -> counter id, e.g. { "1" = "1", "2" = "2" }."""
    double_press_s: float = Field(default=2.0, ge=0.0, le=30.0)
    """A second NEXT from the same counter within this many seconds is ignored."""
    redirect: dict[str, str] = Field(default_factory=dict)
    """UB485 keypads: keypad address -> service prefix its redirect key (0x33) transfers to."""

    @field_validator("redirect")
    @classmethod
    def _redirect_prefixes(cls, value: dict[str, str]) -> dict[str, str]:
        return {address: prefix.strip().upper() for address, prefix in value.items()}

    @field_validator("addresses")
    @classmethod
    def _addresses_in_range(cls, value: dict[str, str]) -> dict[str, str]:
        for address in value:
            if not address.isdigit() or not 1 <= int(address) <= 99:
                raise ValueError(f"keypad address {address!r} must be a number from 1 to 99")
        return value
