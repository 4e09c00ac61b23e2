"""The OpenAPI 3.1 document of the hall's JSON API, built from the app's URL map, the request
models (:mod:`server.openapi.requests`), the answer models (:mod:`server.openapi.answers`),
the operations table (:mod:`loket.server.openapi.operations`) and the error table
(:data:`loket.server.errors.ERROR_STATUS`)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel

from loket.server.errors import ERROR_STATUS
from loket.server.openapi import answers
from loket.server.openapi.operations import OPERATIONS, PUBLIC, Operation
from loket.server.version import version

REF = "#/components/schemas/{model}"
TAGS = ("queue", "kiosk", "assistance", "supervisor", "reports", "survey", "signage",
        "integrations", "open data", "meta")
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def schema_of(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, Any]:
    """A ``$ref`` to ``model``'s JSON schema, adding it (and the models it uses) to
    ``components``."""
    schema = model.model_json_schema(by_alias=True, ref_template=REF, mode=mode)  # type: ignore[arg-type]
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, _tidy(sub))
    components.setdefault(model.__name__, _tidy(schema))
    return {"$ref": REF.format(model=model.__name__)}


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Without ``"default": null`` on fields that may be left out but not sent as null."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", 0) is None and "anyOf" not in prop:
            del prop["default"]
    return schema


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Flask's ``/api/x/<int:id>`` as ``/api/x/{id}`` with its path parameters."""
    params = []
    for converter, name in _PARAM.findall(rule):
        kind = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": kind})
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _errors(op: Operation, error_ref: dict[str, Any]) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in op.errors:
        by_status.setdefault(ERROR_STATUS.get(code, 400), []).append(code)
    out: dict[str, Any] = {}
    for status, codes in sorted(by_status.items()):
        out[str(status)] = {
            "description": "Refused: " + ", ".join(f"`{c}`" for c in codes),
            "content": {"application/json": {"schema": error_ref}},
        }
    out["default"] = {"description": "Any other refusal (see the error table)",
                      "content": {"application/json": {"schema": error_ref}}}
    return out


def _answer(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    if op.status == 204:
        return {"description": "Done (no body)"}
    if op.media == "text/csv":
        return {"description": "The file", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}}}}
    if op.media == "text/html":
        return {"description": "A page", "content": {"text/html": {"schema": {"type": "string"}}}}
    schema = schema_of(op.answer, components, "serialization") if op.answer else {}
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if op.query and any(name == "format" for name, _ in op.query):
        content["text/csv"] = {"schema": {"type": "string"}}
    return {"description": (op.answer.__doc__ or "OK").strip().splitlines()[0]
            if op.answer else "OK", "content": content}


def _request_body(op: Operation, components: dict[str, Any]) -> dict[str, Any] | None:
    if op.media == "multipart/form-data":
        return {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    if not op.body:
        return None
    refs = [schema_of(model, components, "validation") for model in op.body]
    schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {"required": op.body_required, "content": {"application/json": {"schema": schema}}}


def _security(op: Operation, method: str) -> list[dict[str, list[str]]]:
    if op.auth == PUBLIC:
        return [{}, {"bearer": []}]
    session: dict[str, list[str]] = {"session": [], "csrf": []} if method != "get" else {
        "session": []}
    return [{"bearer": []}, session]


def build(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error_ref = schema_of(answers.Error, components, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        op = OPERATIONS.get(rule.endpoint) or Operation(rule.endpoint, "other")
        path, params = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry: dict[str, Any] = {
                "operationId": rule.endpoint.replace(".", "_") + (
                    "" if len(rule.methods or ()) <= 3 else f"_{method.lower()}"),
                "summary": op.summary, "tags": [op.tag],
                "responses": {str(op.status): _answer(op, components), **_errors(op, error_ref)},
                "security": _security(op, method.lower()),
            }
            query = [{"name": name, "in": "query", "required": False,
                      "description": text, "schema": {"type": "string"}}
                     for name, text in op.query]
            if params or query:
                entry["parameters"] = params + query
            body = _request_body(op, components) if method != "GET" else None
            if body is not None:
                entry["requestBody"] = body
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loket API", "version": version(),
            "description": "The hall's JSON API (see docs/api.md). Every refusal is "
                           "`{\"error\": code, \"message\": text}`; the codes and their "
                           "HTTP status are listed under `x-error-codes`.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in TAGS],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "`loket token create` (device, supervisor, "
                                          "announcer or integration role)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "An officer's or supervisor's signed-in session "
                                           "(`/login`)."},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                         "description": "The page's CSRF token; required with the session "
                                        "cookie on every write."},
            },
        },
        "x-error-codes": dict(sorted(ERROR_STATUS.items())),
    }
