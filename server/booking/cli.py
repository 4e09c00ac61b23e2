"""``loket booking``: delete the personal data of past bookings now (``purge``) and expire the
no-shows (``expire``); the hub does both on its own every few minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from loket.server.cli_support import config_option, load, open_database


@click.group()
def booking() -> None:
    """Online bookings: purge personal data, expire no-shows."""


def _hub(config_path: Path | None) -> Any:
    from loket.server.hub import Hub

    config = load(config_path)
    hub = Hub(config, open_database(config))
    hub.hall.load()
    return hub


@booking.command()
@config_option
def purge(config_path: Path | None) -> None:
    """Delete phone numbers, NIK data and outreach addresses of bookings past
    ``[booking] retention_days`` now."""
    from loket.server.booking import housekeeping

    hub = _hub(config_path)
    gone = housekeeping.purge(hub)
    click.echo(f"personal data deleted from {gone} booking(s)")


@booking.command()
@config_option
def expire(config_path: Path | None) -> None:
    """Mark bookings past their check-in window as no-shows now."""
    from loket.server.booking import housekeeping

    hub = _hub(config_path)
    click.echo(f"{housekeeping.expire_due(hub)} booking(s) expired")


commands: list[click.Command] = [booking]
