"""Engine, sessions and schema migrations.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``: a ticket the kiosk
was told about is on disk before the answer leaves, so a power cut cannot lose it. Writes use
``BEGIN IMMEDIATE`` so a read-decide-write (calling the next ticket) holds the database's
write lock from its first read, across threads and processes alike; reads use a deferred
``BEGIN`` (:meth:`Database.read`) and never wait for that lock. PostgreSQL uses row locks
(see :mod:`loket.server.hub`).

Waiting for the write lock never freezes the hub's event loop: SQLite's own busy wait is C
code that gevent cannot interrupt, so it is kept to :data:`BUSY_SLICE_MS`, and ``BEGIN
IMMEDIATE`` is retried with ``time.sleep`` between attempts (cooperative under gevent) until
``busy_timeout_s`` has passed; then :class:`DatabaseBusy` (``503 {"error": "busy"}``) is
raised. Nothing was written: the lock is taken at ``BEGIN``, before the first statement.

Nor need waiting for the disk: with ``[storage] commit_off_loop`` (off by default: on a fast
disk the hand-over costs more than the flush), a write transaction's ``COMMIT`` (its fsync)
runs in gevent's threadpool when the hub runs on gevent (:class:`OffLoopCommitConnection`);
the writing greenlet waits for it cooperatively, still holding its connection (and the hub's
write order), while the loop keeps pushing to displays and accepting requests."""

from __future__ import annotations

import logging
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from loket.server.errors import HubError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

BUSY_SLICE_MS = 10
"""SQLite's own busy wait (``PRAGMA busy_timeout``): the longest one attempt to take a lock
blocks the calling thread (under gevent: the whole event loop)."""
DEFAULT_BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's write lock before :class:`DatabaseBusy`
(the hub's default; ``[storage] busy_timeout_s``)."""
CLI_BUSY_TIMEOUT_S = 30.0
"""The same wait for a command-line process (``loket user add``, ``loket token create``...),
which has no hall to keep answering."""
_RETRY_FIRST_S = 0.002
_RETRY_MAX_S = 0.05


class DatabaseBusy(HubError):
    """The database's write lock stayed with another process longer than the bound: the write
    was refused before it began (``503 {"error": "busy"}``)."""

    def __init__(self, waited_s: float) -> None:
        super().__init__("busy")
        self.waited_s = waited_s


class Database:
    """One engine and its session factory."""

    def __init__(
        self, url: str, echo: bool = False, connect_timeout_s: float | None = None,
        pool_size: int = 10, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        commit_off_loop: bool = False,
    ) -> None:
        """``connect_timeout_s`` (PostgreSQL): give up connecting after this long, and notice
        a silently dropped link through TCP keepalives (for the city's database over a WAN).
        ``busy_timeout_s`` (SQLite): how long a write waits, cooperatively, for the write lock
        another process holds before :class:`DatabaseBusy`. ``commit_off_loop`` (SQLite): a
        write's commit waits for the disk in gevent's threadpool under gevent
        (:class:`OffLoopCommitConnection`); False: on the calling thread."""
        self.url = make_url(url)
        self.busy_timeout_s = busy_timeout_s
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_SLICE_MS / 1000, "check_same_thread": False}
            if commit_off_loop:
                kwargs["connect_args"]["factory"] = OffLoopCommitConnection
        else:
            kwargs.update(pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True)
            if connect_timeout_s is not None and self.url.get_backend_name() == "postgresql":
                kwargs["connect_args"] = {
                    "connect_timeout": max(1, round(connect_timeout_s)),
                    "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                    "keepalives_count": 3,
                }
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout_s)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(loket_read_only=True)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @contextmanager
    def session(
        self, connection: Connection | None = None, *, busy_timeout_s: float | None = None
    ) -> Iterator[Session]:
        """A read-write transaction, committed on success and rolled back on error; on
        ``connection`` when given (see :meth:`cluster_lock`). SQLite: it waits for another
        process's write lock at most ``busy_timeout_s`` (default: the database's bound; 0 for
        a best-effort write such as a "last seen" stamp), then raises :class:`DatabaseBusy`."""
        if connection is None:
            if busy_timeout_s is None:
                maker = self._sessions()
            else:
                maker = self._sessions(bind=self.engine.execution_options(
                    loket_busy_timeout_s=busy_timeout_s))
            with maker as session, session.begin():
                yield session
        else:
            with self._sessions(bind=connection) as session, session.begin():
                yield session

    @contextmanager
    def best_effort(self) -> Iterator[Session]:
        """A write that may be skipped (a "last seen" stamp during a read): a transaction
        that does not wait for another process's write lock. When that lock is held the block
        stops at its first statement, nothing is written and no error leaves the block."""
        try:
            with self.session(busy_timeout_s=0.0) as session:
                yield session
        except DatabaseBusy:
            log.debug("best-effort write skipped: the database is busy")

    @contextmanager
    def cluster_lock(self, key: int) -> Iterator[Connection | None]:
        """PostgreSQL: hold a session-level advisory lock for the whole block, across every
        process sharing the database, on one pooled connection that the block's transaction
        can use too (so a waiter holds one connection, not two). It is released at the end of
        the block, or by the server if this process dies. SQLite: yields None (one file, one
        write lock: nothing to add)."""
        if self.is_sqlite:
            yield None
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({int(key)})")
            connection.commit()
            try:
                yield connection
            finally:
                try:
                    if connection.in_transaction():
                        connection.rollback()
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({int(key)})")
                    connection.commit()
                except Exception:
                    log.exception("could not release advisory lock %d; dropping the connection",
                                  key)
                    connection.invalidate()  # the server releases it with the session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: on SQLite a deferred ``BEGIN``, so readers (snapshots,
        token checks, status pages) never queue for the write lock."""
        with self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """The same read-only transaction as :meth:`read` on a bare connection, for a Core
        statement read on a hot path (no ORM session: it costs more than a short query)."""
        with self._read_engine.connect() as connection, connection.begin():
            yield connection

    def upgrade(self) -> None:
        """Bring the schema to the newest version (idempotent; safe on every start). alembic
        (and mako) are imported only here: ``loket serve`` runs this in a short child
        process, so the serving hub never holds them (docs/benchmarks.md)."""
        from alembic import command

        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Hub processes starting together migrate one at a time.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7242010)")
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or before the file is replaced)."""
        self.engine.dispose()


