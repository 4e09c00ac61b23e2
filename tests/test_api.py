"""The HTTP API contract (docs/api.md): status codes, body shapes, error JSON, and that a
refused request changes nothing."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from loket.server.auth import add_user, create_token
from loket.server.models import Ticket

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
TABLES = ("tickets", "service_days", "counters", "calls", "api_tokens", "users")


def db_state(hub: Any) -> dict[str, list[tuple]]:
    """Every row of the queue's tables, to compare before and after a refused request."""
    with hub.db.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in TABLES}


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.is_json, response.get_data(True)[:200]
    body = response.get_json()
    assert set(body) == {"error", "message"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["error"] == code, body
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(client: Any, token: str, service: str = "A", **extra: Any) -> Any:
    return client.post("/api/tickets", json={"service": service, **extra}, headers=bearer(token))


# ------------------------------------------------------------------ POST /api/tickets


def test_issue_ticket_201_shape(client: Any, hub: Any) -> None:
    response = client.post("/api/tickets", json={"service": "A", "priority": False})
    assert response.status_code == 201
    body = response.get_json()
    for key in ("ticket", "service", "position", "estimated_wait_s", "issued_at", "status_url"):
        assert key in body, key
    assert body["ticket"] == "A-001" and body["service"] == "A"
    assert body["position"] == 1 and isinstance(body["estimated_wait_s"], int)
    assert ISO_WITH_OFFSET.match(body["issued_at"]), body["issued_at"]
    assert datetime.fromisoformat(body["issued_at"]).utcoffset().total_seconds() == 7 * 3600
    assert body["status_url"].startswith("/t/")
    second = client.post("/api/tickets", json={"service": "A"}).get_json()
    assert second["ticket"] == "A-002" and second["position"] == 2
    assert second["estimated_wait_s"] >= body["estimated_wait_s"]
    status = client.get(f"/api/tickets/status/{second['status_token']}")
    assert status.status_code == 200 and status.get_json()["ticket"] == "A-002"


def test_issue_priority(client: Any, device_token: str) -> None:
    client.post("/api/tickets", json={"service": "A"})
    # Priority needs a paired kiosk, a session or a token (issue 12; tests/test_kiosk_pairing.py).
    body = client.post("/api/tickets", json={"service": "A", "priority": True},
                       headers={"Authorization": f"Bearer {device_token}"}).get_json()
    assert body["priority"] is True and body["position"] == 1


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"service": "Z"}}, 404, "unknown_service"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "bad_request"),
        ({"data": "service=A", "content_type": "application/x-www-form-urlencoded"}, 400,
         "bad_request"),
        ({"json": ["A"]}, 400, "bad_request"),
        ({"json": "A"}, 400, "bad_request"),
        ({"json": {}}, 400, "bad_request"),
        ({"json": {"service": 1}}, 400, "bad_request"),
        ({"json": {"service": "A", "priority": "yes"}}, 400, "bad_request"),
        ({"json": {"service": "A", "priority": 1}}, 400, "bad_request"),
        ({"json": {"service": "A", "name": "Budi"}}, 400, "bad_request"),
        ({"json": {"service": "A", "kiosk": "k" * 33}}, 400, "bad_request"),
        ({"json": {"service": None}}, 400, "bad_request"),
        ({"data": "x" * 70_000, "content_type": "application/json"}, 413, "too_large"),
    ],
)
def test_issue_refusals_change_nothing(
    client: Any, hub: Any, device_token: str, kwargs: dict, status: int, code: str
) -> None:
    issue(client, device_token)  # some state to keep
    before = db_state(hub)
    response = client.post("/api/tickets", headers=bearer(device_token), **kwargs)
    body = assert_error(response, status, code)
    assert db_state(hub) == before
    if code == "bad_request":
        assert body["message"].startswith("Permintaan tidak valid")


