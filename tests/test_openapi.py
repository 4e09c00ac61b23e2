"""Issue 20 (and 13): the OpenAPI contract. One table of error codes; request bodies parsed by
the pydantic models that make ``GET /api/openapi.json`` and docs/api.md's field tables; the
document valid OpenAPI 3.1 and covering every ``/api/`` route; real answers conforming to it
(Schemathesis against a live hub); integration tokens with their own scope and limits."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from loket.server.auth import create_token
from loket.server.errors import ERROR_STATUS
from loket.server.openapi import requests as req
from loket.server.openapi.operations import OPERATIONS
from loket.server.openapi.tables import BLOCK, models, render

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "api.md"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def spec(client: Any) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    document: dict[str, Any] = response.get_json()
    return document


# ------------------------------------------------------------------ the document


def test_document_is_valid_openapi_31_with_the_fixed_paths(client: Any) -> None:
    document = spec(client)
    validate(document)  # openapi-spec-validator: raises on an invalid document
    assert document["openapi"].startswith("3.1")
    for path in ("/api/tickets", "/api/counters/{counter_id}/{action}", "/api/state"):
        assert path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["session"]["in"] == "cookie" and schemes["csrf"]["in"] == "header"
    issue = document["paths"]["/api/tickets"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TicketRequest")
    assert issue["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TicketIssued")
    assert "quota_full" in issue["responses"]["409"]["description"]
    assert document["x-error-codes"]["quota_full"] == 409


def test_every_api_route_is_in_the_document(app: Any, client: Any) -> None:
    document = spec(client)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        assert rule.endpoint in OPERATIONS, f"{rule.rule} ({rule.endpoint}) has no operation"
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (method, path)
    used = {model for op in OPERATIONS.values() for model in op.body}
    assert used == set(models().values()), "every request model belongs to a route"


def test_answers_conform_to_their_schemas(client: Any, device_token: str) -> None:
    """The main answers (ticket, counter state, snapshot, error) against the document."""
    document = spec(client)

    def check(path: str, method: str, status: int, body: Any) -> None:
        schema = document["paths"][path][method]["responses"][str(status)]["content"][
            "application/json"]["schema"]
        resolver = dict(schema, components=document["components"])
        jsonschema.validate(body, resolver, cls=jsonschema.Draft202012Validator)

    issued = client.post("/api/tickets", json={"service": "A"})
    check("/api/tickets", "post", 201, issued.get_json())
    opened = client.post("/api/counters/1/open", headers=bearer(create_token(
        client.application.extensions["loket.hub"].db, "sup", "supervisor")))
    check("/api/counters/{counter_id}/{action}", "post", 200, opened.get_json())
    called = client.post("/api/counters/1/next", headers=bearer(device_token))
    check("/api/counters/{counter_id}/{action}", "post", 200, called.get_json())
    check("/api/state", "get", 200, client.get("/api/state").get_json())
    token = issued.get_json()["status_token"]
    check("/api/tickets/status/{token}", "get", 200,
          client.get(f"/api/tickets/status/{token}").get_json())
    refused = client.post("/api/tickets", json={"service": "Z"})
    check("/api/tickets", "post", 404, refused.get_json())
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        check("/api/tickets", "post", 201, {"ticket": 1})


def test_docs_page_is_served_with_its_library(client: Any) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(True)
    assert "<script>" not in html  # the CSP allows no inline script
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        asset = client.get(src)
        assert asset.status_code == 200, src
        asset.close()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


# ------------------------------------------------------------------ one table of error codes


def test_raise_sites_name_only_the_code() -> None:
    """No ``HubError("code", 404)``: the status comes from server/errors.py's table."""
    offenders = []
    for path in [*ROOT.joinpath("server").rglob("*.py"), *ROOT.joinpath("counter_panel").rglob(
            "*.py"), *ROOT.joinpath("audio").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HubError"
                    and len(node.args) > 1):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HubError"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                assert node.args[0].value in ERROR_STATUS, \
                    f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[0].value} not in table"
    assert not offenders, offenders


