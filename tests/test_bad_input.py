"""Issue 12 item 7: bad input is a 4xx with the documented error body, never a 500. Deeply
nested JSON, a lone surrogate in a string field and integers too large for the database are
thrown at every endpoint of the app's URL map (bodies and paths), as a signed-in admin (so the
input reaches the handlers) and anonymously."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from werkzeug.exceptions import InternalServerError

from loket.server.app import create_app
from loket.server.auth import add_user
from loket.server.config import load_config
from tests.support.login import PASSWORD
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)

SURROGATE = "\ud800"
HUGE = 2**64
NESTED = "[" * 5000 + "]" * 5000
NESTED_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
FIELDS = ("service", "priority", "kiosk", "text", "paused", "note", "from", "to", "limit",
          "status_token", "survey_token", "scores", "comment", "token", "id")
VALID: dict[str, dict[str, Any]] = {
    "/api/tickets": {"service": "A", "kiosk": "k1", "priority": False},
    "/api/counters/1/transfer": {"service": "B"},
    "/api/supervisor/move": {"from": "A", "to": "B", "limit": 1},
    "/api/supervisor/paused": {"service": "A", "paused": True},
    "/api/supervisor/running-text": {"text": "Selamat datang"},
    "/api/supervisor/complaints/1/handled": {"note": "ditangani"},
    "/api/survey": {"status_token": "x", "scores": [4] * 9, "comment": "baik"},
}
PATH_VALUES = {"counter_id": "1", "action": "transfer", "kiosk_id": "k1", "token": "x",
               "response_id": "1", "call_id": "1", "fmt": "csv", "filename": "x.js",
               "package": "x"}


def _paths(rule: str) -> list[str]:
    """The rule with plausible values, then with each parameter made hostile."""
    params = re.findall(r"<(?:(\w+):)?(\w+)>", rule)

    def build(bad: str | None, value: str) -> str:
        out = rule
        for conv, name in params:
            token = f"<{conv}:{name}>" if conv else f"<{name}>"
            out = out.replace(token, value if name == bad else PATH_VALUES.get(name, "1"))
        return out

    paths = [build(None, "")]
    for _, name in params:
        paths += [build(name, str(HUGE)), build(name, str(2**40)), build(name, "%ED%A0%80"),
                  build(name, "x" * 300)]
    return paths


def _bodies(path: str) -> list[str]:
    valid = next((v for p, v in VALID.items() if path == p), {})
    bodies = [NESTED, NESTED_OBJECT, json.dumps({"a": json.loads("[" * 40 + "]" * 40)})]
    for key in (*valid, *FIELDS):
        for bad in (SURROGATE, "ok" + SURROGATE, HUGE, -HUGE, 2**40, [HUGE], [SURROGATE]):
            body = dict(valid, **{key: bad})
            bodies.append(json.dumps(body))  # json.dumps escapes the surrogate as \ud800
    return bodies


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} " \
                                       f"{response.get_data(True)[:300]}"
    if response.status_code >= 400 and response.mimetype == "application/json":
        body = response.get_json()
        # The documented error body; an admin change's refusal also names its field.
        expected = {"error", "message", "field"} if body.get("error") == "invalid" else {
            "error", "message"}
        assert set(body) == expected, (what, body)
        assert not body["message"].startswith("error."), (what, body)


def signed_in_admin(app: Any) -> tuple[Any, dict[str, str]]:
    hub = app.extensions["loket.hub"]
    client = app.test_client()
    add_user(hub.db, "admin1", PASSWORD, "admin")
    page = client.get("/login").get_data(True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"username": "admin1", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert meta
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    return client, {"X-CSRFToken": meta.group(1)}


@pytest.fixture
def admin(app: Any) -> tuple[Any, dict[str, str]]:
    return signed_in_admin(app)


@pytest.mark.slow
def test_every_endpoint_refuses_hostile_input_with_4xx(app: Any, admin: Any) -> None:
    throw_everything(app, *admin)


@pytest.mark.services
def test_every_endpoint_refuses_hostile_input_on_postgresql(pg_url: str,  # noqa: F811
                                                            write_config: Any) -> None:
    """PostgreSQL's integers are 32-bit: the limits must hold there too."""
    config = load_config(write_config(extra=f'[storage]\nurl = "{pg_url}"\n'))
    app = create_app(config, async_mode="threading", testing=True)
    try:
        throw_everything(app, *signed_in_admin(app))
    finally:
        app.extensions["loket.hub"].db.dispose()


def throw_everything(app: Any, signed_in: Any, headers: dict[str, str]) -> None:
    anonymous = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if not r.rule.endswith("/logout")]
    assert len(rules) > 30
    tried = 0
    for rule in rules:
        for path in _paths(rule.rule):
            for client in (signed_in, anonymous):
                if "GET" in rule.methods:
                    query = "?limit=" + str(HUGE) + "&from=" + str(HUGE) + "&id=" + str(HUGE)
                    _check(client.get(path + query, headers=headers), f"GET {path}")
                    tried += 1
                if "POST" in rule.methods:
                    for body in _bodies(path):
                        response = client.post(path, data=body, headers=headers,
                                               content_type="application/json")
                        _check(response, f"POST {path} {body[:80]}")
                        tried += 1
    assert tried > 1000


@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT, '{"service": "\\ud800"}',
                                  '{"service": "A", "kiosk": "\\udfff"}',
                                  '{"service": "A", "kiosk": 123456789012345678901234567890}'])
def test_bad_json_is_a_documented_400(client: Any, body: str) -> None:
    response = client.post("/api/tickets", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"
    assert "JSON" in response.get_json()["message"] or "kiosk" in response.get_json()["message"]


def test_ids_too_large_for_the_database_are_not_found(admin: Any) -> None:
    client, headers = admin
    response = client.post(f"/api/supervisor/complaints/{HUGE}/handled", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.post("/api/supervisor/move", headers=headers,
                           json={"from": "A", "to": "B", "limit": 2**62})
    assert response.status_code < 500


def test_a_500_is_translated(app: Any, client: Any) -> None:
    @app.get("/api/_boom")
    def boom() -> Any:
        raise InternalServerError()

    body = client.get("/api/_boom").get_json()
    assert body["error"] == "internal"
    assert body["message"] == "Terjadi kesalahan pada server."
    assert client.get("/api/_boom?lang=en").get_json()["message"] == "The server had an error."
