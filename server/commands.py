"""The ``loket`` commands. Every command takes ``--config PATH`` (default ``./loket.toml``;
without one, the demo hall with its data in ``./var``). The entry point is
:func:`loket.server.cli.main`, which monkey-patches for gevent before this module is imported."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path
from typing import Any

import click

from loket.audio import cli as audio_cli
from loket.counter_panel import cli as counter_panel_cli
from loket.server import backup_cli as server_backup_cli
from loket.server import context
from loket.server.admin import cli as server_admin_cli
from loket.server.booking import cli as server_booking_cli
from loket.server.city import cli as server_city_cli
from loket.server.cli_support import (
    DEFAULT_CONFIG,
    config_option,
    gevent_patched,
    is_demo,
    load,
    open_database,
    read_password,
    setup_logging,
)
from loket.server.config import LoketConfig, sample_toml
from loket.server.context import get_extension, get_hub
from loket.server.kiosk import cli as server_kiosk_cli
from loket.server.notify import cli as server_notify_cli

log = logging.getLogger("loket")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loket", prog_name="loket")
def cli() -> None:
    """Loket: queue calling for Mal Pelayanan Publik."""


@cli.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default from config).")
@click.option("--port", type=int, default=None, help="TCP port (default from config, 5000).")
@click.option("--log-level", default="info", show_default=True)
@click.option(
    "--no-devices",
    is_flag=True,
    help="Do not start keypads or the announcer inside the hub (for tests and load runs).",
)
def serve(
    config_path: Path | None, host: str | None, port: int | None, log_level: str,
    no_devices: bool,
) -> None:
    """Run the hub: API, displays, kiosk, panels, keypads and announcer."""
    config = load(config_path)
    if config.realtime.async_mode == "gevent" and not gevent_patched():
        raise click.ClickException(
            "[realtime] async_mode = \"gevent\" needs `loket serve` started through the "
            "`loket` command (or `python -m loket`), which prepares gevent first"
        )
    setup_logging(log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from loket.server.app import create_app
    from loket.server.extensions import socketio
    from loket.server.wsgi_handler import server_options

    demo = is_demo(config)
    if demo:
        log.info("no loket.toml here: serving the demo hall (data in %s); "
                 "`loket init` writes a config to edit", config.base_dir)
    _upgrade_in_child(config_path)
    try:
        app = create_app(config, upgrade=False)
    except Exception as exc:
        raise click.ClickException(f"cannot start the hub: {exc}") from exc
    hub = get_hub(app)
    _first_user_hint(hub, demo)
    from loket.server import backup_schedule

    listen_host = host or config.server.host
    listen_port = port or config.server.port
    _security_warnings(app, config, listen_host)
    stoppers = [backup_schedule.start_in_hub(app)]
    if not no_devices:
        from loket import audio, counter_panel

        for part in (counter_panel, audio):
            stoppers.append(part.start_in_hub(app))
    log.info("Loket hub for %s on http://%s:%d", config.hall.name, listen_host, listen_port)
    try:
        socketio.run(
            app,
            host=listen_host,
            port=listen_port,
            log_output=log_level.lower() == "debug",
            allow_unsafe_werkzeug=config.realtime.async_mode == "threading",
            **server_options(config.realtime.async_mode),
        )
    finally:
        for stop in stoppers:
            if callable(stop):
                stop()


def _upgrade_in_child(config_path: Path | None) -> None:
    """Bring the schema up to date in a short child process (``loket db upgrade``), so that
    alembic and mako (21 MB) are never imported by the serving hub. Its error, if any, ends
    the start with the child's message."""
    import subprocess
    import sys

    args = [sys.executable, "-m", "loket", "db", "upgrade"]
    if config_path is not None:
        args += ["--config", str(config_path)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = _child_error(done.stderr or done.stdout) or f"exit {done.returncode}"
        raise click.ClickException(f"cannot start the hub: schema upgrade failed: {reason}")


def _child_error(output: str) -> str:
    """The one line that says why a ``loket`` child process failed: click's ``Error: ...``,
    else the exception line of its last traceback."""
    lines = output.strip().splitlines()
    for line in lines:
        if line.startswith("Error: "):
            return line.removeprefix("Error: ")
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback ")]
    if starts:
        for line in lines[starts[-1] + 1:]:
            if line and not line.startswith(" "):
                return line
    return lines[-1] if lines else ""


def _security_warnings(app: Any, config: LoketConfig, listen_host: str) -> None:
    """Say at start-up what makes this hub easier to attack (docs/security.md), and raise the
    open files limit towards the recommended one."""
    from loket.server.connections import (
        RECOMMENDED_NOFILE,
        ConnectionGuard,
        raise_open_files_limit,
        warn_if_proxies_spoofable,
    )

    warn_if_proxies_spoofable(config.server.trusted_proxies, listen_host)
    nofile = raise_open_files_limit()
    guard = get_extension(context.CONNECTIONS, app)
    if isinstance(guard, ConnectionGuard):
        guard.set_limit(nofile)
    if nofile < RECOMMENDED_NOFILE:
        log.warning("open files limit is %d (LimitNOFILE); %d is recommended for a hall's "
                    "displays and phones (docs/deploy.md)", nofile, RECOMMENDED_NOFILE)


def _first_user_hint(hub: Any, demo: bool) -> None:
    from sqlalchemy import func, select

    from loket.server.auth import add_user
    from loket.server.models import User

    with hub.db.read() as s:
        users = s.scalar(select(func.count()).select_from(User)) or 0
    if users:
        return
    if not demo:
        log.warning("no users yet: create one with `loket user add NAME --role admin`")
        return
    password = secrets.token_urlsafe(12)
    add_user(hub.db, "demo-admin", password, "admin", now=time.time())
    click.echo(
        "Demo hall: created the user 'demo-admin' with the one-time password "
        f"{password} (change it with `loket user passwd demo-admin`).",
        err=True,
    )


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@config_option
def init(path: Path, force: bool, config_path: Path | None) -> None:
    """Write a commented sample loket.toml for a realistic MPP."""
    target = config_path or path
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(sample_toml(), encoding="utf-8")
    click.echo(f"wrote {target}: edit it, then run `loket check --config {target}`")


@cli.command()
@config_option
def check(config_path: Path | None) -> None:
    """Validate the config and summarise the hall."""
    config = load(config_path)
    zones = sorted({c.zone for c in config.counters})
    click.echo(
        f"{config.source or '<demo hall>'}: OK: {config.hall.name}, "
        f"{len(config.services)} services, {len(config.counters)} counters in "
        f"{len(zones)} zones ({', '.join(zones)}), {len(config.keypads)} keypad ports"
    )


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: Path | None) -> None:
    """Create or migrate the schema to the newest version."""
    config = load(config_path)
    open_database(config)
    click.echo("database is up to date")


