"""The officers' web panel at the request level (in-process app, Flask test client, the
Flask-SocketIO test client for the /counter namespace)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from loket.server.auth import add_user
from loket.server.extensions import socketio

PASSWORD = "rahasia-petugas-1"


def login(client: Any, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, response.text


def csrf_of(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.fixture
def officer(hub: Any) -> str:
    add_user(hub.db, "siti", PASSWORD, "officer", ["1"], "Siti Rahma")
    return "siti"


def test_panel_needs_login(client: Any) -> None:
    response = client.get("/counter")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/counter/1/data").status_code in (302, 401)


def test_officer_goes_straight_to_their_counter(client: Any, hub: Any, officer: str) -> None:
    login(client, officer)
    response = client.get("/counter")
    assert response.status_code == 302 and response.headers["Location"].endswith("/counter/1")
    page = client.get("/counter/1")
    assert page.status_code == 200
    assert "Panggil berikutnya" in page.text and "Loket 1" in page.text
    assert "<script>" not in page.text  # CSP: no inline scripts
    assert hub.counter_state("1")["officer"] is None  # opening the page changes nothing
    signed = client.post("/counter/1/signin", data={"csrf_token": csrf_of(page.text)})
    assert signed.status_code == 302
    assert hub.counter_state("1")["officer"] == "siti"
    assert client.get("/counter/2").status_code == 403
    assert client.get("/counter/2/data").status_code == 403
    english = client.get("/counter/1?lang=en")
    assert "Call next" in english.text


def test_supervisor_chooses_a_counter(client: Any, hub: Any) -> None:
    add_user(hub.db, "budi", PASSWORD, "supervisor")
    login(client, "budi")
    page = client.get("/counter")
    assert page.status_code == 200
    assert all(f"/counter/{c}" in page.text for c in ("1", "2", "5"))
    assert client.get("/counter?counter=5").headers["Location"].endswith("/counter/5")


def test_panel_actions_and_data(client: Any, hub: Any, officer: str) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("B")
    hub.issue_ticket("C")  # not for counter 1
    login(client, officer)
    html = client.get("/counter/1").text
    headers = {"X-CSRFToken": csrf_of(html)}
    assert client.post("/api/counters/1/next").status_code == 400  # no CSRF token: refused
    response = client.post("/api/counters/1/next", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json["ticket"] == "A-001"
    data = client.get("/counter/1/data").json
    assert data["state"]["ticket"] == "A-001"
    assert {w["prefix"]: w["waiting"] for w in data["waiting"]} == {"A": 0, "B": 1}
    assert client.post("/api/counters/1/done", headers=headers).status_code == 200
    client.post("/api/counters/1/next", headers=headers)
    client.post("/api/counters/1/skip", headers=headers)
    served = client.get("/counter/1/data").json["served"]
    assert [(s["ticket"], s["status"]) for s in served] == [("B-001", "no_show"),
                                                             ("A-001", "done")]
    empty = client.post("/api/counters/1/next", headers=headers)
    assert empty.status_code == 409 and empty.json["error"] == "empty"


def test_counter_namespace_is_for_the_counters_officer(app: Any, client: Any, hub: Any,
                                                       officer: str) -> None:
    anonymous = socketio.test_client(app, namespace="/counter", auth={"counter": "1"})
    assert not anonymous.is_connected("/counter")
    login(client, officer)
    other = socketio.test_client(app, namespace="/counter", auth={"counter": "2"},
                                 flask_test_client=client)
    assert not other.is_connected("/counter")
    mine = socketio.test_client(app, namespace="/counter", auth={"counter": "1"},
                                flask_test_client=client)
    assert mine.is_connected("/counter")
    hub.issue_ticket("A")
    hub.counter_action("1", "next", actor="keypad")  # e.g. the hardware keypad on this counter
    hub.issue_ticket("C")
    hub.counter_action("5", "next", actor="keypad")  # another counter: not sent here
    received = mine.get_received("/counter")
    names = [r["name"] for r in received]
    assert "call" in names and "counter" in names and "queue" in names
    counters = [r["args"][0]["counter"] for r in received if r["name"] in ("counter", "call")]
    assert set(counters) == {"1"}
    mine.disconnect("/counter")
