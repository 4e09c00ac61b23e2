"""``[audio]``: the announcer that speaks calls over the hall's speakers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from loket.server.config.base import Section

Engine = Literal["pack", "gtts", "espeak"]
ENGINES: tuple[Engine, ...] = ("pack", "gtts", "espeak")


class AudioSection(Section):
    enabled: bool = True
    """Speak calls from inside `loket serve`. false: no speech from the hub (an announcer may
    still run on its own with `loket announcer`)."""
    zones: list[str] = Field(default_factory=list)
    """Zones whose calls this hub's speakers announce; empty means every zone."""
    engines: list[Engine] = Field(default_factory=lambda: list(ENGINES))
    """Speech engines in the order tried: a voice pack, Google's gTTS (needs internet), and
    espeak-ng (offline)."""
    voice_pack: str = ""
    """Folder of a voice pack (built with `loket voice build` or recorded by the hall); relative
    to the config file. Empty: ``voice-pack`` beside the database."""
    gtts_live: bool = False
    """Synthesise whole sentences with gTTS at call time (cached on disk), falling back to the
    pack when the network fails."""
    gtts_timeout_s: float = Field(default=2.0, gt=0.0, le=30.0)
    """Longest wait for Google's TTS service before falling back."""
    language: str = "id"
    """Language of the announcement."""
    second_language: Literal["", "en"] = ""
    """Optional second language said after the Indonesian sentence."""
    template: str = "Nomor antrean, {ticket}, silakan menuju {counter}."
    """Sentence said for a call; {ticket} is the spoken ticket and {counter} the counter's
    spoken name."""
    recall_template: str = "Panggilan ulang. Nomor antrean, {ticket}, silakan menuju {counter}."
    """Sentence said for a recall."""
    repeat: int = Field(default=1, ge=1, le=3)
    """How many times each announcement is said."""
    max_age_s: float = Field(default=60.0, ge=5.0, le=600.0)
    """An announcement still waiting after this many seconds is dropped (the display keeps it)."""
    queue_size: int = Field(default=20, ge=1, le=200)
    """Most announcements waiting to be spoken."""
    chime: bool = True
    """Play a chime before each announcement."""
    device: str = ""
    """SDL audio output device name; empty: the system default."""
    volume: float = Field(default=1.0, ge=0.0, le=1.0)
    """Playback volume, 0.0 to 1.0."""
