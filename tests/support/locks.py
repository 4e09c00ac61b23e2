"""A second process holding a SQLite database's write lock, as `loket user add`, a backup or
a technician's ``sqlite3`` would (the tests of reads and bounded waits under a held lock)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
print("released", flush=True)
"""


class LockHolder:
    """A second process holding ``database``'s write lock from construction until
    :meth:`release` (or the end of a ``with`` block)."""

    def __init__(self, database: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(database)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        """Let the lock go and wait for the process to end (again: nothing)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            assert self.process.stdout.readline().strip() == "released"
            self.process.wait(10)

    def __enter__(self) -> LockHolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()
