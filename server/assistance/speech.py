"""Spoken guidance for the kiosk's accessible mode ("Mode mudah"): each screen's short prompt
and the ticket's number and where to wait, rendered to WAV by the hall's own speech engines
(:func:`loket.audio.announcement.build_speaker`: voice pack, then gTTS if allowed, then espeak-ng
offline) and cached on disk.

Nothing here speaks text a client sends: a prompt is one of :data:`PROMPTS` (its words come
from the message catalogue), and a ticket's sentence is built from the ticket a status token
names. So the endpoint cannot be used as a free text-to-speech service."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loket.audio import pcm
from loket.audio.announcement import build_speaker
from loket.audio.engines import Speaker, SpeechError
from loket.audio.phrases import Sentence, ticket_words
from loket.server.i18n import translate

if TYPE_CHECKING:
    from loket.server.config import LoketConfig

log = logging.getLogger(__name__)
PROMPTS = ("agency", "service", "confirm", "ticket", "help", "help_sent", "idle", "easy_on",
           "booked")
"""Prompt keys the kiosk may ask for; their words are ``speak.<key>`` in the catalogue."""
_lock = threading.Lock()


class Voice:
    """The hall's speaker plus a disk cache of rendered prompts (by text and language)."""

    def __init__(self, config: LoketConfig, speaker: Speaker | None = None) -> None:
        self.config = config
        self.speaker = speaker or build_speaker(config)
        self.cache = config.base_dir / "audio-cache" / "prompts"

    def _say(self, sentences: list[Sentence]) -> bytes:
        parts = []
        for sentence in sentences:
            try:
                said, _engine = self.speaker.speak(sentence)
            except SpeechError as exc:
                log.error("no engine could say the kiosk prompt %r: %s", sentence.text, exc)
                continue
            parts.append(said)
        return pcm.silence(0.15).join(parts)

    def wav(self, sentences: list[Sentence]) -> bytes:
        """The WAV of ``sentences`` (from the cache when said before); silence if no engine
        works, so the page's audio element never errors."""
        key = hashlib.sha256("\n".join(f"{s.language}|{s.text}" for s in sentences).encode())
        path = self.cache / f"{key.hexdigest()[:32]}.wav"
        if not path.is_file():
            with _lock:
                if not path.is_file():
                    speech = self._say(sentences)
                    if not speech:
                        return pcm.to_wav(pcm.silence(0.3))  # not cached: try again later
                    self.cache.mkdir(parents=True, exist_ok=True)
                    pcm.write_wav(path, pcm.silence(0.1) + speech + pcm.silence(0.2))
        return Path(path).read_bytes()


def prompt_sentences(key: str, lang: str) -> list[Sentence]:
    if key not in PROMPTS:
        raise KeyError(key)
    return [Sentence(translate(f"speak.{key}", lang), (), lang)]


def zone_words(zone: str) -> str:
    return " ".join(zone.replace("-", " ").replace("_", " ").split())


def ticket_sentences(config: LoketConfig, status: Mapping[str, Any], lang: str) -> list[Sentence]:
    """"Nomor antrean Anda, A, dua. Silakan menunggu di ruang tunggu lantai 1." The number
    goes through the voice pack's fragments when it has them."""
    label = str(status.get("ticket", ""))
    service = str(status.get("service", ""))
    zones = sorted({c.zone for c in config.counters if service in c.services})
    where = ", ".join(zone_words(z) for z in zones if z)
    if lang == "id":
        number_text, fragments = ticket_words(label)
        number = Sentence(f"{translate('speak.your_number', lang)}, {number_text}.",
                          ("nomor-antrean", *fragments), "id")
    else:
        number = Sentence(f"{translate('speak.your_number', lang)} {label.replace('-', ' ')}.",
                          (), lang)
    wait = translate("speak.wait_at", lang, where=where) if where \
        else translate("speak.wait", lang)
    return [number, Sentence(wait, (), lang)]
