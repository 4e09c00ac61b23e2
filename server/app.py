"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from loket.server import context
from loket.server.config import CityConfig, LoketConfig
from loket.server.config.hall import slugify
from loket.server.connections import ConnectionGuard
from loket.server.context import database_url, pick_language, secret_key
from loket.server.db import Database
from loket.server.extensions import csrf, limiter, login_manager, socketio
from loket.server.hub import Hub
from loket.server.i18n import translate
from loket.server.safe_json import BoundedIntConverter, SafeJSONProvider

log = logging.getLogger(__name__)


def configure_web(app: Flask, config: LoketConfig | CityConfig, testing: bool) -> None:
    """Sessions, limits, JSON and proxy settings shared by the hub and the city-wide view."""
    app.config.update(
        SECRET_KEY=secret_key(config),
        MAX_CONTENT_LENGTH=config.server.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=testing,
    )
    provider = SafeJSONProvider(app)
    provider.ensure_ascii = False
    provider.sort_keys = False
    app.json = provider
    app.url_map.converters["int"] = BoundedIntConverter
    if config.server.trusted_proxies:
        n = config.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    from loket.server import errors

    errors.init_app(app)


def same_origin(trusted_proxies: int) -> Any:
    """Engine.IO's origin check: a browser's ``Origin`` must be this hub's own address
    (``X-Forwarded-Host``/``-Proto`` count only behind trusted proxies). Clients that send
    no Origin (python-socketio: keypad bridges, announcers) are not browsers and pass."""

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if not origin:
            return True
        host = environ.get("HTTP_HOST", "")
        scheme = environ.get("wsgi.url_scheme", "http")
        own = {f"{scheme}://{host}".lower()}
        if trusted_proxies:
            fwd_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
            fwd_scheme = environ.get("HTTP_X_FORWARDED_PROTO", scheme).split(",")[0].strip()
            own.add(f"{fwd_scheme}://{fwd_host}".lower())
        return origin.lower() in own

    return allowed


def create_app(
    config: LoketConfig,
    *,
    async_mode: str | None = None,
    testing: bool = False,
    hub: Hub | None = None,
    overrides: dict[str, Any] | None = None,
    upgrade: bool = True,
) -> Flask:
    """Build the hub's web application for a hall.

    ``async_mode`` overrides ``[realtime] async_mode`` (tests use "threading"); ``hub`` lets a
    test share a hub with a fake clock; ``upgrade=False``: the schema was brought up to date
    already (``loket serve`` does it in a child process, so alembic stays out of the hub)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    configure_web(app, config, testing)
    app.config[context.CONFIG] = config
    if overrides:
        app.config.update(overrides)

    if hub is None:
        db = Database(database_url(config), echo=config.storage.echo,
                      busy_timeout_s=config.storage.busy_timeout_s,
                      commit_off_loop=config.storage.commit_off_loop)
        if upgrade:
            db.upgrade()
        hub = Hub(config, db)
    app.extensions[context.HUB] = hub
    app.extensions[context.DB] = hub.db

    mode = async_mode or config.realtime.async_mode
    queue_url = config.realtime.message_queue
    channel = f"loket:socketio:{slugify(config.hall.name) or 'hall'}"  # halls may share Redis
    queue_options: dict[str, Any] = {"channel": channel}
    if queue_url.startswith(("redis://", "rediss://")):
        import socketio as python_socketio

        from loket.server.relay import link_options

        # Flask-SocketIO's own Redis client would wait for ever on a dead link while this
        # process holds the cluster's call-order lock; this one gives up (server.relay).
        queue_options = {"client_manager": python_socketio.RedisManager(
            queue_url, channel=channel, redis_options=link_options())}
    socketio.init_app(
        app,
        async_mode=mode,
        message_queue=queue_url or None,
        **queue_options,
        # Same origin only: pages are served by the hub itself. ([] would switch the check
        # off altogether.)
        cors_allowed_origins=same_origin(config.server.trusted_proxies),
        ping_interval=10,
        ping_timeout=10,
        max_http_buffer_size=config.server.max_body_bytes,
        json=app.json,
    )
    guard = ConnectionGuard(app.wsgi_app, config.security, config.server.trusted_proxies)
    app.wsgi_app = guard  # type: ignore[method-assign]
    app.extensions[context.CONNECTIONS] = guard
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from loket.server import api, auth, openapi, realtime, socket_sessions, vendor, web

    auth.init_app(app)
    socket_sessions.init_app(app, testing)
    api.init_app(app)
    openapi.init_app(app)
    web.init_app(app)
    vendor.init_app(app)
    realtime.init_app(app, hub)

    from loket import audio, counter_panel, display
    from loket.server import (
        admin,
        assistance,
        booking,
        integrations,
        kiosk,
        notify,
        signage,
        supervisor,
    )

    # Each part registers its blueprints, Socket.IO handlers and event subscribers.
    for part in (display, counter_panel, audio, kiosk, supervisor, notify, assistance, signage,
                 integrations, admin, booking):
        part.init_app(app)
    from loket.server.booking import pages as booking_pages

    booking_pages.init_app(app)  # the citizen's /booking and /b/<token>

    @app.before_request
    def _language() -> None:
        g.lang = pick_language()

    @app.context_processor
    def _template_helpers() -> dict[str, Any]:
        lang = getattr(g, "lang", config.hall.language)
        return {
            "_": lambda key, **kw: translate(key, lang, **kw),
            "lang": lang,
            "hall": config.hall,
            "other_lang": "en" if lang == "id" else "id",
        }

    if config.realtime.message_queue:
        from loket.server.relay import EventRelay, channel_for

        relay = EventRelay(hub.events, config.realtime.message_queue,
                           channel_for(config.hall.name))
        app.extensions[context.RELAY] = relay
        if not testing:
            relay.start(socketio.start_background_task)
    hub.start(spawn=None if testing else socketio.start_background_task)
    return app


def instance_path(config: LoketConfig, name: str) -> Path:
    return config.base_dir / name


# Kept for code written before server.context held the accessors; new code imports it from
# there (importing server.app from a blueprint is an import cycle, tests/test_import_graph.py).
get_hub = context.get_hub
