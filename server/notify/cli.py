"""``loket notify``: run the sender (``worker``), send one test message (``test``), show
delivery health (``status``) and delete old phone numbers now (``purge``)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from loket.server.cli_support import config_option, load, open_database, setup_logging

log = logging.getLogger("loket.notify")


@click.group()
def notify() -> None:
    """Notices on citizens' phones (WhatsApp, SMS) and booking e-mails."""


def _watch_parent() -> threading.Event:
    """Stop when standard input closes (the process that started us is gone)."""
    stop = threading.Event()

    def _read() -> None:
        try:
            while sys.stdin.buffer.read(1):
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=_read, daemon=True, name="parent-watch").start()
    return stop


@notify.command()
@config_option
@click.option("--log-level", default="info", show_default=True)
@click.option("--stop-with-stdin", is_flag=True,
              help="Exit when standard input closes (when run as a child process).")
def worker(config_path: Path | None, log_level: str, stop_with_stdin: bool) -> None:
    """Deliver queued notices, with retries, until stopped (SIGTERM/SIGINT).

    Run one per hall (more are safe: each notice is claimed by exactly one worker)."""
    setup_logging(log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = load(config_path)
    from loket.server import integrations  # noqa: F401  (webhook events go through this worker too)

    if not config.notify.enabled and not config.integrations.webhooks:
        log.warning("no [[notify.channels]] and no [[integrations.webhooks]] in the config: "
                    "only webhooks added through the API will be sent")
    from loket.server.notify.worker import Worker

    stop = _watch_parent() if stop_with_stdin else threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    Worker(config, open_database(config)).run_forever(stop)


@notify.command()
@config_option
@click.option("--channel", "channel_name", required=True, help="Channel name from the config.")
@click.option("--to", "to", required=True, help="Phone number (0812...) or e-mail address.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def test(config_path: Path | None, channel_name: str, to: str, lang: str) -> None:
    """Send one test message through one channel now, and say how it went."""
    config = load(config_path)
    from loket.server.notify import enqueue_notice
    from loket.server.notify.models import NotifyOutbox
    from loket.server.notify.phone import BadPhone, mask
    from loket.server.notify.worker import Worker

    names = [c.name for c in config.notify.channels]
    if channel_name not in names:
        raise click.ClickException(
            f"no channel {channel_name!r} in [[notify.channels]] (have: "
            f"{', '.join(names) or 'none'})")
    db = open_database(config)
    key = f"test:{channel_name}:{time.time_ns()}"
    try:
        with db.session() as s:
            enqueue_notice(s, kind="test", key=key, to=to, lang=lang, now=time.time(),
                           channel=channel_name, stream=key)
    except BadPhone:
        raise click.ClickException(f"{to!r} is not an Indonesian mobile number "
                                   "(0812..., +62812..., 62812...)") from None
    sender = Worker(config, db)
    settings = config.notify.model_copy(update={"max_attempts": 1})
    sender.settings = settings
    try:
        sender.drain(timeout=sum(c.timeout_s for c in config.notify.channels) + 30)
    finally:
        sender.close()
    from sqlalchemy import select

    with db.read() as s:
        row = s.scalars(select(NotifyOutbox).where(NotifyOutbox.key == key)).one()
        state, error = row.state, row.last_error
    if state != "sent":
        raise click.ClickException(f"{channel_name}: not delivered to {mask(to)}: {error}")
    click.echo(f"{channel_name}: delivered to {mask(to)}")


@notify.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Delivery health: per channel sent, failed and the last error; what waits."""
    config = load(config_path)
    from loket.server.notify.health import delivery_health

    db = open_database(config)
    fake_hub = SimpleNamespace(config=config, db=db, clock=time.time,
                               iso=lambda ts: time.strftime("%Y-%m-%d %H:%M:%S",
                                                            time.localtime(ts)))
    health = delivery_health(fake_hub, config.hall.language)
    if as_json:
        click.echo(json.dumps(health))
        return
    if health is None:
        click.echo("no [[notify.channels]] configured")
        return
    click.echo(f"queued {health['queued']}, sending {health['sending']}, sent "
               f"{health['sent']}, dead {health['dead']}")
    for c in health["channels"]:
        line = f"{c['name']:<16} {c['kind']:<15} sent {c['sent']:<6} failed {c['failed']:<6}"
        if c["last_error"]:
            line += f" last error {c['last_error_at']}: {c['last_error']}"
        click.echo(line)


@notify.command()
@config_option
def purge(config_path: Path | None) -> None:
    """Delete phone numbers of earlier days now (the worker and the hub do it too)."""
    config = load(config_path)
    from loket.server.notify.worker import Worker

    gone = Worker(config, open_database(config)).purge()
    click.echo(f"{gone} phone numbers deleted")


commands = [notify]
