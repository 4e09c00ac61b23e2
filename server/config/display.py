"""``[display]``: the wall screens."""

from __future__ import annotations

from pydantic import Field

from loket.server.config.base import Section


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
    layout: str = Field(default="auto", pattern="^(auto|calls|media|portrait)$")
    """Hall screen layout: "calls" (calls only), "media" (calls beside the playlist's media
    area), "portrait" (vertical TVs) or "auto" (portrait on a vertical screen, else media when
    the screen's group has a playlist, else calls). A screen may ask with `?layout=`."""
    media_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024 * 1024)
    """Largest image or video a supervisor may upload to the media library (bytes)."""
    media_sound: bool = False
    """Play the sound of playlist videos (off by default; always muted during calls)."""
