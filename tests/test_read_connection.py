"""``Database.read_connection``: the read-only transaction of ``Database.read`` on a bare
connection (the assistance lookup of every call uses it). On SQLite it begins with a deferred
``BEGIN``: while another process holds the write lock it reads at once, where a write
transaction would wait for the lock and fail busy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from loket.server.db import Database, DatabaseBusy

HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def test_read_connection_reads_while_another_process_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.db"
    db = Database(f"sqlite:///{path}", busy_timeout_s=0.5)
    db.upgrade()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        # A write transaction would wait 0.5 s for the lock, then raise DatabaseBusy.
        with db.read_connection() as connection:
            assert connection.execute(text("SELECT count(*) FROM tickets")).scalar() == 0
        with pytest.raises(DatabaseBusy), db.session() as s:
            s.execute(text("SELECT 1"))
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
        db.dispose()
