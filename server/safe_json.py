"""Request JSON that cannot crash a handler: deeply nested documents, lone surrogates
(``"\\ud800"``, which no database or UTF-8 encoder accepts) and integers beyond what the
database stores are refused as bad JSON, so every route answers 400 instead of 500. Also the
``int`` URL converter, bounded to the database's integers (a bigger id is simply not found)."""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_DEPTH = 32
"""Deepest nesting of objects and arrays accepted in a request body."""
MAX_INT = 2**53 - 1
"""Largest integer accepted in a body (what JavaScript represents exactly); the database's
own limits are checked by the routes or answered 400 by the error handlers."""
DB_INT_MAX = 2**31 - 1
"""Largest id in a URL (PostgreSQL ``integer``)."""


class BadJSON(ValueError):
    """A request body that parsed but cannot be used (too deep, bad text, huge number)."""


def check_value(value: Any, depth: int = 0) -> None:
    """Raise :class:`BadJSON` for what no route can use."""
    if depth > MAX_DEPTH:
        raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadJSON("a string holds an unpaired surrogate (invalid Unicode)") from None
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            raise BadJSON(f"a number is larger than {MAX_INT}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, depth + 1)
            check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_value(item, depth + 1)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON with the checks of :func:`check_value` on every request body."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:  # not a ValueError: Flask would answer 500
            raise BadJSON(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        check_value(value)
        return value


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids the database can hold (larger: 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)