def test_the_documented_error_table_matches_the_code_table() -> None:
    rows = re.findall(r"^\| (\d{3}) \| `(\w+)` \|", DOCS.read_text(encoding="utf-8"), re.M)
    documented = {code: int(status) for status, code in rows}
    assert documented, "the error table in docs/api.md"
    for code, status in documented.items():
        assert ERROR_STATUS.get(code) == status, (code, status, ERROR_STATUS.get(code))
    missing = set(ERROR_STATUS) - set(documented) - {"error"}
    assert not missing, f"codes missing from docs/api.md's table: {sorted(missing)}"
    assert ERROR_STATUS["unknown_action"] == 404  # as documented (hub.py said 400)


def test_unknown_action_is_404_from_the_hub_too(hub: Any) -> None:
    from loket.server.errors import HubError

    with pytest.raises(HubError) as info:
        hub.counter_action("1", "explode", actor="test")
    assert (info.value.code, info.value.status) == ("unknown_action", 404)


# ------------------------------------------------------------------ bodies parsed by models


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/api/tickets", {"service": "A", "colour": "red"}, "unknown field 'colour'"),
    ("/api/tickets", {"service": 1}, "field 'service' must be str"),
    ("/api/tickets", {"service": "A", "priority": 1}, "field 'priority' must be bool"),
    ("/api/tickets", {"priority": False}, "field 'service' is required"),
    ("/api/tickets", {"service": "A", "kiosk": None}, "field 'kiosk' must be str"),
    ("/api/tickets", ["A"], "the body must be a JSON object"),
    ("/api/supervisor/complaints/1/handled", {"note": None}, "field 'note' must be str"),
    ("/api/supervisor/move", {"from": "A", "to": "B", "limit": True},
     "field 'limit' must be int"),
    ("/api/survey", {"status_token": "x"}, "field 'scores' is required"),
])
def test_refusals_name_the_field(client: Any, hub: Any, path: str, body: Any,
                                 message: str) -> None:
    sup = bearer(create_token(hub.db, "sup", "supervisor"))
    response = client.post(path, json=body, headers=sup, query_string={"lang": "en"})
    assert response.status_code == 400, response.get_data(True)
    answer = response.get_json()
    assert answer["error"] == "bad_request" and message in answer["message"], answer


def test_field_tables_in_the_docs_are_generated_from_the_models() -> None:
    text = DOCS.read_text(encoding="utf-8")
    tabled = {m.group(2) for m in BLOCK.finditer(text)}
    assert tabled == set(models()) - {"NoBody"}, sorted(set(models()) ^ tabled)
    assert render(text) == text, "run: python -m loket.server.openapi.tables docs/api.md"
    # and the check can fail: a field the model lacks
    assert render(text.replace("| `phone` | string |", "| `mobile` | string |", 1)) != \
        text.replace("| `phone` | string |", "| `mobile` | string |", 1)


def test_models_mirror_the_handlers_types() -> None:
    """The bodies' fields that are JSON-only aliases (``from``) keep their JSON name."""
    assert "from" in req.MoveBody.model_json_schema(by_alias=True)["properties"]
    assert req.MoveBody.model_validate({"from": "A", "to": "B"}).model_dump(
        by_alias=True, exclude_unset=True) == {"from": "A", "to": "B"}


# ------------------------------------------------------------------ integration tokens


