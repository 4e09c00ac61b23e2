"""``Database.read_connection``: the read-only transaction of ``Database.read`` on a bare
connection (the assistance lookup of every call uses it). On SQLite it begins with a deferred
``BEGIN``: while another process holds the write lock it reads at once, where a write
transaction would wait for the lock and fail busy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from loket.server.db import Database, DatabaseBusy
from tests.support.locks import LockHolder


def test_read_connection_reads_while_another_process_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.db"
    db = Database(f"sqlite:///{path}", busy_timeout_s=0.5)
    db.upgrade()
    try:
        with LockHolder(path):
            # A write transaction would wait 0.5 s for the lock, then raise DatabaseBusy.
            with db.read_connection() as connection:
                assert connection.execute(text("SELECT count(*) FROM tickets")).scalar() == 0
            with pytest.raises(DatabaseBusy), db.session() as s:
                s.execute(text("SELECT 1"))
    finally:
        db.dispose()
