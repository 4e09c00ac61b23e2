"""The announcer through pygame with SDL's disk audio driver: the samples that really came
out are read back. SDL's mixer is process-global, so each run is its own process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from loket.audio import pcm
from loket.audio.announcement import Renderer
from loket.audio.player import Announcer
from loket.server.config import LoketConfig, load_config
from tests.support.hall import ROOT, SMALL_HALL

SHORT = SMALL_HALL.replace(
    "[audio]\nenabled = false",
    '[audio]\nenabled = true\nengines = ["espeak"]\ntemplate = "{ticket}, {counter}."\n'
    'recall_template = "Ulang. {ticket}, {counter}."',
)

PLAYER = textwrap.dedent(
    """
    import json, sys
    from loket.audio.player import Announcer
    from loket.server.config import load_config
    config = load_config(sys.argv[1])
    calls = json.loads(sys.argv[2])
    played = []
    announcer = Announcer(config, on_played=lambda call: played.append(call["ticket"]))
    for call in calls:
        announcer.submit(call)
    announcer.start()
    assert announcer.drain(60), "announcements did not finish"
    announcer.stop()
    announcer.output.close()
    print(json.dumps({"played": played, "stats": dict(announcer.stats)}))
    """
)


def call(ticket: str, counter: str, recall: bool = False, zone: str = "lantai-1") -> dict[str, Any]:
    return {"id": 1, "ticket": ticket, "counter": counter, "counter_name": f"Loket {counter}",
            "zone": zone, "recall": recall}


def play(config_path: Path, calls: list[dict[str, Any]], out: Path) -> dict[str, Any]:
    env = {"SDL_AUDIODRIVER": "disk", "SDL_DISKAUDIOFILE": str(out), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", PLAYER, str(config_path), json.dumps(calls)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.hardware
@pytest.mark.slow
def test_announcements_come_out_in_order_without_overlap(write_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config_path = write_config(SHORT)
    config = load_config(config_path)
    calls = [call("A-001", "1"), call("B-002", "2"), call("A-001", "1", recall=True),
             call("C-003", "5", zone="lantai-2")]
    out = tmp_path / "speakers.raw"
    result = play(config_path, calls, out)
    assert result["played"] == ["A-001", "B-002", "C-003"]  # the waiting recall is not doubled
    assert result["stats"]["recall_merged"] == 1
    raw = out.read_bytes()
    renderer = Renderer(config)
    start = 0
    chime = pcm.chime()
    for expected in (calls[0], calls[1], calls[3]):
        audio = renderer.render(expected)
        at = raw.find(audio[: len(chime) + 8000], start)  # chime and the sentence's start, exact
        assert at >= start, f"{expected['ticket']} not found after byte {start}"
        speech = audio[len(chime):]
        assert seconds(speech) > 0.8 and pcm.peak(speech) > 3000
        start = at + len(audio) - 8000  # the next one only begins after this one ended
    assert raw.count(chime[4000:8000]) == 3


def seconds(audio: bytes) -> float:
    return len(audio) / (pcm.RATE * pcm.WIDTH)


class RecordingOutput:
    """Stands in for the speakers in queue-logic tests (the real output is tested above)."""

    def __init__(self) -> None:
        self.played: list[int] = []

    def open(self) -> None:
        pass

    def play(self, audio: bytes) -> None:
        self.played.append(len(audio))


class QuietRenderer(Renderer):
    def render(self, call: dict[str, Any]) -> bytes:
        return pcm.silence(0.01)


def test_old_announcements_are_dropped_and_the_queue_is_bounded(config: LoketConfig) -> None:
    output = RecordingOutput()
    played: list[str] = []
    announcer = Announcer(config, QuietRenderer(config), output,  # type: ignore[arg-type]
                          on_played=lambda c: played.append(c["ticket"]))
    for n in range(config.audio.queue_size + 3):
        announcer.submit(call(f"A-{n:03d}", "1"))
    announcer._items[0].queued -= config.audio.max_age_s + 1
    announcer.start()
    assert announcer.drain(10)
    announcer.stop()
    assert announcer.stats["dropped_full"] == 3
    assert announcer.stats["dropped_old"] == 1
    assert played == [f"A-{n:03d}" for n in range(4, config.audio.queue_size + 3)]


def test_zones_filter(write_config) -> None:  # type: ignore[no-untyped-def]
    text = SHORT.replace("enabled = true", 'enabled = true\nzones = ["lantai-2"]')
    config = load_config(write_config(text))
    announcer = Announcer(config, QuietRenderer(config), RecordingOutput())  # type: ignore[arg-type]
    assert not announcer.submit(call("A-001", "1", zone="lantai-1"))
    assert announcer.submit(call("C-001", "5", zone="lantai-2"))
