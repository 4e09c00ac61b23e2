"""The phone's status page ``/t/<token>``: an unguessable token, never a ticket number; it shows
only its own ticket; it updates live over the ``/status`` namespace."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
import socketio

from tests.support.hall import LiveHub


def _initial(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="status-initial">(.*?)</script>',
                      html, re.S)
    assert match
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_token_is_unguessable_and_numbers_are_not_accepted(client: Any) -> None:
    first = client.post("/api/tickets", json={"service": "A"}).get_json()
    second = client.post("/api/tickets", json={"service": "A"}).get_json()
    token = first["status_token"]
    assert len(token) >= 24 and "A-001" not in token and first["status_url"] == f"/t/{token}"
    for guess in ("A-001", "A001", "a-001", "1", "A-002", "001"):
        assert client.get(f"/t/{guess}").status_code == 404
        assert client.get(f"/t/{guess}/qr.svg").status_code == 404
        assert client.get(f"/api/tickets/status/{guess}").status_code == 404
    assert client.get("/t/" + "x" * 24).status_code == 404  # well-formed but unknown
    page = client.get(first["status_url"])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "A-001" in html and "A-002" not in html and second["status_token"] not in html
    data = _initial(html)
    assert data["ticket"] == "A-001" and data["ahead"] == 0
    assert "id" not in data and "token_hash" not in data
    assert f"/survey?token={token}" in html
    qr = client.get(f"{first['status_url']}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_status_page_follows_the_ticket(client: Any, device_token: str) -> None:
    headers = {"Authorization": f"Bearer {device_token}"}
    ahead = client.post("/api/tickets", json={"service": "C"}).get_json()
    mine = client.post("/api/tickets", json={"service": "C"}).get_json()
    assert _initial(client.get(mine["status_url"]).get_data(as_text=True))["ahead"] == 1
    client.post("/api/counters/5/next", headers=headers)  # calls C-001
    data = _initial(client.get(mine["status_url"]).get_data(as_text=True))
    assert data["ahead"] == 0 and data["status"] == "waiting"
    client.post("/api/counters/5/next", headers=headers)  # calls C-002
    data = _initial(client.get(mine["status_url"]).get_data(as_text=True))
    assert data["status"] == "called" and data["counter_name"] == "Loket 5"
    assert "ahead" not in data
    first = _initial(client.get(ahead["status_url"]).get_data(as_text=True))
    assert first["status"] == "done"


@pytest.mark.slow
def test_status_namespace_pushes_call_and_refresh(live_hub: Callable[..., LiveHub]) -> None:
    hub = live_hub()
    token = hub.token("device", "bridge", "5")
    issued = [requests.post(f"{hub.url}/api/tickets", json={"service": "C"}, timeout=5).json()
              for _ in range(2)]
    mine = issued[1]["status_token"]
    sio = socketio.Client(reconnection=False)
    events: list[dict[str, Any]] = []
    called = threading.Event()

    @sio.on("ticket", namespace="/status")
    def on_ticket(data: dict[str, Any]) -> None:
        events.append(data)
        if data.get("status") == "called":
            called.set()

    sio.connect(hub.url, namespaces=["/status"], auth={"token": mine}, wait_timeout=10,
                transports=["websocket"])
    try:
        fresh = sio.call("refresh", {"token": mine, "lang": "id"}, namespace="/status",
                         timeout=5)
        assert fresh["ahead"] == 1 and fresh["estimate"]["text"]
        assert "id" not in fresh
        too_soon = sio.call("refresh", {"token": mine}, namespace="/status", timeout=5)
        assert too_soon["error"] == "too_soon"
        headers = {"Authorization": f"Bearer {token}"}
        requests.post(f"{hub.url}/api/counters/5/next", headers=headers, timeout=5)
        assert not called.wait(1.0)  # C-001 was called, not this ticket
        requests.post(f"{hub.url}/api/counters/5/next", headers=headers, timeout=5)
        assert called.wait(5)
        assert events[-1]["counter_name"] == "Loket 5" and events[-1]["ticket"] == "C-002"
        assert all(e["ticket"] == "C-002" for e in events)  # never another ticket's events
    finally:
        sio.disconnect()
    bad = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        bad.connect(hub.url, namespaces=["/status"], auth={"token": "C-002"}, wait_timeout=5,
                    transports=["websocket"])


def test_english_and_a_ticket_from_another_day(client: Any, hub: Any) -> None:
    from sqlalchemy import update

    from loket.server.models import Ticket

    ticket = client.post("/api/tickets", json={"service": "B"}).get_json()
    english = client.get(ticket["status_url"] + "?lang=en").get_data(as_text=True)
    assert "Your queue number" in english and "Keep this page open" in english
    with hub.db.session() as s:
        s.execute(update(Ticket).values(day="2020-01-06"))
    data = _initial(client.get(ticket["status_url"]).get_data(as_text=True))
    assert data["status"] == "waiting" and data["stale"] is True and "ahead" not in data