def test_error_messages_in_english(client: Any) -> None:
    body = assert_error(client.post("/api/tickets?lang=en", json={"service": "Z"}), 404)
    assert body["message"] == "Unknown service Z."


def test_quota_full_409_changes_nothing(write_config: Any) -> None:
    from loket.server.app import create_app
    from loket.server.config import load_config
    from tests.support.hall import SMALL_HALL

    config = load_config(write_config(SMALL_HALL.replace("quota = 50", "quota = 1")))
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        client = app.test_client()
        assert client.post("/api/tickets", json={"service": "A"}).status_code == 201
        before = db_state(hub)
        body = assert_error(client.post("/api/tickets", json={"service": "A"}), 409,
                            "quota_full")
        assert "1" in body["message"]
        assert db_state(hub) == before
    finally:
        hub.db.dispose()


def test_closed_409_names_next_opening(write_config: Any) -> None:
    from loket.server.app import create_app
    from loket.server.config import load_config
    from tests.support.hall import SMALL_HALL

    # open only one minute a week, on a day other than today: always closed now
    today = datetime.now().astimezone().strftime("%a").lower()
    other = "mon" if today != "mon" else "tue"
    hours = f'quota = 50\nopening_hours = ["{other} 03:00-03:01"]'
    config = load_config(write_config(SMALL_HALL.replace("quota = 50", hours)))
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        before = db_state(hub)
        body = assert_error(app.test_client().post("/api/tickets", json={"service": "A"}), 409,
                            "closed")
        assert "03.00" in body["message"]
        assert db_state(hub) == before
    finally:
        hub.db.dispose()


def test_paused_409(client: Any, hub: Any) -> None:
    hub.set_setting("paused_services", ["A"], actor="test")
    assert_error(client.post("/api/tickets", json={"service": "A"}), 409, "paused")


def test_kiosk_rate_limit_and_device_token_bypass(client: Any, device_token: str) -> None:
    codes = [client.post("/api/tickets", json={"service": "B"}).status_code for _ in range(7)]
    assert codes[:6] == [201] * 6
    assert_error(client.post("/api/tickets", json={"service": "B"}), 429, "rate_limited")
    for _ in range(5):
        assert issue(client, device_token, "B").status_code == 201


def test_counter_keys_are_never_rate_limited(client: Any, device_token: str) -> None:
    # the kiosk limit (6 a minute here) is spent, and a keypad presses far faster than that
    while client.post("/api/tickets", json={"service": "B"}).status_code != 429:
        pass
    for _ in range(12):
        issue(client, device_token, "B")
    codes = [client.post(f"/api/counters/1/{action}", headers=bearer(device_token)).status_code
             for _ in range(12) for action in ("next", "recall", "start")]
    assert codes == [200] * 36, codes
    assert_error(client.post("/api/tickets", json={"service": "B"}), 429, "rate_limited")


def test_wrong_method_and_unknown_path_are_json(client: Any) -> None:
    assert_error(client.get("/api/tickets"), 405, "method_not_allowed")
    assert_error(client.get("/api/nothing-here"), 404, "not_found")


# ------------------------------------------------------------------ counter actions


