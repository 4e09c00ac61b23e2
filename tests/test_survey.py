"""The satisfaction survey API and page: codes, one response per ticket, IKM by API."""

from __future__ import annotations

from typing import Any

import pytest

from loket.server.auth import create_token
from tests.support.login import login

SCORES = [3, 3, 2, 4, 3, 3, 4, 2, 3]


def served_ticket(client: Any, hub: Any, service: str = "A", counter: str = "1") -> str:
    token = client.post("/api/tickets", json={"service": service}).get_json()["status_token"]
    hub.counter_action(counter, "next", actor="test")
    hub.counter_action(counter, "start", actor="test")  # served: START pressed
    return str(token)


def test_survey_codes(client: Any, hub: Any) -> None:
    token = served_ticket(client, hub)
    ok = client.post("/api/survey", json={"status_token": token, "scores": SCORES,
                                          "comment": "Antrean tertib, ruang tunggu panas."})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["ticket"] == "A-001"
    again = client.post("/api/survey", json={"status_token": token, "scores": SCORES})
    assert again.status_code == 409
    assert again.get_json()["error"] == "survey_done"


@pytest.mark.parametrize(
    "scores", [[3] * 8, [3] * 10, [0] + [3] * 8, [5] + [3] * 8, ["3"] * 9, [True] * 9, [3.5] * 9],
)
def test_bad_scores_are_400(client: Any, hub: Any, scores: list[Any]) -> None:
    token = served_ticket(client, hub)
    response = client.post("/api/survey", json={"status_token": token, "scores": scores})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"
    # Nothing was stored: a correct answer is still accepted.
    assert client.post("/api/survey", json={"status_token": token,
                                            "scores": SCORES}).status_code == 201


def test_unknown_token_unserved_ticket_and_bad_body(client: Any, hub: Any) -> None:
    assert client.post("/api/survey", json={"status_token": "nope", "scores": SCORES}
                       ).status_code == 404
    waiting = client.post("/api/tickets", json={"service": "C"}).get_json()["status_token"]
    response = client.post("/api/survey", json={"status_token": waiting, "scores": SCORES})
    assert response.status_code == 409 and response.get_json()["error"] == "survey_not_served"
    assert client.post("/api/survey", json={"scores": SCORES}).status_code == 400
    assert client.post("/api/survey", json={"status_token": waiting, "scores": SCORES,
                                            "extra": 1}).status_code == 400
    assert client.post("/api/survey", data="x").status_code == 400


def test_ikm_api_matches_hand_computation(client: Any, hub: Any) -> None:
    answers = [
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
        [4, 3, 3, 4, 3, 4, 4, 3, 3],
        [3, 3, 2, 4, 4, 3, 3, 3, 3],
    ]
    for scores in answers:
        token = served_ticket(client, hub)
        assert client.post("/api/survey", json={"status_token": token, "scores": scores}
                           ).status_code == 201
    other = served_ticket(client, hub, "C", "5")
    client.post("/api/survey", json={"status_token": other, "scores": [1] * 9})
    day = hub.day()
    assert client.get(f"/api/reports/ikm?from={day}&to={day}").status_code == 401
    token = create_token(hub.db, "script", "supervisor")
    auth = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/reports/ikm?from={day}&to={day}&service=A", headers=auth).get_json()
    # 86 points over 3 respondents x 9 elements: 2150/27 = 79.63 (B)
    assert body["ikm"] == 79.63 and body["grade"] == "B" and body["respondents"] == 3
    assert body["elements"] == [3.333, 3.0, 2.333, 4.0, 3.333, 3.333, 3.667, 2.667, 3.0]
    hall = client.get(f"/api/reports/ikm?from={day}&to={day}", headers=auth).get_json()
    # 86 + 9 = 95 points over 4 x 9: 95/36*25 = 65.972 -> 65.97 (C)
    assert (hall["ikm"], hall["grade"], hall["respondents"]) == (65.97, "C", 4)
    assert client.get("/api/reports/ikm?from=2026-13-01", headers=auth).status_code == 400
    assert client.get("/api/reports/ikm?service=Z", headers=auth).status_code == 404
    device = create_token(hub.db, "bridge", "device")
    assert client.get("/api/reports/ikm", headers={"Authorization": f"Bearer {device}"}
                      ).status_code == 403


def test_survey_page_lists_nine_elements(client: Any, hub: Any) -> None:
    token = served_ticket(client, hub)
    page = client.get(f"/survey?token={token}").get_data(as_text=True)
    assert "A-001" in page
    assert page.count('class="survey-q"') == 9
    assert "Penanganan pengaduan, saran dan masukan" in page
    assert "Sangat sesuai" in page and "Dikelola dengan baik" in page
    assert "<script>" not in page
    english = client.get(f"/survey?token={token}&lang=en").get_data(as_text=True)
    assert "Facilities and infrastructure" in english


