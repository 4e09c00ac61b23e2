"""Raw audio as Loket handles it: 16-bit signed mono PCM at 22,050 Hz (espeak-ng's own rate),
WAV files in and out, and the chime, synthesised here so no downloaded asset is needed."""

from __future__ import annotations

import io
import math
import os
import wave
from array import array
from pathlib import Path

RATE = 22050
WIDTH = 2
CHANNELS = 1


def silence(seconds: float) -> bytes:
    return bytes(int(RATE * seconds) * WIDTH)


def chime() -> bytes:
    """A soft two-tone "ding-dong" (E5 then C5, bell-like decay), about 1.2 s."""
    samples = array("h")
    for frequency, length in ((659.25, 0.55), (523.25, 0.75)):
        count = int(RATE * length)
        for i in range(count):
            t = i / RATE
            envelope = math.exp(-3.2 * t) * min(1.0, i / 220)
            value = (math.sin(2 * math.pi * frequency * t)
                     + 0.35 * math.sin(2 * math.pi * 2 * frequency * t)) / 1.35
            samples.append(int(12000 * envelope * value))
    return samples.tobytes() + silence(0.15)


def to_wav(pcm: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(WIDTH)
        out.setframerate(RATE)
        out.writeframes(pcm)
    return buffer.getvalue()


def write_wav(path: Path, pcm: bytes) -> None:
    """Write atomically, so a crash never leaves a half file in a cache or pack."""
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(to_wav(pcm))
    os.replace(tmp, path)


class FormatError(ValueError):
    """An audio file Loket cannot use; the message says why."""


def read_audio(path: Path) -> bytes:
    """PCM in Loket's format from a WAV (any rate or channels) or MP3 file."""
    if path.stat().st_size == 0:
        raise FormatError(f"{path} is empty")
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as source:
                params = source.getparams()
                frames = source.readframes(params.nframes)
        except (wave.Error, EOFError) as exc:
            raise FormatError(f"{path}: {exc}") from None
        if (params.framerate, params.sampwidth, params.nchannels) == (RATE, WIDTH, CHANNELS):
            return frames
    return _decode_with_pygame(path)


def _decode_with_pygame(path: Path) -> bytes:
    """MP3 and WAVs of other formats, converted by SDL to Loket's format."""
    import pygame

    if pygame.mixer.get_init() is None:
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.mixer.init(frequency=RATE, size=-16, channels=CHANNELS)
    if pygame.mixer.get_init() != (RATE, -16, CHANNELS):
        raise FormatError("the mixer runs in another format than Loket's")
    try:
        return bytes(pygame.mixer.Sound(str(path)).get_raw())
    except pygame.error as exc:
        raise FormatError(f"{path}: {exc}") from None


def peak(pcm: bytes) -> int:
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    return max((abs(s) for s in samples), default=0)


def trim(pcm: bytes, threshold: int = 300, keep_s: float = 0.02) -> bytes:
    """Cut leading and trailing near-silence (MP3 encoders add some), keeping a short margin."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    loud = [i for i in (0, len(samples) - 1) if samples]
    if not loud:
        return pcm
    start = next((i for i, s in enumerate(samples) if abs(s) > threshold), None)
    if start is None:
        return b""
    end = len(samples) - next(i for i, s in enumerate(reversed(samples)) if abs(s) > threshold)
    margin = int(RATE * keep_s)
    return samples[max(0, start - margin): min(len(samples), end + margin)].tobytes()
