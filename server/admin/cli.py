"""``loket config export|import`` and ``loket calendar import|list``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from loket.server.cli_support import config_option, load, open_database
from loket.server.config import ConfigError, load_config

if TYPE_CHECKING:
    from loket.server.hub import Hub


def _hub(config_path: Path | None) -> Hub:
    """A hub on the hall's database (no server): its live hall store, loaded."""
    from loket.server.hub import Hub

    config = load(config_path)
    hub = Hub(config, open_database(config))
    hub.hall.load()
    return hub


@click.group("config")
def config_group() -> None:
    """The hall's live configuration as a loket.toml file (export, import)."""


@config_group.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of the standard output.")
@config_option
def config_export(out: Path | None, config_path: Path | None) -> None:
    """Write the live hall (services, counters, agencies as changed in /admin) as loket.toml."""
    from loket.server.admin.toml_out import export_toml

    hub = _hub(config_path)
    text = export_toml(hub.config)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@config_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
@config_option
def config_import(file: Path, dry_run: bool, config_path: Path | None) -> None:
    """Apply FILE's agencies, services and counters to the live hall (validated and audited
    like a change in /admin; running hubs pick it up within 2 s)."""
    from loket.server.admin.store import InvalidChange
    from loket.server.admin.sync import import_config

    try:
        incoming = load_config(file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    hub = _hub(config_path)
    try:
        changes = import_config(hub.hall, incoming, "cli", dry_run)
    except InvalidChange as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    for line in changes:
        click.echo(line)
    if not changes:
        click.echo("no changes")
    elif dry_run:
        click.echo(f"{len(changes)} changes (dry run: nothing applied)")
    else:
        click.echo(f"{len(changes)} changes applied")


@click.group("calendar")
def calendar_group() -> None:
    """The hall calendar: holidays and closures, recurring breaks."""


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def calendar_import(file: Path, config_path: Path | None) -> None:
    """Load whole-hall closures (national holidays, cuti bersama) from an iCalendar FILE.
    Running it again changes nothing (events are matched by their UID)."""
    from loket.server.admin.calendar_api import add_entry
    from loket.server.admin.store import InvalidChange
    from loket.server.admin.sync import holidays_from_ics

    try:
        events = holidays_from_ics(file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{file}: not an iCalendar file ({exc})") from None
    hub = _hub(config_path)
    known = {row["uid"]: row for row in hub.hall.calendar_rows}
    added = 0
    for event in events:
        old = known.get(event["uid"])
        if old is not None and (old["date"], old["until"], old["reason"]) == (
                event["date"], event.get("until"), event["reason"]):
            continue
        try:
            add_entry(hub, "cli", event)
        except InvalidChange as exc:
            raise click.ClickException(f"{file}: {event['uid']}: {exc}") from None
        added += 1
    click.echo(f"{len(events)} events read, {added} added or updated, "
               f"{len(events) - added} already known")


@calendar_group.command("list")
@config_option
def calendar_list(config_path: Path | None) -> None:
    """List the hall calendar."""
    hub = _hub(config_path)
    for row in hub.hall.calendar_rows:
        when = row["rule"] or (row["date"] + (f"..{row['until']}" if row["until"] else ""))
        scope = ",".join(row["services"]) or "all"
        click.echo(f"{row['id']}\t{when}\t{scope}\t{row['reason']}")


commands = [config_group, calendar_group]