def test_complaints_listed_and_marked_handled(client: Any, hub: Any) -> None:
    token = served_ticket(client, hub)
    client.post("/api/survey", json={"status_token": token, "scores": SCORES,
                                     "comment": "Petugas ramah, tetapi AC mati."})
    quiet = served_ticket(client, hub)
    client.post("/api/survey", json={"status_token": quiet, "scores": SCORES})
    csrf = login(client, hub)
    listed = client.get("/api/supervisor/complaints").get_json()["complaints"]
    assert [c["comment"] for c in listed] == ["Petugas ramah, tetapi AC mati."]
    complaint = listed[0]
    assert client.post(f"/api/supervisor/complaints/{complaint['id']}/handled",
                       json={"note": "AC diperbaiki"}).status_code == 400  # no CSRF header
    done = client.post(f"/api/supervisor/complaints/{complaint['id']}/handled",
                       json={"note": "AC diperbaiki"}, headers={"X-CSRFToken": csrf})
    assert done.status_code == 200 and done.get_json()["handled_by"] == "user:sup"
    assert client.get("/api/supervisor/complaints").get_json()["complaints"] == []
    everything = client.get("/api/supervisor/complaints?all=1").get_json()["complaints"]
    assert everything[0]["handled"] and everything[0]["handled_note"] == "AC diperbaiki"
    audit = client.get("/api/supervisor/audit").get_json()["entries"]
    assert audit[0]["action"] == "complaint:handled" and audit[0]["actor"] == "user:sup"
    again = client.post(f"/api/supervisor/complaints/{complaint['id']}/handled", json={},
                        headers={"X-CSRFToken": csrf})
    assert again.status_code == 409


def test_counter_tablet(client: Any, hub: Any) -> None:
    import re

    assert client.get("/survey?counter=1").status_code == 302  # the tablet must be signed in
    login(client, hub, "petugas1", "officer", counters=["1"])
    page = client.get("/survey?counter=1").get_data(as_text=True)
    assert 'id="survey-idle"' in page  # nobody served yet
    client.post("/api/tickets", json={"service": "A"})
    hub.counter_action("1", "next", actor="test")
    # Only called: the citizen may not come, so nothing to rate yet (issue 12).
    assert 'id="survey-idle"' in client.get("/survey?counter=1").get_data(as_text=True)
    hub.counter_action("1", "start", actor="test")
    page = client.get("/survey?counter=1").get_data(as_text=True)
    assert "A-001" in page
    signed = re.search(r'name="survey_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    hub.counter_action("1", "done", actor="test")
    # After service the tablet still offers the same ticket for a while.
    assert "A-001" in client.get("/survey?counter=1").get_data(as_text=True)
    tampered = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    assert client.post("/api/survey", json={"survey_token": tampered, "scores": SCORES}
                       ).status_code == 404
    assert client.post("/api/survey", json={"survey_token": signed, "scores": SCORES}
                       ).status_code == 201
    assert client.post("/api/survey", json={"survey_token": signed, "scores": SCORES}
                       ).status_code == 409
    assert 'id="survey-idle"' in client.get("/survey?counter=1").get_data(as_text=True)
    assert client.get("/survey?counter=9").status_code == 403


# ------------------------------------------------------------------ issue 12, item 4
def test_a_ticket_only_called_cannot_be_rated(client: Any, hub: Any) -> None:
    token = client.post("/api/tickets", json={"service": "A"}).get_json()["status_token"]
    hub.counter_action("1", "next", actor="test")
    called = client.post("/api/survey", json={"status_token": token, "scores": [4] * 9})
    assert called.status_code == 409 and called.get_json()["error"] == "survey_not_served"
    hub.counter_action("1", "start", actor="test")
    assert client.post("/api/survey", json={"status_token": token, "scores": [4] * 9}
                       ).status_code == 201


def test_a_no_show_counts_in_no_ikm_even_after_its_survey(client: Any, hub: Any) -> None:
    token = create_token(hub.db, "script", "supervisor")
    auth = {"Authorization": f"Bearer {token}"}
    day = hub.day()
    kept = served_ticket(client, hub)
    assert client.post("/api/survey", json={"status_token": kept, "scores": [2] * 9}
                       ).status_code == 201
    # Rated while being served, then skipped as a no-show: it drops out of every IKM.
    skipped = served_ticket(client, hub)
    assert client.post("/api/survey", json={"status_token": skipped, "scores": [4] * 9}
                       ).status_code == 201
    hub.counter_action("1", "skip", actor="test")
    body = client.get(f"/api/reports/ikm?from={day}&to={day}", headers=auth).get_json()
    assert body["respondents"] == 1 and body["ikm"] == 50.0
    per_service = client.get(f"/api/reports/ikm?from={day}&to={day}&service=A",
                             headers=auth).get_json()
    assert per_service["respondents"] == 1
    from loket.server.supervisor import dashboard

    assert dashboard.build(hub)["charts"]["ikm"]["hall"]["respondents"] == 1


def test_an_officers_tablet_cannot_rate_other_counters_tickets(client: Any, hub: Any) -> None:
    import re

    from loket.server.auth import add_user

    # Served at counter 5, by someone else.
    elsewhere = served_ticket(client, hub, "C", "5")
    add_user(hub.db, "petugas1", "kunci-rahasia-9", "officer", counters=["1"])
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "petugas1", "password": "kunci-rahasia-9",
                                "csrf_token": csrf})
    refused = client.post("/api/survey", json={"status_token": elsewhere, "scores": [4] * 9})
    assert refused.status_code == 403 and refused.get_json()["error"] == "survey_other_counter"
    # Its own counter's ticket, through the tablet's signed token, is accepted ...
    own = client.post("/api/tickets", json={"service": "A"}).get_json()["status_token"]
    hub.counter_action("1", "next", actor="test")
    hub.counter_action("1", "start", actor="test")
    page = client.get("/survey?counter=1").get_data(as_text=True)
    signed = re.search(r'name="survey_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/api/survey", json={"survey_token": signed, "scores": SCORES}
                       ).status_code == 201
    # ... and a citizen's own phone (no session) may still rate the other one.
    phone = client.application.test_client()
    assert phone.post("/api/survey", json={"status_token": elsewhere, "scores": SCORES}
                      ).status_code == 201
    assert own
