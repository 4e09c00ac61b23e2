"""Speech engines behind one small interface, tried in the configured order:

* ``pack``: a voice pack, a folder of one recording per fragment (built by `loket voice build`
  or recorded by the hall), joined at call time with no network and no wait;
* ``gtts``: Google's TTS for the whole sentence, cached on disk by text and language, always
  with a timeout (it hangs for ever on a silently dropped connection otherwise);
* ``espeak``: espeak-ng, offline, Indonesian voice.

A failing engine is logged and the next one tried; if all fail the chime still plays."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import wave
from io import BytesIO
from pathlib import Path
from typing import ClassVar, Protocol

from loket.audio import pcm
from loket.audio.phrases import Sentence

log = logging.getLogger(__name__)
FRAGMENT_GAP_S = 0.04


class SpeechError(Exception):
    """An engine could not say a sentence."""


class Engine(Protocol):
    name: str

    def speak(self, sentence: Sentence) -> bytes:
        """PCM in Loket's format (see :mod:`loket.audio.pcm`), or SpeechError."""
        ...


class PackEngine:
    name = "pack"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, bytes] = {}

    def file_for(self, fragment: str) -> Path | None:
        for suffix in (".wav", ".mp3"):
            path = self.folder / f"{fragment}{suffix}"
            if path.is_file() and path.stat().st_size > 0:
                return path
        return None

    def fragment(self, fragment: str) -> bytes:
        if fragment not in self._cache:
            path = self.file_for(fragment)
            if path is None:
                raise SpeechError(f"voice pack {self.folder} has no fragment {fragment!r}")
            try:
                self._cache[fragment] = pcm.read_audio(path)
            except pcm.FormatError as exc:
                raise SpeechError(str(exc)) from None
        return self._cache[fragment]

    def speak(self, sentence: Sentence) -> bytes:
        if sentence.language != "id" or not sentence.fragments:
            raise SpeechError("the voice pack speaks only Indonesian fragments")
        gap = pcm.silence(FRAGMENT_GAP_S)
        return gap.join(self.fragment(f) for f in sentence.fragments)


class EspeakEngine:
    name = "espeak"
    VOICES: ClassVar[dict[str, str]] = {"id": "id", "en": "en-gb"}

    def __init__(self, executable: str = "espeak-ng", timeout_s: float = 10.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s

    def speak(self, sentence: Sentence) -> bytes:
        if shutil.which(self.executable) is None:
            raise SpeechError(f"{self.executable} is not installed")
        voice = self.VOICES.get(sentence.language, sentence.language)
        try:
            result = subprocess.run(
                [self.executable, "-v", voice, "-s", "150", "--stdout", sentence.text],
                capture_output=True, timeout=self.timeout_s, check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise SpeechError(f"espeak-ng failed: {exc}") from None
        try:
            with wave.open(BytesIO(result.stdout), "rb") as source:
                params = source.getparams()
                frames = source.readframes(params.nframes)
        except (wave.Error, EOFError) as exc:
            raise SpeechError(f"espeak-ng gave no WAV: {exc}") from None
        if (params.framerate, params.sampwidth, params.nchannels) != (pcm.RATE, pcm.WIDTH, 1):
            raise SpeechError(f"espeak-ng gave {params.framerate} Hz, expected {pcm.RATE}")
        return frames


class GttsEngine:
    """Whole sentences from gTTS, cached as MP3 by text and language."""

    name = "gtts"

    def __init__(self, cache_dir: Path, timeout_s: float = 2.0) -> None:
        self.cache_dir = cache_dir
        self.timeout_s = timeout_s

    def mp3(self, text: str, language: str) -> Path:
        """The MP3 of ``text``, from the cache or from Google; never caches a failure."""
        key = hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:32]
        path = self.cache_dir / f"{key}.mp3"
        if path.is_file() and path.stat().st_size > 0:
            return path
        from gtts import gTTS
        from gtts.tts import gTTSError

        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".mp3", dir=self.cache_dir)
        os.close(fd)
        try:
            gTTS(text, lang=language, lang_check=False, timeout=self.timeout_s).save(tmp)
            if os.path.getsize(tmp) == 0:
                raise SpeechError("gTTS returned no audio")
            os.replace(tmp, path)
        except (gTTSError, OSError, ValueError) as exc:
            raise SpeechError(f"gTTS failed: {exc}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def speak(self, sentence: Sentence) -> bytes:
        try:
            return pcm.trim(pcm.read_audio(self.mp3(sentence.text, sentence.language)))
        except pcm.FormatError as exc:
            raise SpeechError(str(exc)) from None


class Speaker:
    """The configured engines in order, with fallback."""

    def __init__(self, engines: list[Engine]) -> None:
        self.engines = engines
        self._failing: set[str] = set()

    def speak(self, sentence: Sentence) -> tuple[bytes, str]:
        """PCM and the name of the engine that said it; SpeechError if none could."""
        reasons = []
        for engine in self.engines:
            try:
                audio = engine.speak(sentence)
            except SpeechError as exc:
                reasons.append(f"{engine.name}: {exc}")
                if engine.name not in self._failing:
                    self._failing.add(engine.name)
                    log.warning("speech engine %s failed, trying the next: %s", engine.name, exc)
                continue
            except Exception as exc:  # an engine bug must not silence the hall
                reasons.append(f"{engine.name}: {exc!r}")
                log.exception("speech engine %s crashed", engine.name)
                continue
            if engine.name in self._failing:
                self._failing.discard(engine.name)
                log.info("speech engine %s works again", engine.name)
            return audio, engine.name
        raise SpeechError("; ".join(reasons) or "no speech engine configured")
