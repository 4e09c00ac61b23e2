"""Deferred imports (server/deferred_imports.py): a deferred module's code runs at its first
use, once, in the same module object, and a program sees the module as an ordinary import
would have made it. Each check runs in a fresh interpreter (``sys.modules`` is per process)."""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PACKAGE = {
    # Each module notes in RUNS (a list kept in the sys module) that its code ran.
    "noisy/__init__.py": """
        import sys
        sys.RUNS.append("noisy")
        from . import helper
        VALUE = helper.TWICE(21)
        """,
    "noisy/helper.py": """
        import sys
        sys.RUNS.append("noisy.helper")
        def TWICE(x):
            return 2 * x
        """,
    "noisy/extra.py": """
        import sys
        sys.RUNS.append("noisy.extra")
        NAME = "extra"
        """,
    "broken.py": """
        import sys
        sys.RUNS.append("broken")
        raise RuntimeError("broken at import")
        """,
    "plain.py": """
        import sys
        sys.RUNS.append("plain")
        """,
}


def run(tmp_path: Path, code: str) -> str:
    for name, text in PACKAGE.items():
        path = tmp_path / "pkgs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    script = "import sys\nsys.RUNS = []\nsys.path[:0] = [{!r}, {!r}]\n".format(
        str(ROOT), str(tmp_path / "pkgs")) + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_deferred_module_runs_at_its_first_attribute_read_once(tmp_path: Path) -> None:
    out = run(tmp_path, """
        from loket.server.deferred_imports import defer, is_deferred
        assert defer("noisy") == ["noisy"]
        import noisy
        assert sys.RUNS == [] and is_deferred(noisy), sys.RUNS
        assert noisy.__name__ == "noisy" and noisy.__file__.endswith("__init__.py")
        assert sys.RUNS == []  # its name and file are there without running it
        assert noisy.VALUE == 42
        assert sys.RUNS == ["noisy", "noisy.helper"], sys.RUNS
        assert not is_deferred(noisy) and sys.modules["noisy"] is noisy
        from noisy import VALUE, helper
        import noisy as again
        assert again is noisy and VALUE == 42 and helper.TWICE(2) == 4
        assert sys.RUNS == ["noisy", "noisy.helper"], sys.RUNS
        try:
            noisy.missing
        except AttributeError:
            print("ok")
        """)
    assert out == "ok"


def test_importing_a_submodule_runs_the_package_first(tmp_path: Path) -> None:
    out = run(tmp_path, """
        from loket.server.deferred_imports import defer
        defer("noisy")
        import noisy.extra
        print(",".join(sys.RUNS), noisy.extra.NAME, noisy.VALUE)
        """)
    assert out == "noisy,noisy.helper,noisy.extra extra 42"


def test_a_failing_module_fails_at_its_first_use_and_is_imported_afresh_after(
    tmp_path: Path,
) -> None:
    out = run(tmp_path, """
        from loket.server.deferred_imports import defer
        defer("broken")
        import broken
        for _ in range(2):
            try:
                broken.anything
            except RuntimeError as exc:
                print(exc, "broken" in sys.modules)
            try:
                import broken
            except RuntimeError:
                print("import again fails")
        print(sys.RUNS.count("broken"))
        """)
    assert out.splitlines() == ["broken at import False", "import again fails"] * 2 + ["4"]


def test_only_installed_not_yet_imported_plain_python_modules_are_deferred(
    tmp_path: Path,
) -> None:
    out = run(tmp_path, """
        import plain
        from loket.server.deferred_imports import defer, is_deferred
        print(defer("plain", "no_such_module", "_json", "noisy", "noisy.extra"))
        print(is_deferred(plain), sys.RUNS)
        """)
    # noisy.extra is left alone: deferring it would run its deferred package now
    assert out.splitlines() == ["['noisy']", "False ['plain']"]


def test_a_deferred_submodule_is_its_package_attribute_and_runs_at_first_use(
    tmp_path: Path,
) -> None:
    out = run(tmp_path, """
        from loket.server.deferred_imports import defer, is_deferred
        print(defer("noisy.extra"), sys.RUNS)
        from noisy import extra
        import noisy
        print(is_deferred(extra), noisy.extra is extra is sys.modules["noisy.extra"], sys.RUNS)
        print(extra.NAME, sys.RUNS[-1], is_deferred(extra))
        """)
    assert out.splitlines() == [
        "['noisy.extra'] ['noisy', 'noisy.helper']",
        "True True ['noisy', 'noisy.helper']",
        "extra noisy.extra False",
    ]


def test_an_open_package_runs_a_submodule_named_alone_and_itself_before_a_deferred_one(
    tmp_path: Path,
) -> None:
    out = run(tmp_path, """
        from loket.server.deferred_imports import defer, is_deferred
        print(defer("noisy", "noisy.extra", open_package=True))
        from noisy import extra          # its deferred attribute: nothing runs
        import noisy.helper              # named: runs alone (it imports nothing of noisy)
        print(is_deferred(extra), sys.RUNS, noisy.helper.TWICE(2), is_deferred(noisy))
        print(extra.NAME, sys.RUNS)      # the package first, then the submodule
        print(noisy.VALUE, noisy.extra is extra, noisy.helper is sys.modules["noisy.helper"])
        """)
    assert out.splitlines() == [
        "['noisy', 'noisy.extra']",
        "True ['noisy.helper'] 4 True",
        "extra ['noisy.helper', 'noisy', 'noisy.extra']",
        "42 True True",
    ]


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_http() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_loket_serve_defers_the_client_side_and_still_sends_over_http(
    tmp_path: Path, write_config: Callable[..., Path], local_http: str,
) -> None:
    path = write_config()
    subprocess.run([sys.executable, "-m", "loket", "db", "upgrade", "--config", str(path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)  # as serve does
    out = run(tmp_path, f"""
        from loket.server import cli
        cli.prepare(["serve", "--config", {str(path)!r}])
        assert cli.gevent_patched()
        from loket.server.deferred_imports import is_deferred
        from loket.server import commands  # the whole CLI, as `loket serve` imports it
        from loket.server.app import create_app
        from loket.server.config import load_config
        from loket.server.integrations import delivery
        from loket.server.notify import outbox
        app = create_app(load_config({str(path)!r}), upgrade=False)
        with app.test_client() as client:  # a ticket, on SQLite
            assert client.post("/api/tickets", json={{"service": "A"}}).status_code == 201
        print(sorted(n for n in ("requests", "websocket", "aiohttp", "redis", "redis.asyncio",
                                 "sqlalchemy.dialects.postgresql")
                     if is_deferred(sys.modules[n])), "urllib3" in sys.modules)
        answer = delivery.requests.Session().post({local_http!r}, data=b"{{}}", timeout=10)
        print(answer.status_code, is_deferred(sys.modules["requests"]))
        # a hub on PostgreSQL: the dialect runs when its engine is made
        from sqlalchemy import create_engine
        from sqlalchemy.dialects import postgresql
        engine = create_engine("postgresql+psycopg://loket@127.0.0.1:1/loket")
        statement = outbox.postgresql.insert(outbox.NotifyOutbox).on_conflict_do_nothing()
        print(engine.dialect.name, postgresql is outbox.postgresql, "ON CONFLICT DO NOTHING"
              in str(statement.compile(dialect=engine.dialect)))
        """)
    assert out.splitlines() == [
        "['aiohttp', 'redis', 'redis.asyncio', 'requests', 'sqlalchemy.dialects.postgresql',"
        " 'websocket'] False",
        "204 False",
        "postgresql True True",
    ]
