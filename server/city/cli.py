"""``loket city``: forward a hall to the city (``forward``, ``status``) and run the city-wide
view (``serve``, ``user add``, ``token create`` against ``city.toml``)."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from loket.server.cli_support import config_option, load, open_database, setup_logging
from loket.server.config import CityConfig, ConfigError, LoketConfig, load_city_config

log = logging.getLogger("loket.city")


def city_config_option(func: Any) -> Any:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
        default=Path("city.toml"), show_default=True, envvar="LOKET_CITY_CONFIG",
        help="The city-wide view's config file.",
    )(func)


def load_city(path: Path) -> CityConfig:
    try:
        return load_city_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _forwarder(config: LoketConfig) -> Any:
    from loket.server.city.forward import Forwarder
    from loket.server.db import Database

    if not config.city.url:
        where = config.source or "the demo hall"
        raise click.ClickException(
            f"{where}: city.url: is not set; give the city's database URL in [city] url")
    central = Database(config.city.url, connect_timeout_s=config.city.connect_timeout_s,
                       pool_size=2)
    return Forwarder(config, open_database(config), central)


@click.group()
def city() -> None:
    """The city link and the city-wide view of several halls."""


@city.command()
@config_option
@click.option("--once", is_flag=True, help="Send everything pending, then exit (status 1 if "
              "the city cannot be reached).")
@click.option("--stop", "stop_forwarding", is_flag=True,
              help="Stop noting changes for the city and drop the unsent backlog.")
@click.option("--log-level", default="info", show_default=True)
def forward(config_path: Path | None, once: bool, stop_forwarding: bool, log_level: str) -> None:
    """Send this hall's tickets and survey scores to the city's database, and keep sending.

    The hall never waits on the city: changes are noted in the hall's own database and sent
    when the link is up; after an outage the backlog is sent without duplicates."""
    setup_logging(log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = load(config_path)
    forwarder = _forwarder(config)
    from loket.server.city.forward import CityLinkError, CityUnreachable

    if stop_forwarding:
        dropped = forwarder.disable()
        click.echo(f"forwarding stopped; {dropped} unsent changes dropped")
        return
    if once:
        forwarder.enable()
        try:
            sent = forwarder.drain()
        except CityLinkError as exc:
            raise click.ClickException(str(exc)) from None
        except CityUnreachable as exc:
            forwarder.note_error(exc.reason)
            raise click.ClickException(
                f"cannot reach the city's database ({exc.reason}); {forwarder.backlog()} "
                "changes wait in the hall's database") from None
        click.echo(f"{sent} changes sent to the city as hall {forwarder.hall_id!r}")
        return
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("forwarding hall %r to the city every %.1f s at most", forwarder.hall_id,
             config.city.interval_s)
    try:
        forwarder.run_forever(stop)
    except CityLinkError as exc:
        raise click.ClickException(str(exc)) from None


@city.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(config_path: Path | None, as_json: bool) -> None:
    """How this hall's link to the city stands: backlog, last success, last error."""
    config = load(config_path)
    forwarder = _forwarder(config)
    state = forwarder.link_state()
    if as_json:
        click.echo(json.dumps(state))
        return

    def when(ts: float | None) -> str:
        return datetime.fromtimestamp(ts).isoformat(sep=" ", timespec="seconds") if ts else "never"

    click.echo(f"hall id:     {state['hall_id']}")
    click.echo(f"forwarding:  {'on' if state['forwarding'] else 'off'}")
    click.echo(f"backlog:     {state['backlog']} changes")
    click.echo(f"last sent:   {when(state['last_ok_ts'])}")
    if state["last_error"]:
        click.echo(f"last error:  {when(state['last_error_ts'])}: {state['last_error']}")


@city.command()
@city_config_option
@click.option("--host", default=None, help="Address to listen on (default from config).")
@click.option("--port", type=int, default=None, help="TCP port (default from config).")
@click.option("--log-level", default="info", show_default=True)
def serve(config_path: Path, host: str | None, port: int | None, log_level: str) -> None:
    """Run the city-wide view: waiting per hall and agency, IKM per hall."""
    setup_logging(log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = load_city(config_path)
    from loket.server.city.app import create_city_app

    try:
        app = create_city_app(config)
    except Exception as exc:
        raise click.ClickException(f"cannot start the city-wide view: {exc}") from exc
    listen = (host or config.server.host, port or config.server.port)
    from loket.server.connections import warn_if_proxies_spoofable

    warn_if_proxies_spoofable(config.server.trusted_proxies, listen[0])
    log.info("Loket city view for %s on http://%s:%d", config.city.name, *listen)
    from loket.server.cli_support import gevent_patched

    if gevent_patched():
        from gevent.pywsgi import WSGIServer

        access_log = "default" if log_level.lower() == "debug" else None
        WSGIServer(listen, app, log=access_log).serve_forever()
    else:  # pragma: no cover - `python -m loket city serve` always patches
        from werkzeug.serving import run_simple

        run_simple(listen[0], listen[1], app, threaded=True)


@city.group("user")
def city_user() -> None:
    """People who may log in to the city-wide view (supervisors and admins)."""


@city_user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["supervisor", "admin"]), required=True)
@click.option("--name", "display_name", default="", help="Name shown on the page.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@city_config_option
def city_user_add(username: str, role: str, display_name: str, password_stdin: bool,
                  config_path: Path) -> None:
    """Add a user of the city-wide view; the password is asked for (never a default)."""
    from loket.server.auth import AuthError, add_user
    from loket.server.cli_support import read_password
    from loket.server.db import Database

    config = load_city(config_path)
    password = read_password(password_stdin)
    db = Database(config.storage.url)
    db.upgrade()
    try:
        add_user(db, username, password, role, [], display_name, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {role} {username} to the city-wide view")


@city.group("token")
def city_token() -> None:
    """Tokens for scripts that read ``GET /api/city``."""


@city_token.command("create")
@click.option("--name", required=True, help="What the token is for (e.g. dashboard-walikota).")
@city_config_option
def city_token_create(name: str, config_path: Path) -> None:
    """Create a supervisor token for the city's API; printed once, as the last line."""
    from loket.server.auth import AuthError, create_token
    from loket.server.db import Database

    config = load_city(config_path)
    db = Database(config.storage.url)
    db.upgrade()
    try:
        value = create_token(db, name, "supervisor", [], time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created token {name!r} for the city's API; it is shown only now:")
    click.echo(value)


commands: list[click.Command] = [city]
