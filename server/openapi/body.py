"""Request bodies parsed by pydantic models: the models that refuse a bad body are the ones
the OpenAPI document (``GET /api/openapi.json``) and docs/api.md's field tables describe.

A refused body is ``400 {"error": "bad_request"}`` with a message naming the field, as the
hand-written checks said before: ``unknown field 'x'``, ``field 'x' must be str``,
``field 'x' is required``."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import BadRequest

from loket.server.errors import HubError, bad_request

TYPE_NAMES = {
    "string_type": "str", "int_type": "int", "bool_type": "bool", "list_type": "list",
    "float_type": "float", "dict_type": "object", "model_type": "object",
}
"""pydantic error types -> the type name a refusal gives."""


class Body(BaseModel):
    """A JSON request body: only the fields declared, each of exactly its JSON type (strict:
    ``"1"`` is not an int, ``1`` is not a bool)."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


M = TypeVar("M", bound=Body)


def raw_json() -> Any:
    """The request's JSON body, or HubError 400 when it is not JSON."""
    if not request.is_json:
        raise bad_request("the body must be JSON (Content-Type: application/json)")
    try:
        return request.get_json()
    except BadRequest as exc:  # not JSON, too deep, a lone surrogate, a huge number
        reason = (exc.description or "").removeprefix("Failed to decode JSON object: ")
        raise bad_request(f"the body is not valid JSON: {reason}") from None


def refusal(exc: ValidationError) -> HubError:
    """The first problem pydantic found, as a bad_request naming the field."""
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error.get("loc", ())]
    name = loc[0] if loc else ""
    where = ".".join(loc)
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return bad_request(f"unknown field {name!r}")
    if kind == "missing":
        return bad_request(f"field {name!r} is required")
    if kind in TYPE_NAMES and len(loc) == 1:
        return bad_request(f"field {name!r} must be {TYPE_NAMES[kind]}")
    message = str(error.get("msg", "is not valid")).encode("utf-8", "replace").decode()
    return bad_request(f"field {where!r}: {message[:200]}")


def parse_model(model: type[M], *, empty_ok: bool = False) -> M:
    """The body as ``model``; HubError 400 naming the field when it does not fit. With
    ``empty_ok``, a request without a body counts as ``{}``."""
    body: Any = {} if empty_ok and not request.content_length else raw_json()
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise refusal(exc) from None
    except (RecursionError, ValueError) as exc:  # pydantic-core refusing odd input
        raise bad_request(f"the body is not valid: {exc.__class__.__name__}") from None


def parse(model: type[Body], *, empty_ok: bool = False) -> dict[str, Any]:
    """The body parsed by ``model``, as a dict of the fields the client sent (JSON names,
    e.g. ``"from"``), so handlers keep reading ``body.get("from")``."""
    parsed = parse_model(model, empty_ok=empty_ok)
    return parsed.model_dump(by_alias=True, exclude_unset=True)
