"""Help on request (issue 19): ``POST /api/assistance`` -> an alert on the supervisor dashboard
and an ``assistance`` push to the officer panels of the right zone until someone takes it;
a ticket marked for help tells its officer at the call; the report counts requests and
response times; the kiosk's spoken prompts come from the hall's voice, for fixed keys only."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loket.audio import pcm
from loket.server.extensions import socketio
from tests.support.hall import SMALL_HALL
from tests.support.login import login

KIOSKS = """
[[kiosks]]
id = "pintu"

[[kiosks]]
id = "imigrasi"
agencies = ["Imigrasi"]
"""


@pytest.fixture
def config(write_config: Callable[..., Path]) -> Any:
    from loket.server.config import load_config

    return load_config(write_config(SMALL_HALL, KIOSKS))


def _alerts(client: Any) -> list[dict[str, Any]]:
    data = client.get("/api/supervisor/dashboard").get_json()
    return [a for a in data["alerts"] if a["kind"] == "assistance"]


def test_request_alert_taken_and_audited(app: Any, client: Any, hub: Any) -> None:
    created = client.post("/api/assistance", json={"kiosk": "pintu", "where": "Di anjungan ini"})
    assert created.status_code == 201
    request_id = created.get_json()["id"]
    assert isinstance(request_id, int)
    again = client.post("/api/assistance", json={"kiosk": "pintu", "where": "Di anjungan ini"})
    assert again.status_code == 201 and again.get_json()["id"] == request_id  # no duplicate

    token = login(client, hub)
    alerts = _alerts(client)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["id"] == request_id and alert["where"] == "Di anjungan ini"
    assert alert["at"] and alert["kiosk"] == "pintu"
    assert "butuh bantuan" in alert["text"]

    no_csrf = client.post(f"/api/supervisor/assistance/{request_id}/taken")
    assert no_csrf.status_code == 400
    taken = client.post(f"/api/supervisor/assistance/{request_id}/taken",
                        headers={"X-CSRFToken": token})
    assert taken.status_code == 200 and taken.get_json()["taken"] is True
    assert _alerts(client) == []
    twice = client.post(f"/api/supervisor/assistance/{request_id}/taken",
                        headers={"X-CSRFToken": token})
    assert twice.status_code == 409 and twice.get_json()["error"] == "assistance_taken"
    missing = client.post("/api/supervisor/assistance/999/taken", headers={"X-CSRFToken": token})
    assert missing.status_code == 404
    audit = client.get("/api/supervisor/dashboard").get_json()["audit"]
    actions = [(a["action"], a["target"]) for a in audit]
    assert ("assistance:taken", str(request_id)) in actions
    assert ("assistance:request", str(request_id)) in actions

    report = client.get("/api/reports?dimension=service").get_json()
    assert report["assistance"]["requests"] == 1 and report["assistance"]["taken"] == 1
    assert report["assistance"]["avg_response_s"] is not None


def test_taken_needs_staff(client: Any) -> None:
    request_id = client.post("/api/assistance", json={}).get_json()["id"]
    assert client.post(f"/api/supervisor/assistance/{request_id}/taken").status_code == 401
    assert client.get("/api/assistance").status_code == 401


@pytest.mark.parametrize("body", [
    {"where": "x" * 81},
    {"where": 5},
    {"where": "Di\u0000pintu"},
    '{"where": "\\ud800"}',
    {"kiosk": "tidak-ada"},
    {"kiosk": 7},
    {"status_token": "A-001"},
    {"status_token": "x" * 24},
    {"on_call": True},
    {"priority": True},
    ["where"],
])
def test_bad_input_is_400(client: Any, body: Any) -> None:
    if isinstance(body, str):  # raw JSON text (a lone surrogate cannot be encoded here)
        response = client.post("/api/assistance", data=body, content_type="application/json")
    else:
        response = client.post("/api/assistance", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == "bad_request"
    assert response.get_json()["message"].startswith("Permintaan tidak valid")


def test_not_json_is_400(client: Any) -> None:
    response = client.post("/api/assistance", data="where=pintu")
    assert response.status_code == 400


def test_rate_limited_per_address(client: Any) -> None:
    codes = [client.post("/api/assistance", json={"where": f"tempat {i}"}).status_code
             for i in range(6)]
    assert codes[:4] == [201] * 4
    assert codes[-1] == 429


def test_officers_of_the_right_zone_are_told_and_the_call_says_fetch(
    app: Any, client: Any, hub: Any,
) -> None:
    login_client = app.test_client()
    login(login_client, hub, "sup2")
    floor1 = socketio.test_client(app, namespace="/counter", auth={"counter": "1"},
                                  flask_test_client=login_client)
    floor2 = socketio.test_client(app, namespace="/counter", auth={"counter": "5"},
                                  flask_test_client=login_client)
    dashboard = socketio.test_client(app, namespace="/supervisor",
                                     flask_test_client=login_client)
    assert floor1.is_connected("/counter") and floor2.is_connected("/counter")
    floor1.get_received("/counter")
    floor2.get_received("/counter")
    dashboard.get_received("/supervisor")

    # The Imigrasi kiosk: passports are served on lantai-2 only (counter 5).
    client.post("/api/assistance", json={"kiosk": "imigrasi", "where": "Di pintu masuk"})
    one = [r for r in floor1.get_received("/counter") if r["name"] == "assistance"]
    two = [r for r in floor2.get_received("/counter") if r["name"] == "assistance"]
    sup = [r for r in dashboard.get_received("/supervisor") if r["name"] == "assistance"]
    assert one == []
    assert two and two[0]["args"][0]["action"] == "open"
    assert two[0]["args"][0]["where"] == "Di pintu masuk"
    assert sup and sup[0]["args"][0]["action"] == "open"

    # A ticket marked for help at its call: no alert now, the call tells counter 5.
    ticket = client.post("/api/tickets", json={"service": "C"}).get_json()
    marked = client.post("/api/assistance", json={"status_token": ticket["status_token"],
                                                  "where": "Di ruang tunggu", "on_call": True})
    assert marked.status_code == 201
    assert [a["ticket"] for a in _alerts(login_client)] == [None]
    hub.counter_action("5", "next", actor="keypad")
    fetch = [r["args"][0] for r in floor2.get_received("/counter")
             if r["name"] == "assistance"]
    assert fetch and fetch[-1]["action"] == "fetch"
    assert fetch[-1]["ticket"] == ticket["ticket"] and fetch[-1]["where"] == "Di ruang tunggu"
    assert not [r for r in floor1.get_received("/counter") if r["name"] == "assistance"]

    officer_list = login_client.get("/api/assistance?counter=1").get_json()["requests"]
    assert officer_list == []  # the kiosk's request was for lantai-2
    assert len(login_client.get("/api/assistance?counter=5").get_json()["requests"]) == 1
    floor1.disconnect("/counter")
    floor2.disconnect("/counter")
    dashboard.disconnect("/supervisor")


def _wav_peak(data: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(data), "rb") as w:
        frames = w.readframes(w.getnframes())
        return w.getnframes() / w.getframerate(), pcm.peak(frames)


def test_spoken_prompts_fixed_keys_only(client: Any, hub: Any) -> None:
    response = client.get("/kiosk/speech/agency.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    seconds, peak = _wav_peak(response.data)
    assert seconds > 0.5 and peak > 2000  # espeak-ng really said something
    assert client.get("/kiosk/speech/halo-dunia.wav").status_code == 404
    assert client.get("/kiosk/speech/agency.wav?text=halo").data == response.data
    cached = list((hub.config.base_dir / "audio-cache" / "prompts").glob("*.wav"))
    assert len(cached) == 1
    ticket = client.post("/api/tickets", json={"service": "A"}).get_json()
    spoken = client.get(f"/kiosk/speech/ticket/{ticket['status_token']}.wav")
    seconds, peak = _wav_peak(spoken.data)
    assert spoken.status_code == 200 and seconds > 1.5 and peak > 2000
    assert client.get("/kiosk/speech/ticket/" + "x" * 24 + ".wav").status_code == 404
