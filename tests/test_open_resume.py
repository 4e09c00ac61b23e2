"""OPEN and RESUME share one handler: both open the counter again from a break or from closed,
keep a ticket being served, and stay two actions to the outside: who may press them (OPEN is
a supervisor's), the ``counter`` event's actor and the audit (``counter:open`` and
``counter:resume`` for a supervisor's press, nothing for an officer's)."""

from __future__ import annotations

from typing import Any

import pytest

from loket.server.events import Event
from tests.support.login import login


def audited(client: Any) -> list[tuple[str, str, str]]:
    entries = client.get("/api/supervisor/audit?limit=50").get_json()["entries"]
    return [(e["actor"], e["action"], e["target"]) for e in reversed(entries)]


@pytest.mark.parametrize("action", ["open", "resume"])
@pytest.mark.parametrize("paused_by", ["break", "close"])
def test_open_and_resume_open_a_paused_counter_and_are_audited_by_name(
    client: Any, hub: Any, action: str, paused_by: str
) -> None:
    csrf = {"X-CSRFToken": login(client, hub)}
    assert client.post("/api/tickets", json={"service": "A"}).status_code == 201
    assert client.post(f"/api/counters/1/{paused_by}", headers=csrf).status_code == 200
    seen: list[Event] = []
    hub.events.subscribe(seen.append, {"counter"})
    answer = client.post(f"/api/counters/1/{action}", headers=csrf)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "idle" and answer.get_json()["open"] is True
    assert [(e.data["status"], e.data["actor"]) for e in seen] == [("idle", "user:sup")]
    assert audited(client)[-2:] == [("user:sup", f"counter:{paused_by}", "1"),
                                    ("user:sup", f"counter:{action}", "1")]
    assert client.post("/api/counters/1/next", headers=csrf).get_json()["called"] == "A-001"


@pytest.mark.parametrize("action", ["open", "resume"])
def test_open_and_resume_keep_the_ticket_being_served(
    client: Any, hub: Any, action: str
) -> None:
    csrf = {"X-CSRFToken": login(client, hub)}
    client.post("/api/tickets", json={"service": "A"})
    assert client.post("/api/counters/1/next", headers=csrf).get_json()["called"] == "A-001"
    answer = client.post(f"/api/counters/1/{action}", headers=csrf).get_json()
    assert (answer["status"], answer["ticket"], answer["ticket_status"]) == (
        "serving", "A-001", "called")


def test_an_officer_resumes_unaudited_but_may_not_open(client: Any, hub: Any) -> None:
    csrf = {"X-CSRFToken": login(client, hub, "petugas", "officer", ["1"])}
    assert client.post("/api/counters/1/break", headers=csrf).status_code == 200
    refused = client.post("/api/counters/1/open", headers=csrf)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert hub.counter_state("1")["status"] == "break"
    assert client.post("/api/counters/1/resume", headers=csrf).get_json()["status"] == "idle"
    client.post("/logout", headers=csrf)
    login(client, hub, "sup", "supervisor")
    assert not [entry for entry in audited(client) if entry[1].startswith("counter:")]