def alembic_config() -> AlembicConfig:
    """Alembic's configuration for Loket's migrations (``server/migrations``)."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("loket.server") / "migrations"))
    return cfg


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SLICE_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        dbapi_connection = connection.connection.driver_connection
        assert isinstance(dbapi_connection, sqlite3.Connection)
        options = connection.get_execution_options()
        if isinstance(dbapi_connection, OffLoopCommitConnection):
            dbapi_connection.changes_at_begin = dbapi_connection.total_changes
        if options.get("loket_read_only", False):
            dbapi_connection.execute("BEGIN")
        else:
            begin_immediate(dbapi_connection,
                            options.get("loket_busy_timeout_s", busy_timeout_s))


def begin_immediate(connection: sqlite3.Connection, busy_timeout_s: float) -> None:
    """``BEGIN IMMEDIATE`` on ``connection``, waiting for another process's write lock with
    cooperative sleeps; :class:`DatabaseBusy` after ``busy_timeout_s``."""
    started = time.monotonic()
    delay = _RETRY_FIRST_S
    while True:
        if _COMMITTING and _loop_threadpool() is not None:  # on the loop that awaits them
            for committing in list(_COMMITTING):  # this process's own commits in the thread:
                committing.wait()  # waited for cooperatively, not in SQLite's busy wait
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        waited = time.monotonic() - started
        if waited >= busy_timeout_s:
            if busy_timeout_s > 0:
                log.warning("the database's write lock stayed with another process for %.1f s;"
                            " a write was refused (busy)", waited)
            raise DatabaseBusy(waited)
        time.sleep(min(delay, max(0.0, busy_timeout_s - waited)))
        delay = min(delay * 2, _RETRY_MAX_S)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


_COMMITTING: set[Any] = set()
"""The commits running in gevent's threadpool now (their ``AsyncResult``): a ``BEGIN
IMMEDIATE`` of this process waits for them cooperatively instead of in SQLite's busy wait."""


class OffLoopCommitConnection(sqlite3.Connection):
    """A SQLite connection whose ``COMMIT`` of a write waits for the disk off the event loop.

    Under gevent (standard library patched, called from a greenlet of the loop's thread) a
    commit of a transaction that changed rows runs in the hub's threadpool: the sqlite3 module
    releases the GIL while SQLite writes and fsyncs, so every other greenlet keeps running. The
    caller waits cooperatively and returns, or raises the commit's own error (SQLAlchemy then
    rolls back as before), only once the commit is over: nothing else can use the connection
    meanwhile. Otherwise (threads, tests, the command line, a read) it commits in place."""

    changes_at_begin = -1
    """``total_changes`` when the current transaction began (see ``_configure_sqlite``)."""

    def commit(self) -> None:
        """Commit the current transaction (see the class)."""
        pool = _loop_threadpool() if self.total_changes != self.changes_at_begin else None
        if pool is None:
            super().commit()
            return
        result = pool.spawn(super().commit)
        _COMMITTING.add(result)
        try:
            result.get()
        except BaseException:
            # Interrupted (a kill, a timeout) while SQLite still commits in the thread: wait
            # for it, so the connection is never used by two threads at once, then go on.
            while not result.ready():
                try:
                    result.wait()
                except BaseException:  # the first interruption is the one raised
                    continue
            raise
        finally:
            _COMMITTING.discard(result)


def _loop_threadpool() -> Any:
    """gevent's threadpool when the caller is a greenlet of a gevent loop that may wait for
    it (standard library patched), else None."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return None
    from gevent import getcurrent
    from gevent._hub_local import get_hub_if_exists

    hub = get_hub_if_exists()
    if hub is None or getcurrent() is hub:  # a worker thread, or the loop itself
        return None
    return hub.threadpool