def test_integration_tokens_read_or_act_with_their_own_limits(write_config: Any) -> None:
    from loket.server.app import create_app
    from loket.server.config import load_config

    config = load_config(write_config(extra="""
        [integrations]
        read_rate_limit = "6 per minute"
        act_rate_limit = "2 per minute"
    """))
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    client = app.test_client()
    try:
        reader = bearer(create_token(hub.db, "dinas-read", "integration"))
        actor = bearer(create_token(hub.db, "dinas-act", "integration-act"))
        assert client.get("/api/state", headers=reader).status_code == 200
        state = client.get("/api/counters/1", headers=reader)
        assert state.status_code == 200 and state.get_json()["officer"] is None
        # read scope: no writes, not even a ticket
        refused = client.post("/api/tickets", json={"service": "A"}, headers=reader)
        assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
        assert client.post("/api/counters/1/next", headers=actor).status_code == 403
        # acting scope: tickets, including priority, counted on its own limit
        issued = client.post("/api/tickets", json={"service": "A", "priority": True},
                             headers=actor)
        assert issued.status_code == 201 and issued.get_json()["priority"] is True
        assert client.post("/api/tickets", json={"service": "A"}, headers=actor).status_code \
            == 201
        third = client.post("/api/tickets", json={"service": "A"}, headers=actor)
        assert third.status_code == 429 and third.get_json()["error"] == "rate_limited"
        # the reader's own allowance: 6 a minute (2 used above; a refused write is not
        # counted), then 429
        codes = [client.get("/api/state", headers=reader).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429], codes
        # others are not counted against it
        assert client.get("/api/state").status_code == 200
    finally:
        hub.db.dispose()


def test_token_create_integration_scope(write_config: Any) -> None:
    path = write_config()
    base = [sys.executable, "-m", "loket", "token", "create", "--config", str(path),
            "--role", "integration", "--name", "dinas"]
    read = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, check=True)
    act = subprocess.run([*base, "--scope", "act"], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert read.stdout.strip().splitlines()[-1].startswith("lkt_")
    assert "integration-act" in act.stdout
    listed = subprocess.run([sys.executable, "-m", "loket", "token", "list", "--config",
                             str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "integration-act" in listed.stdout and "integration" in listed.stdout


# ------------------------------------------------------------------ the fuzzer, live


@pytest.mark.slow
def test_schemathesis_against_a_live_hub(live_hub: Any, tmp_path: Path) -> None:
    """Every operation with generated inputs (bounded: a few examples each, deterministic):
    never a 5xx, every answer conforming to its documented schema."""
    hub = live_hub()
    token = hub.token("supervisor", "fuzzer")
    for headers in (["-H", f"Authorization: Bearer {token}"], []):
        run = subprocess.run(
            [str(Path(sys.executable).with_name("st")), "run", hub.url + "/api/openapi.json",
             "--checks", "not_a_server_error,response_schema_conformance",
             "--max-examples", "4", "--generation-deterministic", "--no-color",
             "--request-timeout", "10", "--phases", "examples,coverage,fuzzing",
             "--report-dir", str(tmp_path), *headers],
            cwd=tmp_path, capture_output=True, text=True, timeout=400)
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert "passed" in run.stdout
    assert "Traceback" not in hub.log_path.read_text()


# ------------------------------------------------------------------ the readable reference


@pytest.mark.browser
def test_docs_page_renders_under_the_csp(live_hub: Any, page: Any, tmp_path: Path) -> None:
    """``/api/docs`` in Chromium with the hub's CSP: Swagger UI renders the operations from
    the hub's own document, loads nothing from elsewhere, and the browser reports no CSP
    violation."""
    hub = live_hub()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(hub.url + "/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/tickets" in p for p in paths) and any("/api/state" in p for p in paths)
    page.screenshot(path=str(tmp_path / "api-docs.png"))
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert all(url.startswith(hub.url) for url in page.requests_seen), page.requests_seen


def test_json_object_shim_still_parses_with_a_model(app: Any) -> None:
    """Routes of other parts that still call ``loket.server.api.json_object`` get the same strict
    parsing (and the same refusals) as the models."""
    from loket.server.api import json_object
    from loket.server.errors import HubError

    with app.test_request_context("/api/x", method="POST", json={"a": "x", "b": None}):
        assert json_object({"a": str, "b": (int, type(None))}) == {"a": "x", "b": None}
    for body, message in (({"a": None}, "field 'a' must be str"),
                          ({"c": 1}, "unknown field 'c'"),
                          ({"b": True}, "field 'b'")):
        with app.test_request_context("/api/x", method="POST", json=body), \
                pytest.raises(HubError) as info:
            json_object({"a": str, "b": (int, type(None))})
        assert info.value.code == "bad_request" and message in info.value.params["reason"]