def test_counter_next_200_then_empty_409(client: Any, hub: Any, device_token: str) -> None:
    issue(client, device_token, "A")
    response = client.post("/api/counters/1/next", headers=bearer(device_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["called"] == "A-001" and body["ticket"] == "A-001"
    assert body["counter"] == "1" and body["zone"] == "lantai-1"
    body = assert_error(client.post("/api/counters/1/next", headers=bearer(device_token)), 409,
                        "empty")
    assert "Loket 1" in body["message"]


def test_counter_actions_sequence(client: Any, hub: Any, device_token: str) -> None:
    h = bearer(device_token)
    issue(client, device_token, "A")
    issue(client, device_token, "A")
    assert client.post("/api/counters/1/next", headers=h).get_json()["ticket"] == "A-001"
    recall = client.post("/api/counters/1/recall", headers=h)
    assert recall.status_code == 200 and recall.get_json()["called"] == "A-001"
    assert client.post("/api/counters/1/skip", headers=h).status_code == 200
    assert client.post("/api/counters/1/next", headers=h).get_json()["ticket"] == "A-002"
    transfer = client.post("/api/counters/1/transfer", json={"service": "b"}, headers=h)
    assert transfer.status_code == 200 and transfer.get_json()["ticket"] is None
    assert client.post("/api/counters/2/next", headers=h).get_json()["ticket"] == "A-002"
    assert client.post("/api/counters/2/done", headers=h).status_code == 200
    state = client.get("/api/counters/2", headers=h).get_json()
    assert state["ticket"] is None and state["status"] == "idle"
    with hub.db.session() as s:
        rows = dict(s.execute(select(Ticket.label, Ticket.status)).all())
    assert rows == {"A-001": "no_show", "A-002": "done"}


def _scoped_tokens(hub: Any) -> dict[str, str]:
    return {
        "counter5": create_token(hub.db, "bridge-2", "device", ["5"]),
        "announcer": create_token(hub.db, "announcer", "announcer"),
        "device": create_token(hub.db, "bridge-all", "device"),
    }


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "code"),
    [
        ("/api/counters/1/next", None, None, 401, "unauthorized"),
        ("/api/counters/1/next", {"Authorization": "Bearer lkt_nope"}, None, 401,
         "unauthorized"),
        ("/api/counters/1/next", {"Authorization": "Basic dXNlcjpwdw=="}, None, 401,
         "unauthorized"),
        ("/api/counters/1/next", "counter5", None, 403, "forbidden"),
        ("/api/counters/1/next", "announcer", None, 403, "forbidden"),
        ("/api/counters/1/close", "device", None, 403, "forbidden"),
        ("/api/counters/99/next", "device", None, 404, "unknown_counter"),
        ("/api/counters/1/explode", "device", None, 404, "unknown_action"),
        ("/api/counters/1/transfer", "device", {}, 400, "bad_request"),
        ("/api/counters/1/transfer", "device", {"service": "Z"}, 404, "unknown_service"),
        ("/api/counters/1/transfer", "device", {"service": "A"}, 409, "same_service"),
        ("/api/counters/1/transfer", "device", {"service": 3}, 400, "bad_request"),
        ("/api/counters/1/transfer", "device", {"service": "B", "x": 1}, 400, "bad_request"),
        ("/api/counters/1/next", "device", {"force": True}, 400, "bad_request"),
        ("/api/counters/2/recall", "device", None, 409, "no_current"),
        ("/api/counters/2/skip", "device", None, 409, "no_current"),
    ],
)
def test_counter_refusals_change_nothing(
    client: Any, hub: Any, device_token: str, path: str, headers: Any, body: Any, status: int,
    code: str,
) -> None:
    tokens = _scoped_tokens(hub)
    issue(client, device_token, "A")
    issue(client, device_token, "A")
    client.post("/api/counters/1/next", headers=bearer(device_token))
    if isinstance(headers, str):
        headers = bearer(tokens[headers])
    before = db_state(hub)
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    assert_error(client.post(path, **kwargs), status, code)
    assert db_state(hub) == before


def test_counter_bound_token_works_on_its_counter(client: Any, hub: Any, device_token: str) -> None:
    token = create_token(hub.db, "bridge-2", "device", ["5"])
    issue(client, device_token, "C")
    assert client.post("/api/counters/5/next", headers=bearer(token)).status_code == 200
    assert_error(client.get("/api/counters/1", headers=bearer(token)), 403, "forbidden")


def test_supervisor_token_opens_and_closes(client: Any, hub: Any) -> None:
    token = create_token(hub.db, "integration", "supervisor")
    assert client.post("/api/counters/1/close", headers=bearer(token)).get_json()["status"] \
        == "closed"
    assert client.post("/api/counters/1/open", headers=bearer(token)).get_json()["status"] \
        == "idle"


