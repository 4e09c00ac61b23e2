"""Supervisor dashboard API, controls (audited, CSRF-protected) and report endpoints."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import update

from loket.server.auth import create_token
from loket.server.events import Event
from loket.server.models import Ticket
from loket.server.supervisor import dashboard
from tests.support.login import login


def issue(client: Any, service: str, n: int = 1) -> list[str]:
    return [client.post("/api/tickets", json={"service": service}).get_json()["ticket"]
            for _ in range(n)]


def test_page_access(client: Any, hub: Any) -> None:
    anonymous = client.get("/supervisor")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, hub, "petugas", "officer")
    assert client.get("/supervisor").status_code == 403
    assert client.get("/api/supervisor/dashboard").status_code == 403


def test_dashboard_page_for_supervisor(client: Any, hub: Any) -> None:
    login(client, hub)
    response = client.get("/supervisor")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/vendor/chart.js/chart.umd.min.js" in page
    assert "<script>" not in page  # CSP: scripts are files
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/supervisor/static/dashboard.js").status_code == 200
    assert client.get("/vendor/chart.js/chart.umd.min.js").status_code == 200
    assert client.get("/supervisor/reports").status_code == 200


def test_dashboard_figures_and_alerts(client: Any, hub: Any) -> None:
    login(client, hub)
    issue(client, "A", 3)
    issue(client, "C", 1)
    hub.counter_action("1", "next", actor="test", officer="budi")
    data = client.get("/api/supervisor/dashboard").get_json()
    services = {s["prefix"]: s for s in data["services"]}
    assert services["A"]["waiting"] == 2 and services["C"]["waiting"] == 1
    assert services["A"]["served"] == 0 and services["A"]["avg_wait_s"] is not None
    counters = {c["id"]: c for c in data["counters"]}
    assert counters["1"]["status"] == "serving" and counters["1"]["ticket"] == "A-001"
    assert counters["1"]["officer"] == "budi" and counters["1"]["service_s"] is not None
    assert counters["2"]["status"] == "idle" and counters["2"]["ticket"] is None
    agencies = {a["id"]: a for a in data["agencies"]}
    assert agencies["dukcapil"]["waiting"] == 2 and agencies["imigrasi"]["waiting"] == 1
    assert data["alerts"] == []
    # A citizen of C has waited 31 minutes (SLA 30 by default): an SLA alert.
    with hub.db.session() as s:
        s.execute(update(Ticket).where(Ticket.service == "C").values(
            issued_ts=Ticket.issued_ts - 31 * 60, queued_ts=Ticket.queued_ts - 31 * 60))
    data = client.get("/api/supervisor/dashboard").get_json()
    assert [(a["kind"], a["service"]) for a in data["alerts"]] == [("sla", "C")]
    assert data["charts"]["waits"]["counts"][0] == 1  # A-001 called at once
    assert sum(h["arrivals"] for h in data["charts"]["hourly"]) == 4


def test_crowded_zone_rule() -> None:
    zones = [{"zone": "lantai-1", "waiting": 17, "open": 2, "counters": 2},
             {"zone": "lantai-2", "waiting": 16, "open": 2, "counters": 2},
             {"zone": "lantai-3", "waiting": 1, "open": 0, "counters": 1}]
    found = dashboard.alerts([], zones, per_counter=8)
    assert [a["zone"] for a in found] == ["lantai-1", "lantai-3"]


def test_controls_need_csrf_and_are_audited(client: Any, hub: Any) -> None:
    csrf = login(client, hub)
    refused = client.post("/api/counters/2/close")
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert client.post("/api/supervisor/running-text", json={"text": "x"}).status_code == 400
    headers = {"X-CSRFToken": csrf}
    assert client.post("/api/counters/2/close", headers=headers).status_code == 200
    assert client.post("/api/counters/2/open", headers=headers).status_code == 200
    assert client.post("/api/counters/1/break", headers=headers).status_code == 200
    assert hub.counter_state("1")["status"] == "break"
    seen: list[Event] = []
    hub.events.subscribe(seen.append, {"settings"})
    text = client.post("/api/supervisor/running-text", headers=headers,
                       json={"text": "  Loket 3 tutup   pukul 12.00  "})
    assert text.get_json() == {"running_text": "Loket 3 tutup pukul 12.00"}
    assert seen[-1].data == {"key": "running_text", "value": "Loket 3 tutup pukul 12.00"}
    assert hub.snapshot()["running_text"] == "Loket 3 tutup pukul 12.00"
    paused = client.post("/api/supervisor/paused", headers=headers,
                         json={"service": "B", "paused": True})
    assert paused.get_json() == {"paused_services": ["B"]}
    assert client.post("/api/tickets", json={"service": "B"}).status_code == 409
    client.post("/api/supervisor/paused", headers=headers, json={"service": "B", "paused": False})
    assert client.post("/api/tickets", json={"service": "B"}).status_code == 201
    entries = client.get("/api/supervisor/audit?limit=20").get_json()["entries"]
    actions = [(e["actor"], e["action"], e["target"]) for e in reversed(entries)]
    for expected in [("user:sup", "counter:close", "2"), ("user:sup", "counter:open", "2"),
                     ("user:sup", "counter:break", "1"),
                     ("user:sup", "set:running_text", "running_text"),
                     ("user:sup", "set:paused_services", "paused_services")]:
        assert expected in actions
    assert all(e["at"] for e in entries)
    assert client.get("/api/supervisor/dashboard").get_json()["audit"][0]["action"].startswith(
        "set:")


def test_move_waiting_tickets_keeps_their_order(client: Any, hub: Any) -> None:
    csrf = login(client, hub)
    b_first = issue(client, "B")[0]
    moved = issue(client, "A", 3)
    b_last = issue(client, "B")[0]
    response = client.post("/api/supervisor/move", headers={"X-CSRFToken": csrf},
                           json={"from": "A", "to": "B"})
    assert response.status_code == 200
    assert response.get_json()["moved"] == 3 and response.get_json()["tickets"] == moved
    assert hub.waiting_counts() == {"A": 0, "B": 5, "C": 0}
    # Counter 2 serves B only: by issue time, B-001, then the moved A tickets, then B-002.
    calls = [hub.counter_action("2", "next")["ticket"] for _ in range(5)]
    assert calls == [b_first, *moved, b_last]
    with hub.db.session() as s:
        row = s.query(Ticket).filter(Ticket.label == moved[0]).one()
        assert (row.transfers, row.transferred_from) == (1, "A (supervisor)")
    entry = client.get("/api/supervisor/audit").get_json()["entries"][0]
    assert (entry["action"], entry["target"]) == ("queue:move", "A->B")
    same = client.post("/api/supervisor/move", headers={"X-CSRFToken": csrf},
                       json={"from": "B", "to": "B"})
    assert same.status_code == 409


def test_supervisor_token_for_scripts(client: Any, hub: Any) -> None:
    token = create_token(hub.db, "script", "supervisor")
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/supervisor/running-text", headers=auth, json={"text": "Halo"})
    assert response.status_code == 200  # no cookie, so no CSRF needed
    assert client.post("/api/counters/5/break", headers=auth).status_code == 200
    actions = [(e["actor"], e["action"]) for e in
               client.get("/api/supervisor/audit", headers=auth).get_json()["entries"]]
    assert ("token:script", "counter:break") in actions
    officer = create_token(hub.db, "bridge", "device")
    assert client.post("/api/supervisor/running-text", json={"text": "x"},
                       headers={"Authorization": f"Bearer {officer}"}).status_code == 403
    assert client.post("/api/supervisor/running-text", json={"text": "x"}).status_code == 401


def test_report_endpoints(client: Any, hub: Any) -> None:
    login(client, hub)
    issue(client, "A", 2)
    hub.counter_action("1", "next")
    hub.counter_action("1", "done")
    day = hub.day()
    report = client.get(f"/api/reports?from={day}&to={day}&by=service").get_json()
    rows = {r["key"]: r for r in report["rows"]}
    assert rows["A"]["issued"] == 2 and rows["A"]["served"] == 1
    assert client.get("/api/reports?by=zodiac").status_code == 400
    xlsx = client.get(f"/api/reports/export.xlsx?from={day}&to={day}&by=agency")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert wb["Laporan"]["A5"].value == "Dukcapil" and wb["Laporan"]["B5"].value == 2
    csv_response = client.get(f"/api/reports/export.csv?from={day}&to={day}")
    assert csv_response.mimetype == "text/csv"
    assert "A · KTP-el,2,1" in csv_response.get_data(as_text=True)
    assert client.get("/api/reports/export.pdf").status_code == 404
