"""The serving hub keeps out of memory what it does not use while serving (docs/benchmarks.md,
"Second pass"): alembic runs in `loket serve`'s child process, the others where they are used;
python-engineio's client side (requests, websocket-client, aiohttp), redis and SQLAlchemy's
PostgreSQL dialect are deferred to their first use (server/deferred_imports.py, "perf-mem")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SERVING = ("alembic", "mako", "zxcvbn", "openpyxl", "icalendar", "qrcode", "PIL",
               "phonenumbers", "requests", "urllib3", "charset_normalizer", "websocket",
               "aiohttp", "yarl", "multidict")

SERVE_LIKE = """
import sys
from loket.server import cli
cli.prepare(["serve", "--config", sys.argv[1]])  # as `loket serve` starts
from loket.server.deferred_imports import is_deferred
from loket.server import commands  # every CLI group, as `loket serve` has them
from loket.server.app import create_app
from loket.server.config import load_config
from loket.server import backup_schedule
from loket import audio, counter_panel

app = create_app(load_config(sys.argv[1]), async_mode="threading", upgrade=False)
print(" ".join(sorted(name for name, module in list(sys.modules.items())
                      if module is not None and not is_deferred(module))))
"""


def test_a_serving_hub_does_not_import_the_migrations_or_the_file_writers(write_config) -> None:
    path = write_config()
    subprocess.run([sys.executable, "-m", "loket", "db", "upgrade", "--config", str(path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    out = subprocess.run([sys.executable, "-c", SERVE_LIKE, str(path)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    modules = set(out.split())
    loaded = {name.split(".")[0] for name in modules}
    assert "loket" in loaded and "sqlalchemy.dialects.sqlite" in modules  # the list is real
    assert loaded.isdisjoint(NOT_SERVING), sorted(loaded & set(NOT_SERVING))
    assert "sqlalchemy.dialects.postgresql" not in modules  # a hub on SQLite
    # redis (for [realtime] message_queue): only its exceptions, which python-socketio names
    assert {name for name in modules if name.startswith("redis")} == {"redis.exceptions"}
