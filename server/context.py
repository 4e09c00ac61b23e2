"""App-level accessors: where a request (or an ``init_app``) finds the hall's hub, database and
config, and the names under which the application factory stores them.

A leaf module: it imports nothing of Loket's at run time but :mod:`loket.server.i18n`, so every
blueprint, Socket.IO handler and part may import it without reaching back into
:mod:`loket.server.app` (the factory imports the parts; the parts import this)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, current_app, request

from loket.server.i18n import LANGUAGES

if TYPE_CHECKING:
    from loket.server.config import CityConfig, LoketConfig
    from loket.server.db import Database
    from loket.server.hub import Hub

# Keys of ``app.extensions`` (and of ``app.config`` for the config) set by the factories.
HUB: Final = "loket.hub"
DB: Final = "loket.db"
CONFIG: Final = "LOKET_CONFIG"
CITY_CONFIG: Final = "LOKET_CITY"
CONNECTIONS: Final = "loket.connections"
RELAY: Final = "loket.relay"
SOCKET_SESSIONS: Final = "loket.socket_sessions"
NOTIFY_WORKER: Final = "loket.notify_worker"
OPEN_DATA: Final = "loket.open_data"
SUPERVISOR_PUSHER: Final = "loket.supervisor_pusher"


def _app(app: Flask | None) -> Flask:
    return current_app if app is None else app


def get_hub(app: Flask | None = None) -> Hub:
    """The hall's hub (of ``app``, or of the application handling this request)."""
    hub: Hub = _app(app).extensions[HUB]
    return hub


def find_hub(app: Flask | None = None) -> Hub | None:
    """The hall's hub, or None in an application without one (the city-wide view)."""
    hub: Hub | None = _app(app).extensions.get(HUB)
    return hub


def get_db(app: Flask | None = None) -> Database:
    """The database of the hall (or of the city-wide view)."""
    db: Database = _app(app).extensions[DB]
    return db


def get_config(app: Flask | None = None) -> LoketConfig:
    """The hall's config the application was built with."""
    config: LoketConfig = _app(app).config[CONFIG]
    return config


def get_city_config(app: Flask | None = None) -> CityConfig:
    """The city-wide view's config (``loket city serve``)."""
    config: CityConfig = _app(app).config[CITY_CONFIG]
    return config


def hall_or_city_config(app: Flask | None = None) -> LoketConfig | CityConfig:
    """The hall's config in a hub, the city's in the city-wide view (for what both share:
    ``[server]``, ``[security]``)."""
    config: LoketConfig | CityConfig = (_app(app).config.get(CONFIG)
                                        or _app(app).config[CITY_CONFIG])
    return config


def get_extension(name: str, app: Flask | None = None) -> Any:
    """Another object the factory stored under ``name`` (one of the constants above), or None."""
    return _app(app).extensions.get(name)


def pick_language() -> str:
    """``?lang=`` first (remembered in a cookie by the pages), then the cookie, then the hall's
    default."""
    config = get_config()
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    return config.hall.language


def database_url(config: LoketConfig) -> str:
    """The configured URL, or a SQLite file beside the config file."""
    if config.storage.url:
        return config.storage.url
    return f"sqlite:///{config.base_dir / 'loket.db'}"


def secret_key(config: LoketConfig | CityConfig) -> str:
    """The hall's secret key (``[server] secret_key`` or the generated file beside the config),
    for sessions and other keys derived from it (webhook secrets, server.integrations)."""
    if config.server.secret_key:
        return config.server.secret_key
    path = config.base_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
