"""Writing a hall's configuration as a valid, commented ``loket.toml`` (``loket config
export``): every table gets its documentation as a comment, taken from the same field
docstrings as docs/configuration.md."""

from __future__ import annotations

from typing import Any

import tomlkit
from pydantic import BaseModel
from tomlkit.items import AoT, Table

from loket.server.config import LoketConfig

HEADER = (
    "loket.toml written by `loket config export` from the hall's live configuration.",
    "Apply it to a hall with `loket config import FILE` (--dry-run shows the changes).",
    "Reference of every key: docs/configuration.md.",
)


def _doc(model: type[BaseModel], key: str) -> str:
    field = model.model_fields.get(key)
    return (field.description or "").split("\n", 1)[0] if field else ""


def _clean(value: Any) -> Any:
    """Drop ``None`` values (TOML has no null) recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _table(data: dict[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in data.items():
        table.add(key, value)
    return table


def export_toml(config: LoketConfig) -> str:
    """The whole of ``config`` as TOML text, defaults left out, each table commented."""
    data = _clean(config.model_dump(exclude_defaults=True))
    doc = tomlkit.document()
    for line in HEADER:
        doc.add(tomlkit.comment(line))
    for key in LoketConfig.model_fields:
        if key not in data:
            continue
        value = data[key]
        doc.add(tomlkit.nl())
        note = _doc(LoketConfig, key)
        if note:
            doc.add(tomlkit.comment(note))
        if isinstance(value, list):
            array = AoT([])
            for item in value:
                array.append(_table(item))
            doc.add(key, array)
        elif isinstance(value, dict):
            doc.add(key, _table(value))
        else:
            doc.add(key, value)
    return tomlkit.dumps(doc)
