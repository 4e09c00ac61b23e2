"""``loket backup``, ``loket restore`` and ``loket service install`` (see docs/deploy.md)."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import click

from loket.server.backup import CONFIG_FILE, BackupError, create_backup, restore_backup
from loket.server.cli_support import config_option, load, setup_logging
from loket.server.service import PARTS

log = logging.getLogger("loket.backup")


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Backup file (default: a dated file in [backup] dir, or ./backups).")
@config_option
def backup(out: Path | None, config_path: Path | None) -> None:
    """Back up the hall (database, config, voice pack manifest) while the hub runs."""
    setup_logging("warning")
    config = load(config_path)
    try:
        made = create_backup(config, out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup of {config.hall.name} (schema {', '.join(made.manifest['schema'])}) "
               f"written to {made.path}")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def restore(file: Path, config_path: Path | None) -> None:
    """Restore a backup into this (stopped) hall, then migrate it to this Loket's schema.

    The current database is kept beside it (``loket.db.before-restore-*``). With --config
    naming a file that does not exist (a new disk), the backup's loket.toml is put there."""
    from loket.server.backup_schedule import ensure_hub_stopped

    setup_logging("warning")
    if config_path is not None and not config_path.exists():
        _config_from_backup(file, config_path)
    config = load(config_path)
    try:
        ensure_hub_stopped(config)
        done = restore_backup(config, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {file} (made {done.manifest['created']} by Loket "
               f"{done.manifest['loket_version']}) into {config.hall.name}; start the hub")


def _config_from_backup(file: Path, target: Path) -> None:
    try:
        with zipfile.ZipFile(file) as z:
            data = z.read(CONFIG_FILE)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise click.ClickException(f"{target} does not exist and {file} holds no usable "
                                   f"config ({exc})") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    click.echo(f"wrote the backup's config to {target}")


@click.group()
def service() -> None:
    """Run Loket as systemd services."""


@service.command("install")
@click.option("--part", "parts", multiple=True,
              type=click.Choice(list(PARTS)),
              help="Which services (repeatable; default: hub).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("/var/lib/loket/loket.toml"), show_default=True,
              help="The hall's config as the services will read it (the database, secret key "
              "and backups live beside it unless it says otherwise).")
@click.option("--user", default="loket", show_default=True, help="Dedicated system user.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("/var/lib/loket"), show_default=True)
@click.option("--hub", "hub_url", default="http://127.0.0.1:5000", show_default=True,
              help="The hub as the announcer and keypad bridge reach it.")
@click.option("--zone", "zones", multiple=True, help="Announcer zone (repeatable).")
@click.option("--unit-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("/etc/systemd/system"), show_default=True)
@click.option("--print", "--dry-run", "dry_run", is_flag=True,
              help="Print the units instead of writing them.")
def service_install(parts: tuple[str, ...], config_file: Path, user: str, state_dir: Path,
                    hub_url: str, zones: tuple[str, ...], unit_dir: Path,
                    dry_run: bool) -> None:
    """Write systemd units (run as a dedicated user, state in /var/lib/loket,
    LimitNOFILE=65536, Restart=on-failure)."""
    from loket.server.service import ServiceOptions, install_units, render_unit, unit_name

    options = ServiceOptions(config=config_file, user=user, state_dir=state_dir,
                             hub_url=hub_url, zones=zones)
    chosen = list(parts or ("hub",))
    if dry_run:
        for part in chosen:
            click.echo(f"# {unit_dir / unit_name(part)}")
            click.echo(render_unit(part, options))
        return
    try:
        written = install_units(chosen, options, unit_dir)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write the units: {exc} (run as root, or --print)") from None
    for path in written:
        click.echo(f"wrote {path}")
    names = " ".join(unit_name(p) for p in chosen)
    click.echo(
        f"next: useradd --system --home {state_dir} {user}; "
        f"systemctl daemon-reload; systemctl enable --now {names}")


commands: list[click.Command] = [backup, restore, service]
