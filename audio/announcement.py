"""From a call event to the audio of its announcement: chime, sentence (repeated), and the
optional second language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from loket.audio import pcm
from loket.audio.engines import EspeakEngine, GttsEngine, PackEngine, Speaker, SpeechError
from loket.audio.phrases import english_sentence, sentence
from loket.server.config import LoketConfig

log = logging.getLogger(__name__)
PAUSE_S = 0.35


def voice_pack_dir(config: LoketConfig) -> Path:
    return config.resolve(config.audio.voice_pack or "voice-pack")


def build_speaker(config: LoketConfig) -> Speaker:
    engines: list[Any] = []
    for name in config.audio.engines:
        if name == "pack":
            engines.append(PackEngine(voice_pack_dir(config)))
        elif name == "gtts" and config.audio.gtts_live:
            engines.append(GttsEngine(config.base_dir / "tts-cache", config.audio.gtts_timeout_s))
        elif name == "espeak":
            engines.append(EspeakEngine())
    return Speaker(engines)


class Renderer:
    """Makes the audio of a call; shared by the hub's speakers and the displays' sound."""

    def __init__(self, config: LoketConfig, speaker: Speaker | None = None) -> None:
        self.config = config
        self.speaker = speaker or build_speaker(config)
        self.chime = pcm.chime()

    def speech(self, call: Mapping[str, Any]) -> bytes:
        """The spoken part (repeated, with the second language); empty when no engine works."""
        pause = pcm.silence(PAUSE_S)
        parts: list[bytes] = []
        try:
            said, _engine = self.speaker.speak(sentence(call, self.config))
            parts.extend([said] * self.config.audio.repeat)
            if self.config.audio.second_language == "en":
                english, _ = self.speaker.speak(english_sentence(call))
                parts.append(english)
        except SpeechError as exc:
            log.error("no engine could say %s (%s): the chime plays alone", call.get("ticket"), exc)
        return pause.join(parts)

    def render(self, call: Mapping[str, Any]) -> bytes:
        speech = self.speech(call)
        lead = self.chime if self.config.audio.chime or not speech else b""
        return lead + speech + pcm.silence(0.2)
