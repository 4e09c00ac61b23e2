"""Helpers every ``loket`` command shares: the ``--config`` option, loading the hall's config
with one clear error, logging set-up, opening the database and reading a password.

A leaf module (click and :mod:`loket.server.config` only at import time): the core commands
(:mod:`loket.server.commands`) and the parts' commands (``counter_panel/cli.py``, ``audio/cli.py``,
``server/city/cli.py``, ...) import it; it imports none of them."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from loket.server.config import ConfigError, LoketConfig, demo_config, load_config

if TYPE_CHECKING:
    from loket.server.db import Database

DEFAULT_CONFIG = "loket.toml"


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config PATH`` (or ``LOKET_CONFIG``) as every ``loket`` command has it."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="LOKET_CONFIG",
        help="Hall config file (default ./loket.toml; without one, the demo hall).",
    )(func)


def load(config_path: Path | None) -> LoketConfig:
    """The hall's config; a config error ends the command with its one clear message."""
    try:
        if config_path is not None:
            return load_config(config_path)
        if Path(DEFAULT_CONFIG).exists():
            return load_config(DEFAULT_CONFIG)
        return demo_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def is_demo(config: LoketConfig) -> bool:
    """True when no ``loket.toml`` is here and the demo hall (data in ``./var``) is used."""
    return config.source is not None and config.source.name == "loket.toml" and (
        config.source.parent == (Path.cwd() / "var").resolve()
    ) and not Path(DEFAULT_CONFIG).exists()


def setup_logging(level: str) -> None:
    """Log lines with time, level and module on standard error."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def open_database(config: LoketConfig) -> Database:
    """The hall's database, upgraded to the newest schema."""
    from loket.server.context import database_url
    from loket.server.db import CLI_BUSY_TIMEOUT_S, Database

    db = Database(database_url(config),
                  busy_timeout_s=max(CLI_BUSY_TIMEOUT_S, config.storage.busy_timeout_s))
    db.upgrade()
    return db


def read_password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise click.ClickException("the passwords differ")
    return first


def gevent_patched() -> bool:
    """True when gevent has patched the standard library (``loket serve`` through
    :func:`loket.server.cli.main`, which patches before anything else is imported)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))
