"""Building and checking voice packs: one WAV per fragment plus ``manifest.json``."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from loket.audio import pcm
from loket.audio.engines import GttsEngine, SpeechError
from loket.audio.phrases import hall_fragments
from loket.server.config import LoketConfig

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


def build_pack(config: LoketConfig, folder: Path, timeout_s: float = 10.0) -> dict[str, Any]:
    """Synthesise every fragment with gTTS into ``folder``; raises SpeechError on the first
    fragment that cannot be made (nothing half-written is left as a fragment)."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = GttsEngine(folder / ".mp3-cache", timeout_s)
    fragments: dict[str, Any] = {}
    for name, text in sorted(hall_fragments(config).items()):
        target = folder / f"{name}.wav"
        audio = pcm.trim(pcm.read_audio(engine.mp3(text, config.audio.language)))
        if not audio:
            raise SpeechError(f"gTTS gave silence for {text!r}")
        pcm.write_wav(target, audio)
        fragments[name] = {"text": text, "file": target.name,
                           "duration_s": round(len(audio) / (pcm.RATE * pcm.WIDTH), 3)}
    manifest = {"format": "loket-voice-pack/1", "language": config.audio.language,
                "engine": "gtts", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "rate": pcm.RATE, "fragments": fragments}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def check_pack(config: LoketConfig, folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Fragments missing from ``folder``, and files present but unusable (empty, broken)."""
    missing: list[str] = []
    unusable: list[tuple[str, str]] = []
    for name in sorted(hall_fragments(config)):
        path = next((folder / f"{name}{s}" for s in (".wav", ".mp3")
                     if (folder / f"{name}{s}").exists()), None)
        if path is None:
            missing.append(name)
            continue
        try:
            if not pcm.read_audio(path):
                unusable.append((name, "no audio"))
        except pcm.FormatError as exc:
            unusable.append((name, str(exc)))
    return missing, unusable
