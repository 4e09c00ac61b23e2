"""``[display]``: the wall screens."""

from __future__ import annotations

from pydantic import Field

from server.config.base import Section


class DisplaySection(Section):
    running_text: str = (
        "Selamat datang. Ambil nomor antrean di anjungan dan tunggu panggilan di layar."
    )
    """Default running text (teks berjalan); supervisors can change it live."""
    recent_calls: int = Field(default=8, ge=6, le=20)
    """How many recent calls the hall screen lists."""
    flash_seconds: float = Field(default=4.0, ge=1.0, le=20.0)
    """How long a new call flashes."""
    group_waiting_by: str = Field(default="service", pattern="^(service|agency)$")
    """Show waiting counts per "service" or per "agency"."""
