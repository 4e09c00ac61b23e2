"""Announcer latency: from a call to the first audible sample, and voice-pack build cost.

chime start = time from `Announcer.submit(call)` to `Sound.play()` (the whole announcement,
chime and sentence, is rendered first and played as one buffer, so the sentence starts
exactly when the chime ends: 0 ms gap) + SDL's output buffer (512 frames at 22,050 Hz).
Runs with SDL's disk driver; the pack is built through gTTS's real code with its HTTP
transport answered locally by espeak-ng (Google is never contacted).

    python bench/audio_latency.py [--calls 50]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(config: Any, engines: list[str], calls: int) -> None:
    from loket.audio import pcm
    from loket.audio.player import Announcer, Output

    args = argparse.Namespace(calls=calls)
    cfg = config.model_copy(update={"audio": config.audio.model_copy(
        update={"engines": engines, "max_age_s": 600, "queue_size": 200})})
    played: dict[str, float] = {}
    submitted: dict[str, float] = {}

    class TimedOutput(Output):
        def play(self, audio: bytes) -> None:
            played[current[0]] = time.perf_counter()
            speech_start.append(len(pcm.chime()) / (pcm.RATE * pcm.WIDTH))
            super().play(audio[: pcm.RATE * pcm.WIDTH // 10])  # 0.1 s is enough to time

    current = [""]
    speech_start: list[float] = []
    announcer = Announcer(cfg, output=TimedOutput())
    announcer.start()
    time.sleep(0.5)
    for n in range(args.calls):
        ticket = f"A-{n + 1:03d}"
        current[0] = ticket
        call = {"id": n, "ticket": ticket, "counter": str(n % 12 + 1), "zone": "lantai-1",
                "counter_name": "", "recall": False}
        submitted[ticket] = time.perf_counter()
        announcer.submit(call)
        announcer.drain(30)
    announcer.stop()
    buffer_ms = 512 / pcm.RATE * 1000
    latencies = [(played[t] - submitted[t]) * 1000 + buffer_ms for t in submitted]
    print(f"engine={engines[0]:7s} calls={args.calls} chime start p50 "
          f"{statistics.median(latencies):.1f} ms p99 {percentile(latencies, 99):.1f} ms "
          f"max {max(latencies):.1f} ms; speech starts 0 ms after the chime ends "
          f"(one buffer; chime {speech_start[0]:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="loket-audio-bench-"))
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(work / "out.raw"))

    import requests

    from loket.audio import pcm
    from loket.audio.announcement import voice_pack_dir
    from loket.audio.engines import EspeakEngine
    from loket.audio.pack import build_pack
    from loket.audio.phrases import Sentence
    from loket.server.config import demo_config

    config = demo_config(work)

    def fake_send(self: Any, request: Any, **kwargs: Any) -> Any:
        from urllib.parse import parse_qs, unquote

        text = "satu"
        try:
            body = parse_qs(request.body)["f.req"][0]
            text = unquote(body).split('\\"')[1] or text
        except (KeyError, IndexError, TypeError):
            pass
        clip = pcm.to_wav(EspeakEngine().speak(Sentence(text, ())))
        payload = base64.b64encode(clip).decode()
        response = requests.Response()
        response.status_code = 200
        response._content = f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]"]]\n'.encode()
        response._content_consumed = True
        response.request = request
        return response

    requests.Session.send = fake_send  # type: ignore[method-assign]
    started = time.perf_counter()
    pack_dir = voice_pack_dir(config)
    manifest = build_pack(config, pack_dir, timeout_s=5)
    build_s = time.perf_counter() - started
    size = sum(p.stat().st_size for p in pack_dir.glob("*.wav"))

    for engines in (["pack"], ["espeak"]):
        measure(config, engines, args.calls)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    print(f"pack build: {len(manifest['fragments'])} fragments, {size / 1e6:.2f} MB WAV, "
          f"{build_s:.1f} s (local stand-in for Google; real gTTS adds ~0.3-1 s a fragment)")


if __name__ == "__main__":
    main()