def test_revoked_token_is_refused(client: Any, hub: Any) -> None:
    from loket.server.auth import revoke_token
    from loket.server.models import ApiToken

    token = create_token(hub.db, "old-bridge", "device")
    assert_error(client.post("/api/counters/1/next", headers=bearer(token)), 409, "empty")
    with hub.db.session() as s:
        token_id = s.scalars(select(ApiToken.id).where(ApiToken.name == "old-bridge")).one()
    revoke_token(hub.db, token_id)
    assert_error(client.post("/api/counters/1/next", headers=bearer(token)), 401,
                 "unauthorized")


# ------------------------------------------------------------------ state and health


def test_state_and_healthz(client: Any, device_token: str) -> None:
    issue(client, device_token, "A")
    issue(client, device_token, "C")
    client.post("/api/counters/5/next", headers=bearer(device_token))
    state = client.get("/api/state").get_json()
    assert {"hall", "day", "at", "services", "counters", "calls", "running_text"} <= set(state)
    waiting = {s["prefix"]: s["waiting"] for s in state["services"]}
    assert waiting == {"A": 1, "B": 0, "C": 0}
    counter5 = next(c for c in state["counters"] if c["counter"] == "5")
    assert counter5["ticket"] == "C-001" and counter5["status"] == "serving"
    assert state["calls"][0]["ticket"] == "C-001"
    upstairs = client.get("/api/state?zone=lantai-2").get_json()
    assert [c["counter"] for c in upstairs["counters"]] == ["5"]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"
    assert health.get_json()["database"] == "ok"


def test_unknown_status_token_404(client: Any) -> None:
    assert_error(client.get("/api/tickets/status/nope"), 404, "not_found")
    assert_error(client.get("/api/tickets/status/" + "x" * 80), 404, "not_found")


# ------------------------------------------------------------------ sessions and CSRF


def _csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _login(client: Any, username: str, password: str) -> tuple[Any, str]:
    token = _csrf_from(client.get("/login").get_data(True))
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": password})
    return response, token


def test_officer_session_needs_csrf_header(client: Any, hub: Any, device_token: str) -> None:
    add_user(hub.db, "siti", "kata-sandi-panjang", "officer", ["1"])
    issue(client, device_token, "A")
    response, csrf = _login(client, "siti", "kata-sandi-panjang")
    assert response.status_code == 302
    before = db_state(hub)
    assert_error(client.post("/api/counters/1/next"), 400, "csrf")
    assert db_state(hub) == before
    ok = client.post("/api/counters/1/next", headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200 and ok.get_json()["ticket"] == "A-001"
    assert ok.get_json()["officer"] == "siti"
    # bound to counter 1 only
    assert_error(client.post("/api/counters/2/next", headers={"X-CSRFToken": csrf}), 403,
                 "forbidden")


def test_login_wrong_password_401_and_rate_limited(client: Any, hub: Any) -> None:
    add_user(hub.db, "budi", "kata-sandi-panjang", "supervisor")
    codes = []
    for _ in range(6):
        response, _ = _login(client, "budi", "salah-sandi-1234")
        codes.append(response.status_code)
    # [security] login_max_failures = 5: the fifth failure locks this account here
    assert codes == [401, 401, 401, 401, 429, 429]
    # even the right password is refused while this account is locked for this address
    response, _ = _login(client, "budi", "kata-sandi-panjang")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(True)


def test_login_without_csrf_is_refused(client: Any, hub: Any) -> None:
    add_user(hub.db, "ani", "kata-sandi-panjang", "officer", ["1"])
    response = client.post("/login", data={"username": "ani", "password": "kata-sandi-panjang"})
    assert response.status_code != 302
    assert_error(client.post("/api/counters/1/next"), 401, "unauthorized")


def test_security_headers(client: Any) -> None:
    response = client.get("/api/state")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
