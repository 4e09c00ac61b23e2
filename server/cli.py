"""Entry point of the ``loket`` console script.

``loket serve`` runs Socket.IO on gevent (see docs/benchmarks.md for why), and gevent must
patch the standard library before anything else is imported; so this module decides that
from the command line and the config file's ``[realtime] async_mode`` with nothing but
``tomllib``, then hands over to :mod:`loket.server.commands`."""

from __future__ import annotations

import os
import sys
import tomllib

_PATCHED = False


def _config_path(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return os.environ.get("LOKET_CONFIG", "loket.toml")


def wants_gevent(argv: list[str]) -> bool:
    """True for ``serve`` unless the config asks for threading (an unreadable config is
    reported properly later, by the real loader)."""
    if "serve" not in argv:
        return False
    try:
        with open(_config_path(argv), "rb") as f:
            mode: object = tomllib.load(f).get("realtime", {}).get("async_mode", "gevent")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        mode = "gevent"
    return mode == "gevent"


def gevent_patched() -> bool:
    return _PATCHED


def prepare(args: list[str]) -> None:
    """What must happen before the first import of the hub's libraries: gevent's patching
    (``serve``), and the libraries the hub may never use deferred to their first use
    (:mod:`loket.server.deferred_imports`)."""
    global _PATCHED
    if wants_gevent(args) and not _PATCHED:
        from gevent import monkey

        monkey.patch_all()
        _PATCHED = True
    from loket.server.deferred_imports import defer_unused_at_start

    defer_unused_at_start()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    prepare(args)
    from loket.server.commands import cli

    cli.main(args=args, prog_name="loket")
