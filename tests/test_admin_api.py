"""The admin API: the role matrix, per-field validation with nothing changed, 404s and 409s,
the hall calendar refusing tickets with its reason, and every change in the audit log."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from loket.server.auth import create_token
from tests.support.login import login


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(hub: Any) -> dict[str, str]:
    return bearer(create_token(hub.db, "admin-test", "admin"))


@pytest.fixture
def supervisor(hub: Any) -> dict[str, str]:
    return bearer(create_token(hub.db, "sup-test", "supervisor"))


@pytest.fixture
def device(hub: Any) -> dict[str, str]:
    return bearer(create_token(hub.db, "dev-test", "device"))


def hall_state(client: Any, admin: dict[str, str]) -> Any:
    body = client.get("/api/admin/hall", headers=admin).get_json()
    body["hall"].pop("version")
    return body


def issue(client: Any, device: dict[str, str], service: str) -> Any:
    return client.post("/api/tickets", json={"service": service}, headers=device)


def test_hall_lists_the_configured_hall(client: Any, admin: dict[str, str]) -> None:
    body = client.get("/api/admin/hall", headers=admin).get_json()
    assert set(body) >= {"hall", "agencies", "services", "counters", "kiosks", "calendar"}
    a = next(s for s in body["services"] if s["prefix"] == "A")
    assert {k: a[k] for k in ("prefix", "name", "agency", "quota", "opening_hours",
                              "sla_minutes")} == {
        "prefix": "A", "name": "KTP-el", "agency": "Dukcapil", "quota": 50,
        "opening_hours": [], "sla_minutes": 30}
    assert {"id": "5", "name": "Loket 5", "zone": "lantai-2", "services": ["C", "A"]}.items() \
        <= next(c for c in body["counters"] if c["id"] == "5").items()


@pytest.mark.parametrize("method,path,payload", [
    ("get", "/api/admin/hall", None),
    ("post", "/api/admin/services", {"prefix": "K", "name": "BPJS", "agency": "BPJS"}),
    ("patch", "/api/admin/services/A", {"quota": 10}),
    ("delete", "/api/admin/services/C", None),
    ("post", "/api/admin/counters", {"id": "7", "name": "Loket 7", "services": ["A"]}),
    ("patch", "/api/admin/counters/1", {"name": "Loket Satu"}),
    ("post", "/api/admin/calendar", {"date": "2026-03-20", "reason": "Libur"}),
])
def test_role_matrix(client: Any, hub: Any, admin: dict[str, str], supervisor: dict[str, str],
                     device: dict[str, str], method: str, path: str, payload: Any) -> None:
    call = getattr(client, method)
    assert call(path, json=payload).status_code == 401
    assert call(path, json=payload, headers=device).status_code == 403
    announcer = bearer(create_token(hub.db, "ann", "announcer"))
    assert call(path, json=payload, headers=announcer).status_code == 403
    supervisor_may = method == "get" or path.endswith("/calendar") or (
        method == "patch" and "/services/" in path)
    sup = call(path, json=payload, headers=supervisor).status_code
    assert (sup < 400) == supervisor_may, sup
    if not supervisor_may:
        assert sup == 403
        assert call(path, json=payload, headers=admin).status_code < 400


def test_officer_session_is_forbidden(client: Any, hub: Any) -> None:
    csrf = login(client, hub, "ofc", "officer", ["1"])
    assert client.get("/api/admin/hall").status_code == 403
    assert client.patch("/api/admin/services/A", json={"quota": 5},
                        headers={"X-CSRFToken": csrf}).status_code == 403


def test_supervisor_may_not_rename_a_service(client: Any, supervisor: dict[str, str]) -> None:
    assert client.patch("/api/admin/services/A", json={"name": "X"},
                        headers=supervisor).status_code == 403


def test_session_writes_need_csrf(client: Any, hub: Any) -> None:
    csrf = login(client, hub, "boss", "admin")
    assert client.patch("/api/admin/services/A", json={"quota": 5}).status_code == 400
    response = client.patch("/api/admin/services/A", json={"quota": 5},
                            headers={"X-CSRFToken": csrf})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("path,payload,field", [
    ("/api/admin/services/A", {"quota": 0}, "quota"),
    ("/api/admin/services/A", {"quota": "many"}, "quota"),
    ("/api/admin/services/A", {"opening_hours": ["fri 25:00-26:00"]}, "opening_hours"),
    ("/api/admin/services/A", {"sla_minutes": -1}, "sla_minutes"),
    ("/api/admin/services/A", {"name": ""}, "name"),
    ("/api/admin/services/A", {"last_ticket": "half past two"}, "last_ticket"),
    ("/api/admin/services/A", {"colour": "red"}, "colour"),
    ("/api/admin/counters/1", {"services": ["Z"]}, "services"),
    ("/api/admin/counters/1", {"services": []}, "services"),
    ("/api/admin/counters/1", {"zone": "Lantai 1"}, "zone"),
])
def test_invalid_patch_names_the_field_and_changes_nothing(
        client: Any, admin: dict[str, str], path: str, payload: Any, field: str) -> None:
    before = hall_state(client, admin)
    response = client.patch(path, json=payload, headers=admin)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid" and body["field"] == field and body["message"]
    assert hall_state(client, admin) == before


@pytest.mark.parametrize("payload,field", [
    ({"prefix": "k", "name": "BPJS", "agency": "BPJS"}, "prefix"),
    ({"prefix": "K", "agency": "BPJS"}, "name"),
    ({"name": "BPJS", "agency": "BPJS"}, "prefix"),
])
def test_invalid_new_service(client: Any, admin: dict[str, str], payload: Any,
                             field: str) -> None:
    before = hall_state(client, admin)
    body = client.post("/api/admin/services", json=payload, headers=admin).get_json()
    assert (body["error"], body["field"]) == ("invalid", field)
    assert hall_state(client, admin) == before


@pytest.mark.parametrize("payload,field", [
    ({"date": "2026-02-30", "reason": "x"}, "date"),
    ({"date": "2026-03-20", "until": "2026-03-19", "reason": "x"}, "until"),
    ({"date": "2026-03-20"}, "reason"),
    ({"date": "2026-03-20", "reason": "x", "services": ["Z"]}, "services"),
    ({"rule": "fri 13:00-11:30", "reason": "x"}, "rule"),
])
def test_invalid_calendar_entry(client: Any, admin: dict[str, str], payload: Any,
                                field: str) -> None:
    body = client.post("/api/admin/calendar", json=payload, headers=admin).get_json()
    assert (body["error"], body["field"]) == ("invalid", field)
    assert client.get("/api/admin/hall", headers=admin).get_json()["calendar"] == []


def test_unknown_things_are_404(client: Any, admin: dict[str, str]) -> None:
    assert client.patch("/api/admin/services/Q", json={"quota": 1},
                        headers=admin).status_code == 404
    assert client.delete("/api/admin/services/Q", headers=admin).status_code == 404
    assert client.patch("/api/admin/counters/99", json={"name": "x"},
                        headers=admin).status_code == 404
    assert client.delete("/api/admin/calendar/12345", headers=admin).status_code == 404


def test_new_service_then_exists(client: Any, hub: Any, admin: dict[str, str],
                                 device: dict[str, str]) -> None:
    payload = {"prefix": "K", "name": "BPJS Kesehatan", "agency": "BPJS", "quota": 40,
               "opening_hours": [], "sla_minutes": 20}
    response = client.post("/api/admin/services", json=payload, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["quota"] == 40
    assert client.post("/api/admin/services", json=payload,
                       headers=admin).get_json()["error"] == "exists"
    assert issue(client, device, "K").status_code == 201
    assert "K" in hub.services


def test_delete_refused_while_tickets_wait(client: Any, admin: dict[str, str],
                                           device: dict[str, str]) -> None:
    issue(client, device, "C")
    issue(client, device, "C")
    response = client.delete("/api/admin/services/C", headers=admin)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "has_waiting" and "2" in body["message"]


def test_delete_service_without_tickets(client: Any, hub: Any, admin: dict[str, str]) -> None:
    assert client.delete("/api/admin/services/C", headers=admin).status_code == 204
    assert "C" not in hub.services
    assert hub.counters["5"].services == ["A"]  # removed from the counter's list too


def test_quota_lowered_below_issued_stops_issuing(client: Any, supervisor: dict[str, str],
                                                   device: dict[str, str]) -> None:
    for _ in range(3):
        assert issue(client, device, "A").status_code == 201
    assert client.patch("/api/admin/services/A", json={"quota": 2},
                        headers=supervisor).status_code == 200
    assert issue(client, device, "A").get_json()["error"] == "quota_full"


def test_renamed_counter_and_new_counter(client: Any, hub: Any, admin: dict[str, str]) -> None:
    response = client.patch("/api/admin/counters/1", json={"name": "Loket Satu",
                                                            "services": ["B", "A"]},
                            headers=admin)
    assert response.get_json()["name"] == "Loket Satu"
    assert hub.snapshot()["counters"][0]["name"] == "Loket Satu"
    assert client.post("/api/admin/counters", json={"id": "7", "name": "Loket 7",
                                                    "services": ["A"]},
                       headers=admin).status_code == 201
    assert hub.counter_state("7")["status"] in ("idle", "open")


def test_holiday_closes_issuing_with_reason(client: Any, hub: Any, admin: dict[str, str],
                                            device: dict[str, str]) -> None:
    today = hub.day()
    reason = "Libur Nasional: Hari Raya Idulfitri"
    response = client.post("/api/admin/calendar", json={"date": today, "reason": reason},
                           headers=admin)
    assert response.status_code == 201
    entry = response.get_json()
    body = issue(client, device, "A").get_json()
    assert body["error"] == "closed" and reason in body["message"]
    assert client.delete(f"/api/admin/calendar/{entry['id']}", headers=admin).status_code == 204
    assert issue(client, device, "A").status_code == 201


def test_closure_of_one_service(client: Any, hub: Any, admin: dict[str, str],
                                device: dict[str, str]) -> None:
    client.post("/api/admin/calendar", json={"date": hub.day(), "services": ["C"],
                                             "reason": "Cuti bersama Imigrasi"}, headers=admin)
    assert issue(client, device, "C").get_json()["error"] == "closed"
    assert issue(client, device, "A").status_code == 201


def test_break_refuses_and_says_when_issuing_resumes(client: Any, hub: Any,
                                                     admin: dict[str, str],
                                                     device: dict[str, str]) -> None:
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    start, end = now - timedelta(minutes=1), now + timedelta(minutes=20)
    if start.date() != now.date() or end.date() != now.date():
        pytest.skip("the break must be within today")
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[now.weekday()]
    rule = f"{day} {start:%H:%M}-{end:%H:%M}"
    assert client.post("/api/admin/calendar", json={"rule": rule,
                                                    "reason": "Istirahat salat Jumat"},
                       headers=admin).status_code == 201
    body = issue(client, device, "A").get_json()
    assert body["error"] == "closed"
    assert "Istirahat salat Jumat" in body["message"] and f"{end:%H.%M}" in body["message"]


def test_every_change_is_audited(client: Any, hub: Any, admin: dict[str, str]) -> None:
    client.patch("/api/admin/services/A", json={"quota": 7}, headers=admin)
    client.post("/api/admin/calendar", json={"date": "2026-12-25", "reason": "Natal"},
                headers=admin)
    entries = client.get("/api/supervisor/audit", headers=admin).get_json()["entries"]
    quota = next(e for e in entries if e["action"] == "service:update")
    assert quota["actor"] and quota["at"] and quota["target"] == "A"
    assert json.loads(quota["detail"]) == {"before": {"quota": 50}, "after": {"quota": 7}}
    assert any(e["action"] == "calendar:add" for e in entries)


def test_changes_survive_a_restart(config: Any, app: Any, client: Any,
                                  admin: dict[str, str]) -> None:
    from loket.server.app import create_app

    client.patch("/api/admin/services/A", json={"quota": 9}, headers=admin)
    client.patch("/api/admin/counters/2", json={"name": "Loket Dua"}, headers=admin)
    client.post("/api/admin/calendar", json={"date": "2026-12-25", "reason": "Natal"},
                headers=admin)
    again = create_app(config, async_mode="threading", testing=True)
    try:
        hub2 = again.extensions["loket.hub"]
        assert hub2.services["A"].quota == 9
        assert hub2.counters["2"].name == "Loket Dua"
        assert hub2.hall.calendar_rows[0]["reason"] == "Natal"
    finally:
        again.extensions["loket.hub"].db.dispose()


STRONG = "kuda-laut-berlari-pagi-7"


def test_users_add_bind_disable_enable_reset_role(client: Any, hub: Any,
                                                   admin: dict[str, str],
                                                   supervisor: dict[str, str]) -> None:
    new = {"username": "budi", "password": STRONG, "role": "officer", "counters": ["5"]}
    assert client.post("/api/admin/users", json=new, headers=supervisor).status_code == 403
    made = client.post("/api/admin/users", json=new, headers=admin)
    assert made.status_code == 201 and made.get_json()["counters"] == ["5"]
    assert client.post("/api/admin/users", json=new, headers=admin).status_code == 409
    weak = client.post("/api/admin/users", json={**new, "username": "x", "password": "123"},
                       headers=admin).get_json()
    assert (weak["error"], weak["field"]) == ("invalid", "password")
    bad = client.post("/api/admin/users", json={**new, "username": "y", "counters": ["99"]},
                      headers=admin).get_json()
    assert bad["field"] == "counters"
    assert client.patch("/api/admin/users/budi", json={"active": False},
                        headers=admin).get_json()["active"] is False
    assert client.patch("/api/admin/users/budi", json={"active": True},
                        headers=admin).get_json()["active"] is True
    changed = client.patch("/api/admin/users/budi", json={"role": "supervisor", "counters": []},
                           headers=admin).get_json()
    assert changed["role"] == "supervisor" and changed["counters"] == []
    assert client.patch("/api/admin/users/budi", json={"password": "kopi-hitam-tanpa-gula-9"},
                        headers=admin).status_code == 200
    assert client.patch("/api/admin/users/nobody", json={"active": True},
                        headers=admin).status_code == 404
    from loket.server.auth import verify_user
    assert verify_user(hub.db, "budi", "kopi-hitam-tanpa-gula-9") is not None
    actions = [e["action"] for e in client.get("/api/supervisor/audit",
                                               headers=admin).get_json()["entries"]]
    assert {"user:add", "user:disable", "user:enable", "user:role", "user:passwd"} <= set(actions)


def test_tokens_created_once_listed_revoked(client: Any, admin: dict[str, str],
                                            supervisor: dict[str, str]) -> None:
    body = {"name": "dashboard-2", "role": "supervisor"}
    assert client.post("/api/admin/tokens", json=body, headers=supervisor).status_code == 403
    made = client.post("/api/admin/tokens", json=body, headers=admin)
    assert made.status_code == 201
    value = made.get_json()["token"]
    listed = client.get("/api/admin/tokens", headers=admin).get_json()["tokens"]
    assert value not in str(listed) and any(t["name"] == "dashboard-2" for t in listed)
    assert client.get("/api/admin/hall", headers=bearer(value)).status_code == 200
    assert client.delete(f"/api/admin/tokens/{made.get_json()['id']}",
                         headers=admin).status_code == 204
    assert client.get("/api/admin/hall", headers=bearer(value)).status_code == 401
    assert client.delete("/api/admin/tokens/999", headers=admin).status_code == 404


def test_a_break_ahead_lengthens_the_estimate() -> None:
    from loket.server.admin.calendar import Break, Calendar, break_seconds
    from loket.server.hours import parse_rule

    tz = ZoneInfo("Asia/Jakarta")
    friday = datetime(2026, 3, 6, 11, 0, tzinfo=tz)  # a Friday
    calendar = Calendar(breaks=(Break(1, parse_rule("fri 11:30-13:00"), "fri 11:30-13:00",
                                      frozenset(), "Istirahat salat Jumat"),))
    assert break_seconds(calendar, "A", friday, 45 * 60) == 90 * 60  # runs into the break
    assert break_seconds(calendar, "A", friday, 20 * 60) == 0  # served before it
    assert break_seconds(calendar, "A", friday + timedelta(days=1), 4 * 3600) == 0  # Saturday
    refusal = calendar.refusal("A", friday.replace(hour=12))
    assert refusal is not None and refusal.kind == "break"
    assert refusal.resumes == friday.replace(hour=13)


def test_announcer_says_the_new_spoken_name(client: Any, hub: Any, config: Any,
                                            admin: dict[str, str],
                                            device: dict[str, str]) -> None:
    from loket.audio.phrases import sentence

    calls: list[Any] = []
    hub.events.subscribe(lambda event: calls.append(event.data), {"call"})
    client.patch("/api/admin/counters/1", json={"spoken_name": "Loket Kependudukan"},
                 headers=admin)
    issue(client, device, "A")
    hub.counter_action("1", "next")
    assert calls and calls[-1]["counter_spoken_name"] == "Loket Kependudukan"
    # an announcer on another PC, with the hall's old file, says the new name
    assert "loket kependudukan" in sentence(calls[-1], config).text.lower()


def test_kiosks_add_change_remove(client: Any, admin: dict[str, str],
                                  supervisor: dict[str, str]) -> None:
    new = {"id": "pintu-utara", "name": "Pintu utara", "rate_limit": "6/minute"}
    assert client.post("/api/admin/kiosks", json=new, headers=supervisor).status_code == 403
    assert client.post("/api/admin/kiosks", json=new, headers=admin).status_code == 201
    assert client.post("/api/admin/kiosks", json=new, headers=admin).status_code == 409
    bad = client.patch("/api/admin/kiosks/pintu-utara", json={"rate_limit": "lots"},
                       headers=admin).get_json()
    assert (bad["error"], bad["field"]) == ("invalid", "rate_limit")
    assert client.patch("/api/admin/kiosks/pintu-utara", json={"printer": "network://10.0.0.9:9100"},
                        headers=admin).status_code == 200
    kiosk = client.get("/api/admin/hall", headers=admin).get_json()["kiosks"][0]
    assert (kiosk["printer"], kiosk["rate_limit"]) == ("network://10.0.0.9:9100", "6/minute")
    assert client.patch("/api/admin/kiosks/nope", json={"name": "x"},
                        headers=admin).status_code == 404
    assert client.delete("/api/admin/kiosks/pintu-utara", headers=admin).status_code == 204
