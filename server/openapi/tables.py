"""docs/api.md's request field tables, generated from the request models: each table sits
between ``<!-- fields: ModelName -->`` and ``<!-- /fields -->``. Rewrite them after changing a
model with ``python -m loket.server.openapi.tables docs/api.md``; a test fails while they differ."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from loket.server.openapi import requests
from loket.server.openapi.body import Body

BLOCK = re.compile(r"(<!-- fields: (\w+) -->\n)(.*?)(<!-- /fields -->)", re.S)


def _type(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        return "array"
    return {"string": "string", "integer": "integer", "boolean": "boolean",
            "number": "number", "null": "null", "object": "object"}.get(kind, "any")


def field_table(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    lines = ["| Key | Type | Required | |", "| --- | --- | --- | --- |"]
    for name, prop in schema.get("properties", {}).items():
        default = prop.get("default")
        note = prop.get("description", "")
        if name not in required and default not in (None, "") and "default" not in note:
            shown = str(default).lower() if isinstance(default, bool) else default
            note = f"default `{shown}`; {note}"
        needed = "yes" if name in required else "no"
        note = note.replace("|", "\\|")
        lines.append(f"| `{name}` | {_type(prop)} | {needed} | {note} |")
    return "\n".join(lines) + "\n"


def models() -> dict[str, type[BaseModel]]:
    return {name: value for name, value in vars(requests).items()
            if isinstance(value, type) and issubclass(value, Body)
            and value is not Body}


def render(text: str) -> str:
    """``text`` with every marked table regenerated (KeyError for an unknown model)."""
    known = models()
    return BLOCK.sub(lambda m: m.group(1) + field_table(known[m.group(2)]) + m.group(4), text)


def main(argv: list[str]) -> int:
    for name in argv or ["docs/api.md"]:
        path = Path(name)
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