@cli.group()
def user() -> None:
    """Officers, supervisors and admins."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["officer", "supervisor", "admin"]), required=True)
@click.option("--counters", default="", help="Comma-separated counter ids (officers).")
@click.option("--name", "display_name", default="", help="Name shown on panels.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@config_option
def user_add(
    username: str, role: str, counters: str, display_name: str, password_stdin: bool,
    config_path: Path | None,
) -> None:
    """Add a user; the password is asked for (never a default)."""
    from loket.server.auth import AuthError, add_user

    config = load(config_path)
    ids = _counter_ids(config, counters)
    if role == "officer" and not ids:
        raise click.ClickException(
            "an officer needs --counters (the counters they may act at, e.g. --counters 1,2)")
    password = read_password(password_stdin)
    try:
        add_user(open_database(config), username, password, role, ids, display_name, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {role} {username}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@config_option
def user_passwd(username: str, password_stdin: bool, config_path: Path | None) -> None:
    """Set a user's password (their sessions end at once)."""
    from loket.server.auth import AuthError, set_password

    config = load(config_path)
    try:
        set_password(open_database(config), username, read_password(password_stdin), time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password of {username} changed")


@user.command("disable")
@click.argument("username")
@config_option
def user_disable(username: str, config_path: Path | None) -> None:
    """Stop a user from logging in (their sessions end at once)."""
    from loket.server.auth import AuthError, set_active

    try:
        set_active(open_database(load(config_path)), username, False, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username} disabled")


@user.command("enable")
@click.argument("username")
@config_option
def user_enable(username: str, config_path: Path | None) -> None:
    """Let a disabled user log in again."""
    from loket.server.auth import AuthError, set_active

    try:
        set_active(open_database(load(config_path)), username, True, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username} enabled")


@user.command("role")
@click.argument("username")
@click.option("--role", type=click.Choice(["officer", "supervisor", "admin"]), required=True)
@click.option("--counters", default="", help="Comma-separated counter ids (officers).")
@config_option
def user_role(username: str, role: str, counters: str, config_path: Path | None) -> None:
    """Change a user's role and counters; the user's sessions end."""
    from loket.server.auth import AuthError, set_role

    config = load(config_path)
    ids = _counter_ids(config, counters)
    if role == "officer" and not ids:
        raise click.ClickException("an officer needs --counters")
    try:
        set_role(open_database(config), username, role, ids, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username} is now {role}" + (f" at {', '.join(ids)}" if ids else ""))


@user.command("list")
@config_option
def user_list(config_path: Path | None) -> None:
    """List users."""
    from sqlalchemy import select

    from loket.server.models import User

    with open_database(load(config_path)).session() as s:
        for row in s.scalars(select(User).order_by(User.username)):
            state = "active" if row.active else "disabled"
            scope = row.counters or ("-" if row.role == "officer" else "*")
            click.echo(f"{row.username}\t{row.role}\t{scope}\t{state}")


@cli.group()
def token() -> None:
    """Tokens for keypad bridges, announcers and integrations."""


@token.command("create")
@click.option("--role", required=True,
              type=click.Choice(["device", "announcer", "supervisor", "admin", "integration"]))
@click.option("--name", required=True, help="What the token is for (e.g. bridge-lantai-1).")
@click.option("--counters", default="", help="Comma-separated counter ids (device tokens).")
@click.option("--scope", type=click.Choice(["read", "act"]), default="read",
              help="Integration tokens: read (GET only) or act (may also issue tickets).")
@config_option
def token_create(role: str, name: str, counters: str, scope: str,
                 config_path: Path | None) -> None:
    """Create a token; it is printed once, as the last line."""
    from loket.server.auth import AuthError, create_token

    if role == "integration" and scope == "act":
        role = "integration-act"
    config = load(config_path)
    ids = _counter_ids(config, counters)
    try:
        value = create_token(open_database(config), name, role, ids, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    scope = ", ".join(ids) if ids else "all counters" if role == "device" else role
    click.echo(f"created {role} token {name!r} ({scope}); it is shown only now:")
    click.echo(value)


@token.command("list")
@config_option
def token_list(config_path: Path | None) -> None:
    """List tokens (never their values)."""
    from sqlalchemy import select

    from loket.server.models import ApiToken

    with open_database(load(config_path)).session() as s:
        for row in s.scalars(select(ApiToken).order_by(ApiToken.id)):
            state = "revoked" if row.revoked_ts else "active"
            click.echo(f"{row.id}\t{row.name}\t{row.role}\t{row.counters or '*'}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@config_option
def token_revoke(token_id: int, config_path: Path | None) -> None:
    """Revoke a token by its id (see `loket token list`)."""
    from loket.server.auth import AuthError, revoke_token

    try:
        revoke_token(open_database(load(config_path)), token_id, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {token_id} revoked")


def _counter_ids(config: LoketConfig, text: str) -> list[str]:
    ids = [c.strip() for c in text.split(",") if c.strip()]
    known = {c.id for c in config.counters}
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise click.ClickException(f"unknown counters: {', '.join(unknown)}")
    return ids


# The parts' commands, registered here and only here (each part's ``cli`` module lists its own
# in ``commands``). ``loket.server.cli`` imports this module after gevent has patched the standard
# library, so the parts' imports come after the patching too.
PART_CLIS = (counter_panel_cli, audio_cli, server_city_cli, server_kiosk_cli, server_backup_cli,
             server_notify_cli, server_admin_cli, server_booking_cli)
for _part in PART_CLIS:
    for _command in _part.commands:
        cli.add_command(_command)
