"""The officers' workflow at the hub and the HTTP API: NEXT during a break is refused
(``409 on_break``), CALL of a given number, BRING_BACK of a skipped citizen (both audited and
never calling one ticket to two counters), and the priority flag of calls in ``/api/state``."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import select

from loket.counter_panel.bridge import keypad_error
from loket.server.counter_actions import parse_label
from loket.server.errors import HubError
from loket.server.models import AuditEntry, CallRecord, Ticket


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def status_of(hub: Any, label: str) -> tuple[str, str | None]:
    with hub.db.read() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.label == label)).one()
        return ticket.status, ticket.counter_id


def audit(hub: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    with hub.db.read() as s:
        return [(a.actor, a.action, a.target, json.loads(a.detail) if a.detail else {})
                for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def refused(call: Any) -> HubError:
    with pytest.raises(HubError) as info:
        call()
    return info.value


# ------------------------------------------------------------------ NEXT during a break
def test_next_during_a_break_is_refused_and_keeps_the_break(hub: Any) -> None:
    hub.issue_ticket("A")
    hub.counter_action("1", "break")
    error = refused(lambda: hub.counter_action("1", "next"))
    assert (error.code, error.status) == ("on_break", 409)
    assert "istirahat" in error.message("id") and "break" in error.message("en")
    assert hub.counter_state("1")["status"] == "break"
    assert status_of(hub, "A-001") == ("waiting", None)
    # a given number cannot be called during a break either
    assert refused(lambda: hub.counter_action("1", "call", ticket="A-001")).code == "on_break"
    hub.counter_action("1", "resume")
    assert hub.counter_action("1", "next")["ticket"] == "A-001"
    assert keypad_error("on_break") == "BREAK"


def test_api_answers_409_on_break(client: Any, hub: Any, device_token: str) -> None:
    hub.issue_ticket("A")
    assert client.post("/api/counters/1/break", headers=bearer(device_token)).status_code == 200
    response = client.post("/api/counters/1/next", headers=bearer(device_token))
    assert response.status_code == 409
    assert response.json["error"] == "on_break"
    assert "Loket 1" in response.json["message"]
    assert hub.counter_state("1")["status"] == "break"


# ------------------------------------------------------------------ CALL a given number
def test_parse_label() -> None:
    assert parse_label("a-12") == "A-012"
    assert parse_label(" A012 ") == "A-012"
    assert parse_label("AB-7") == "AB-007"
    assert parse_label("A-0012") == "A-012"
    for bad in ("", "12", "A-", "A-1234", "A_12", "ABC-1", "x" * 40):
        assert parse_label(bad) is None, bad


def test_call_a_given_waiting_number(hub: Any) -> None:
    for _ in range(3):
        hub.issue_ticket("A")
    hub.issue_ticket("C")
    seen: list[Any] = []
    hub.events.subscribe(seen.append)
    state = hub.counter_action("1", "call", actor="user:siti", ticket="a-3")
    assert (state["ticket"], state["called"], state["status"]) == ("A-003", "A-003", "serving")
    assert status_of(hub, "A-003") == ("called", "1")
    calls = [e.data for e in seen if e.kind == "call"]
    assert [(c["ticket"], c["counter"], c["recall"]) for c in calls] == [("A-003", "1", False)]
    assert any(e.kind == "ticket" and e.data["ticket"] == "A-003" for e in seen)
    assert ("user:siti", "counter:call", "1", {"ticket": "A-003", "was": "waiting"}) in audit(hub)

    # another counter cannot take it; nor can a counter call another service's ticket
    error = refused(lambda: hub.counter_action("5", "call", ticket="A-003"))
    assert (error.code, error.status) == ("not_callable", 409)
    error = refused(lambda: hub.counter_action("2", "call", ticket="A-001"))
    assert (error.code, error.status) == ("other_service", 409)
    error = refused(lambda: hub.counter_action("1", "call", ticket="C-001"))
    assert error.code == "other_service"
    error = refused(lambda: hub.counter_action("1", "call", ticket="A-099"))
    assert (error.code, error.status) == ("unknown_ticket", 404)
    assert refused(lambda: hub.counter_action("1", "call", ticket="zz")).status == 400
    assert refused(lambda: hub.counter_action("1", "call")).status == 400
    assert status_of(hub, "A-003") == ("called", "1")

    # calling another number finishes the current one, as NEXT does; NEXT goes on in order
    hub.counter_action("1", "call", ticket="A-002")
    assert status_of(hub, "A-003") == ("done", "1")
    assert hub.counter_action("1", "next")["ticket"] == "A-001"


def test_one_number_is_never_called_to_two_counters(hub: Any) -> None:
    labels = [hub.issue_ticket("A")["ticket"] for _ in range(12)]
    results: dict[str, list[str]] = {"1": [], "5": []}
    errors: list[str] = []
    start = threading.Barrier(2)

    def officer(counter: str) -> None:
        start.wait()
        for label in labels:
            try:
                results[counter].append(hub.counter_action(counter, "call", ticket=label)["ticket"])
            except HubError as exc:
                errors.append(exc.code)

    threads = [threading.Thread(target=officer, args=(c,)) for c in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results["1"] + results["5"]) == labels  # each number called exactly once
    assert set(errors) <= {"not_callable"} and len(errors) == len(labels)
    with hub.db.read() as s:
        called = s.scalars(select(CallRecord.label)).all()
    assert sorted(called) == labels


# ------------------------------------------------------------------ BRING_BACK a skipped citizen
def test_bring_back_a_skipped_citizen(hub: Any) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    assert hub.counter_action("1", "next")["ticket"] == "A-001"
    hub.counter_action("1", "skip")
    assert status_of(hub, "A-001") == ("no_show", "1")
    # still waiting: not a no-show; another service's counter may not touch it
    assert refused(lambda: hub.counter_action("1", "bring_back", ticket="A-002")).code \
        == "not_skipped"
    assert refused(lambda: hub.counter_action("2", "bring_back", ticket="A-001")).code \
        == "other_service"
    state = hub.counter_action("5", "bring_back", actor="user:budi", ticket="A-001")
    assert state["ticket"] is None and state["waiting"] == 2
    assert status_of(hub, "A-001") == ("waiting", None)
    assert ("user:budi", "counter:bring_back", "5", {"ticket": "A-001"}) in audit(hub)
    assert refused(lambda: hub.counter_action("5", "bring_back", ticket="A-001")).code \
        == "not_skipped"
    # it kept its place: the next NEXT calls it before A-002
    assert hub.counter_action("1", "next")["ticket"] == "A-001"


def test_call_a_skipped_citizen_directly(hub: Any) -> None:
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    hub.counter_action("1", "skip")
    state = hub.counter_action("5", "call", actor="user:budi", ticket="A-001")
    assert state["ticket"] == "A-001"
    assert status_of(hub, "A-001") == ("called", "5")
    assert ("user:budi", "counter:call", "5", {"ticket": "A-001", "was": "no_show"}) \
        in audit(hub)


def test_api_call_and_bring_back(client: Any, hub: Any, device_token: str) -> None:
    for _ in range(2):
        hub.issue_ticket("A")
    auth = bearer(device_token)
    response = client.post("/api/counters/1/call", headers=auth, json={"ticket": "A-002"})
    assert response.status_code == 200, response.json
    assert response.json["ticket"] == "A-002"
    assert client.post("/api/counters/1/skip", headers=auth).status_code == 200
    response = client.post("/api/counters/5/bring_back", headers=auth, json={"ticket": "A-002"})
    assert response.status_code == 200 and status_of(hub, "A-002") == ("waiting", None)
    for body, status, code in [
        (None, 400, "bad_request"),
        ({}, 400, "bad_request"),
        ({"ticket": 12}, 400, "bad_request"),
        ({"ticket": "A-002", "extra": 1}, 400, "bad_request"),
        ({"ticket": "nomor"}, 400, "bad_request"),
        ({"ticket": "A-404"}, 404, "unknown_ticket"),
        ({"ticket": "B-001"}, 404, "unknown_ticket"),
    ]:
        response = client.post("/api/counters/1/call", headers=auth, json=body) if body \
            is not None else client.post("/api/counters/1/call", headers=auth)
        assert (response.status_code, response.json["error"]) == (status, code), body
        assert response.json["message"]
    assert client.post("/api/counters/2/call", headers=auth,
                       json={"ticket": "A-001"}).json["error"] == "other_service"
    english = client.post("/api/counters/1/next?lang=en", headers=auth)
    assert english.status_code == 200


# ------------------------------------------------------------------ priority of calls
def test_state_keeps_the_priority_of_calls(client: Any, hub: Any) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("A", priority=True)
    assert hub.counter_action("1", "next")["ticket"] == "A-002"  # priority first
    hub.counter_action("1", "recall")
    assert hub.counter_action("1", "next")["ticket"] == "A-001"
    calls = client.get("/api/state").json["calls"]
    assert [(c["ticket"], c["priority"], c["recall"]) for c in calls] == [
        ("A-001", False, False), ("A-002", True, True), ("A-002", True, False)]
    with hub.db.read() as s:  # the audio route builds its payload from a record alone
        record = s.scalars(select(CallRecord).where(CallRecord.label == "A-002")).first()
        assert hub.call_payload(record)["priority"] is True


# ------------------------------------------------------------------ separate processes
def call_labels(config_path: str, url: str, counter_id: str, labels: list[str], barrier: Any,
                results: Any) -> None:
    """One process, one counter: call each of ``labels`` in turn (spawned: module level)."""
    from loket.server.config import load_config
    from loket.server.db import Database
    from loket.server.hub import Hub

    hub = Hub(load_config(config_path), Database(url))
    barrier.wait(timeout=120)
    out = []
    for label in labels:
        try:
            out.append((counter_id, hub.counter_action(counter_id, "call", ticket=label)["called"]))
        except HubError as exc:
            out.append((counter_id, exc.code))
    hub.db.dispose()
    results.extend(out)


@pytest.mark.slow
def test_call_races_across_processes(tmp_path: Any) -> None:
    """Eight hub processes on one SQLite file call the same six numbers at the same moment:
    each number is called once, at one counter; every other attempt is a clean 409."""
    import multiprocessing

    from loket.server.config import load_config
    from loket.server.db import Database
    from loket.server.hub import Hub
    from tests.support.hall import hall_with_counters

    path = tmp_path / "loket.toml"
    path.write_text(hall_with_counters(8), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    db = Database(url)
    db.upgrade()
    hub = Hub(load_config(path), db)
    hub.start()
    labels = [hub.issue_ticket("A")["ticket"] for _ in range(6)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(8)
        results = manager.list()
        procs = [ctx.Process(target=call_labels,
                             args=(str(path), url, str(i), labels, barrier, results))
                 for i in range(1, 9)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(180)
            assert proc.exitcode == 0
        outcome = list(results)
    called = [what for _, what in outcome if what in labels]
    assert sorted(called) == labels, outcome
    assert {what for _, what in outcome if what not in labels} <= {"not_callable"}
    with db.read() as s:
        assert sorted(s.scalars(select(CallRecord.label))) == labels
        holders = s.execute(select(Ticket.label, Ticket.counter_id)).all()
    winners = {label: counter for counter, label in outcome if label in labels}
    assert {label: counter for label, counter in holders} == winners
    db.dispose()
