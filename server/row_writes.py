"""Column writes of a loaded row with one Core ``UPDATE`` by primary key, for the hub's hot
path (a counter's key press writes the counter's row and finishes its ticket on every NEXT).

SQLAlchemy's unit of work finds what changed in every object of the session, orders the
statements and runs them: for the two rows of a NEXT that was most of the CPU of its flush
(docs/benchmarks.md, "The NEXT in Core statements"). :func:`write_columns` writes the given
columns at once on the session's connection, in the same transaction, and records them on the
object as loaded, so the object reads the new values and the next flush has nothing left to
write for them. Anything else changed on the object is still written by the flush as usual."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from loket.server.models import Base

_KEY = "_row_writes_key"
"""The primary key's bound parameter (a name no column has)."""
_PREFIX = "_row_writes_"
"""Prefix of the new values' bound parameters (a column's own name is reserved for it)."""


@functools.cache
def _statement(table: Table, columns: tuple[str, ...]) -> Update:
    """``UPDATE table SET <columns> WHERE <primary key> = :_row_writes_key``, built once."""
    (key,) = table.primary_key.columns
    return update(table).where(key == bindparam(_KEY)).values(
        {name: bindparam(_PREFIX + name) for name in columns})


def write_columns(s: Session, row: Base, values: Mapping[str, Any]) -> None:
    """Set ``values`` (column name -> value) on ``row``, an object loaded in ``s``, and write
    them now in ``s``'s transaction; the object is left with them as loaded values."""
    table = row.__table__
    assert isinstance(table, Table)
    (key,) = table.primary_key.columns
    params = {_PREFIX + name: value for name, value in values.items()}
    params[_KEY] = getattr(row, key.key)
    s.connection().execute(_statement(table, tuple(values)), params)
    for name, value in values.items():
        set_committed_value(row, name, value)
