"""Who may use the admin API, and reading its bodies."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from pydantic import ValidationError

from loket.server.admin.store import InvalidChange
from loket.server.auth import Principal, require_principal
from loket.server.extensions import csrf
from loket.server.openapi.body import Body

ADMINS = ("admin",)
SUPERVISORS = ("supervisor", "admin")


def principal(*roles: str) -> Principal:
    """The caller, if one of ``roles``; a session's write must carry the CSRF token."""
    who = require_principal(*roles)
    if who.kind == "user" and request.method not in ("GET", "HEAD"):
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    return who


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidChange("body", "the body must be a JSON object")
    return data


def only(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    for key in data:
        if key not in allowed:
            raise InvalidChange(key, f"{key}: is not a known setting (check its spelling)")
    return data


def parsed(model: type[Body]) -> dict[str, Any]:
    """The body, its fields and JSON types checked by ``model`` (the one the OpenAPI document
    shows); a misfit is InvalidChange naming the field, as the values' own checks are."""
    data = body()
    try:
        model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = [str(part) for part in error.get("loc", ())]
        field = loc[0] if loc else "body"
        if error.get("type") == "extra_forbidden":
            raise InvalidChange(field, f"{field}: is not a known setting (check its spelling)"
                                ) from None
        message = str(error.get("msg", "is not valid")).encode("utf-8", "replace").decode()
        raise InvalidChange(field, f"{'.'.join(loc) or field}: {message[:200]}") from None
    except (RecursionError, ValueError) as exc:
        raise InvalidChange("body", f"body: not valid ({exc.__class__.__name__})") from None
    return data


def invalid_response(exc: InvalidChange) -> tuple[Response, int]:
    return jsonify({"error": "invalid", "message": str(exc), "field": exc.field}), 400
