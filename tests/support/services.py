"""Real PostgreSQL and Redis servers for tests, on loopback ports of their own.

Session-scoped fixtures (``pg_server``, ``redis_server``) start Debian's ``postgres`` (15) and
``redis-server`` once per test session and stop them at its end; ``pg_url`` gives each test a
fresh database. PostgreSQL refuses to run as root, so under root the cluster belongs to the
``postgres`` system user (created by Debian's package) and is started with ``runuser``.
The fixtures skip, with the reason, only when the binaries are missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.wait import wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path | None:
    """Directory of the newest installed PostgreSQL server binaries (Debian layout)."""
    env = os.environ.get("LOKET_PG_BIN")
    candidates = [env] if env else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _as_owner(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


class PostgresServer:
    """A throwaway cluster: trust authentication on 127.0.0.1 only, fsync off (tests).

    ``durable=True`` keeps PostgreSQL's own defaults (fsync, synchronous commit, full-page
    writes) for benchmarks that compare it with SQLite's durable commits."""

    user = "loket"

    def __init__(self, bin_dir: Path, base: Path, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.base = base
        self.durable = durable
        self.data = base / "data"
        self.sockets = base / "run"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = base / "postgres.log"

    def start(self) -> PostgresServer:
        self.base.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.sockets, "postgres")
        if not self.data.exists():
            subprocess.run(
                _as_owner([str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", self.user,
                           "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-N"]),
                check=True, capture_output=True,
            )
        log = self.log_path.open("ab")
        fast = [] if self.durable else ["-c", "fsync=off", "-c", "synchronous_commit=off",
                                        "-c", "full_page_writes=off"]
        self.process = subprocess.Popen(
            _as_owner([str(self.bin_dir / "postgres"), "-D", str(self.data),
                       "-p", str(self.port), "-k", str(self.sockets),
                       "-c", "listen_addresses=127.0.0.1", *fast,
                       "-c", "max_connections=300", "-c", "shared_buffers=64MB"]),
            stdout=log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import psycopg

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log_path.read_text()[-2000:]}")
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                return False

        if wait_until(ready, timeout, step=0.1):
            return
        raise RuntimeError(f"postgres did not start: {self.log_path.read_text()[-2000:]}")

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def url(self, database: str, port: int | None = None) -> str:
        """SQLAlchemy URL (psycopg 3); ``port`` lets a test go through a proxy."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{port or self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # Signal the postmaster itself (runuser does not pass signals on): fast shutdown.
            try:
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGINT)
            except (OSError, ValueError, IndexError):
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class RedisServer:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.base.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.base)],
            stdout=(self.base / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        if wait_until(ready, 15):
            return self
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class TcpProxy:
    """A TCP relay a test can cut and restore, standing in for a WAN link."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and break the open ones."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not, and
            # that thread would go on accepting on the closed socket.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.start()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start postgres")
    # Not under pytest's own temp dir: that is private to root, and postgres runs as its user.
    base = Path(tempfile.mkdtemp(prefix="loket-pg-"))
    os.chmod(base, 0o755)
    server = PostgresServer(bin_dir, base).start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    server = RedisServer(Path(tmp_path_factory.mktemp("redis"))).start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    return pg_server.url(pg_server.create_database())


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield redis_server.url
    client.close()
