"""Engine, sessions and schema migrations.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``: a ticket the kiosk
was told about is on disk before the answer leaves, so a power cut cannot lose it. Writes use
``BEGIN IMMEDIATE`` so a read-decide-write (calling the next ticket) holds the database's
write lock from its first read, across threads and processes alike. PostgreSQL uses row locks
(see :mod:`loket.server.hub`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class Database:
    """One engine and its session factory."""

    def __init__(
        self, url: str, echo: bool = False, connect_timeout_s: float | None = None,
        pool_size: int = 10,
    ) -> None:
        """``connect_timeout_s`` (PostgreSQL): give up connecting after this long, and notice
        a silently dropped link through TCP keepalives (for the city's database over a WAN)."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
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
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(loket_read_only=True), expire_on_commit=False
        )

    @contextmanager
    def session(self, connection: Connection | None = None) -> Iterator[Session]:
        """A read-write transaction, committed on success and rolled back on error; on
        ``connection`` when given (see :meth:`cluster_lock`)."""
        if connection is None:
            with self._sessions() as session, session.begin():
                yield session
        else:
            with self._sessions(bind=connection) as session, session.begin():
                yield session

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

    def upgrade(self) -> None:
        """Bring the schema to the newest version (idempotent; safe on every start)."""
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Hub processes starting together migrate one at a time.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7242010)")
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("loket.server") / "migrations"))
    return cfg


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read_only = connection.get_execution_options().get("loket_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
