"""Speech engines, fallback, the voice pack built through gTTS's real code with its HTTP
transport stubbed (never reaching Google), and the /audio routes."""

from __future__ import annotations

import base64
import io
import json
import wave
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from loket.audio import pcm
from loket.audio.announcement import Renderer
from loket.audio.engines import EspeakEngine, GttsEngine, PackEngine, Speaker, SpeechError
from loket.audio.pack import build_pack, check_pack
from loket.audio.phrases import Sentence, hall_fragments, sentence
from loket.server.commands import cli
from loket.server.config import LoketConfig
from loket.server.models import CallRecord

CALL = {"id": 1, "ticket": "A-012", "counter": "5", "counter_name": "Loket 5", "zone": "lantai-2",
        "recall": False}


def seconds(audio: bytes) -> float:
    return len(audio) / (pcm.RATE * pcm.WIDTH)


def test_espeak_speaks_indonesian() -> None:
    audio = EspeakEngine().speak(Sentence("Nomor antrean, A, dua belas.", ()))
    assert 1.0 < seconds(audio) < 6.0
    assert pcm.peak(audio) > 3000


def test_a_dead_engine_falls_back_to_the_next(tmp_path: Path) -> None:
    speaker = Speaker([PackEngine(tmp_path / "no-pack"), EspeakEngine("no-such-espeak"),
                       EspeakEngine()])
    audio, engine = speaker.speak(Sentence("satu", ("satu",)))
    assert engine == "espeak" and pcm.peak(audio) > 1000


def test_no_engine_at_all_still_plays_the_chime(config: LoketConfig, tmp_path: Path) -> None:
    renderer = Renderer(config, Speaker([EspeakEngine("no-such-espeak")]))
    audio = renderer.render(CALL)
    assert audio.startswith(pcm.chime())
    assert pcm.peak(audio[len(pcm.chime()):]) == 0


def test_pack_joins_fragments_in_order(config: LoketConfig, tmp_path: Path) -> None:
    espeak = EspeakEngine()
    said = sentence(CALL, config)
    clips = {}
    for fragment in set(said.fragments):
        clips[fragment] = espeak.speak(Sentence(fragment.replace("-", " "), ()))
        pcm.write_wav(tmp_path / f"{fragment}.wav", clips[fragment])
    audio = PackEngine(tmp_path).speak(said)
    positions = []
    start = 0
    for fragment in said.fragments:
        at = audio.find(clips[fragment], start)
        assert at >= start, fragment
        positions.append(at)
        start = at + len(clips[fragment])
    assert positions == sorted(positions)
    with pytest.raises(SpeechError):
        PackEngine(tmp_path).speak(Sentence("x", ("not-recorded",)))


def _gtts_response(audio: bytes, request: requests.PreparedRequest) -> requests.Response:
    """What Google's batchexecute endpoint answers: the audio base64 in a JSON-ish line."""
    payload = base64.b64encode(audio).decode()
    body = (")]}'\n\n" + f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null,null,null,"generic"]]\n')
    response = requests.Response()
    response.status_code = 200
    response._content = body.encode()
    response._content_consumed = True
    response.request = request
    return response


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stub gTTS's HTTP transport; returns the URLs it was asked for."""
    clip = pcm.to_wav(EspeakEngine().speak(Sentence("satu", ())))
    asked: list[str] = []

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        assert kwargs.get("timeout") is not None, "gTTS must always be called with a timeout"
        asked.append(str(request.url))
        return _gtts_response(clip, request)

    monkeypatch.setattr(requests.Session, "send", send)
    return asked


def test_voice_build_and_check(config: LoketConfig, tmp_path: Path, fake_google: list[str]) -> None:
    folder = tmp_path / "pack"
    manifest = build_pack(config, folder, timeout_s=3)
    needed = hall_fragments(config)
    assert set(manifest["fragments"]) == set(needed)
    assert len(fake_google) == len(needed)
    assert all("translate.google" in url for url in fake_google)
    written = json.loads((folder / "manifest.json").read_text())
    assert written["format"] == "loket-voice-pack/1" and written["language"] == "id"
    for name, entry in written["fragments"].items():
        with wave.open(str(folder / entry["file"])) as clip:
            assert clip.getframerate() == pcm.RATE and clip.getnframes() > 0, name
        assert entry["duration_s"] > 0.1
    assert check_pack(config, folder) == ([], [])
    (folder / "belas.wav").unlink()
    (folder / "dua.wav").write_bytes(b"")
    missing, unusable = check_pack(config, folder)
    assert missing == ["belas"] and [name for name, _ in unusable] == ["dua"]
    config_path = str(config.source)
    result = CliRunner().invoke(cli, ["voice", "check", str(folder), "--config", config_path])
    assert result.exit_code == 1 and "missing: belas.wav" in result.output


def test_gtts_failure_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        raise requests.ConnectionError("no route to Google")

    monkeypatch.setattr(requests.Session, "send", refuse)
    engine = GttsEngine(tmp_path / "cache", timeout_s=1)
    with pytest.raises(SpeechError):
        engine.speak(Sentence("Nomor antrean", ()))
    assert list((tmp_path / "cache").iterdir()) == []


def test_gtts_live_caches_by_text(tmp_path: Path, fake_google: list[str]) -> None:
    engine = GttsEngine(tmp_path / "cache", timeout_s=1)
    first = engine.speak(Sentence("Nomor antrean", ()))
    second = engine.speak(Sentence("Nomor antrean", ()))
    assert first == second and pcm.peak(first) > 1000
    assert len(fake_google) == 1


def test_say_text(config: LoketConfig) -> None:
    args = ["say", "A-012", "5", "--text", "--config", str(config.source)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Nomor antrean, A, dua belas, silakan menuju loket lima."


def test_audio_routes_serve_the_call(client: Any, hub: Any) -> None:
    chime = client.get("/audio/chime.wav")
    assert chime.status_code == 200 and chime.mimetype == "audio/wav"
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    with hub.db.read() as s:
        call_id = max(r.id for r in s.query(CallRecord))
    response = client.get(f"/audio/calls/{call_id}")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    with wave.open(io.BytesIO(response.data)) as clip:
        audio = clip.readframes(clip.getnframes())
    assert audio.startswith(pcm.chime())
    assert pcm.peak(audio[len(pcm.chime()):]) > 3000  # the sentence follows the chime
    assert client.get(f"/audio/calls/{call_id + 100}").status_code == 404
