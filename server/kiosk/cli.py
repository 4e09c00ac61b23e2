"""``loket kiosk``: the hall's kiosks and their pairing (docs/kiosk.md, "Pairing a kiosk")."""

from __future__ import annotations

import time
from pathlib import Path

import click

from loket.server.cli_support import config_option, load, open_database
from loket.server.kiosk import devices
from loket.server.kiosk.devices import KioskError


@click.group()
def kiosk() -> None:
    """Kiosks: add, list, pair (one-time code), unpair, remove."""


@kiosk.command("list")
@config_option
def kiosk_list(config_path: Path | None) -> None:
    """List kiosks: id, name, printer, where defined, paired, last seen."""
    config = load(config_path)
    db = open_database(config)
    state = devices.states(db)
    for k in devices.all_kiosks(config, db):
        row = state.get(k.id, {})
        seen = row.get("last_seen_ts")
        seen_text = time.strftime("%Y-%m-%d %H:%M", time.localtime(seen)) if seen else "never"
        click.echo("\t".join([
            k.id, k.label, k.printer or "(browser prints)",
            "loket.toml" if k.in_file else "database",
            "paired" if row.get("paired") else "not paired", f"seen {seen_text}",
        ]))


@kiosk.command("add")
@click.argument("kiosk_id")
@click.option("--name", default="", help="Where it stands (shown in alerts).")
@click.option("--printer", default="", help="ESC/POS printer URI; empty: the browser prints.")
@click.option("--paper-width", type=click.Choice(["58", "80"]), default="80",
              show_default=True)
@click.option("--agencies", default="", help="Comma-separated agencies it offers; empty: all.")
@click.option("--rate-limit", default="",
              help="Its own limit once paired; empty: [kiosk] paired_rate_limit.")
@config_option
def kiosk_add(kiosk_id: str, name: str, printer: str, paper_width: str, agencies: str,
              rate_limit: str, config_path: Path | None) -> None:
    """Add a kiosk kept in the database (kiosks of loket.toml are edited in the file)."""
    config = load(config_path)
    try:
        devices.add_kiosk(
            config, open_database(config), kiosk_id, name=name, printer=printer,
            paper_width_mm=int(paper_width),
            agencies=[a.strip() for a in agencies.split(",") if a.strip()],
            rate_limit=rate_limit, now=time.time(),
        )
    except KioskError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"kiosk {kiosk_id!r} added; pair it with `loket kiosk pair {kiosk_id}`")


@kiosk.command("remove")
@click.argument("kiosk_id")
@config_option
def kiosk_remove(kiosk_id: str, config_path: Path | None) -> None:
    """Remove a kiosk added with `loket kiosk add`."""
    try:
        devices.remove_kiosk(open_database(load(config_path)), kiosk_id, time.time())
    except KioskError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"kiosk {kiosk_id!r} removed")


@kiosk.command("pair")
@click.argument("kiosk_id")
@click.option("--url", "base_url", default="",
              help="The hub's address as phones reach it, e.g. http://192.168.1.10:5000 "
              "(default: [kiosk] public_url, else the address the kiosk pairs at).")
@config_option
def kiosk_pair(kiosk_id: str, base_url: str, config_path: Path | None) -> None:
    """Print a one-time pairing code; open the printed address on the kiosk to pair it.
    The kiosk's previous pairing keeps working until the code is used."""
    config = load(config_path)
    db = open_database(config)
    try:
        code = devices.start_pairing(config, db, kiosk_id, time.time(), base_url)
    except KioskError as exc:
        raise click.ClickException(str(exc)) from None
    base = (config.kiosk.public_url or base_url).rstrip("/")
    if not base:
        base = f"http://{devices.lan_address()}:{config.server.port}"
    click.echo(f"pairing code for kiosk {kiosk_id!r} (valid {config.kiosk.pair_code_min} "
               "minutes, once):")
    click.echo(f"  {code[:4]}-{code[4:]}")
    click.echo("on the kiosk, open:")
    click.echo(f"  {base}/kiosk/pair?code={code}")


@kiosk.command("unpair")
@click.argument("kiosk_id")
@config_option
def kiosk_unpair(kiosk_id: str, config_path: Path | None) -> None:
    """Revoke a kiosk's pairing (its browser becomes an anonymous client)."""
    try:
        devices.unpair(open_database(load(config_path)), kiosk_id, time.time())
    except KioskError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"kiosk {kiosk_id!r} unpaired")


commands: list[click.Command] = [kiosk]
