"""Backups of a hall: one zip file holding a consistent copy of the database, the hall's config
and its voice pack manifest, plus ``manifest.json`` (Loket version, schema revision, time and a
SHA-256 of every file).

* SQLite: ``VACUUM INTO`` on a separate connection. It reads inside one read transaction, so
  the copy is the database as of one moment; in WAL mode a reader never blocks the hub's
  writers, so counters keep calling while it runs.
* PostgreSQL: ``pg_dump`` (plain SQL with ``--clean``), which reads in one snapshot too.

Restoring checks the file before touching anything: checksums, ``PRAGMA integrity_check``, and
a schema and Loket version not newer than the installed Loket. See docs/deploy.md."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import URL, make_url

from loket.server.config import LoketConfig
from loket.server.db import Database, alembic_config
from loket.server.version import version, version_tuple

log = logging.getLogger(__name__)

FORMAT = "loket-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "loket.db"
PG_FILE = "loket.sql"
CONFIG_FILE = "loket.toml"
VOICE_MANIFEST = "voice-pack/manifest.json"
SUFFIX = ".loket-backup.zip"


class BackupError(Exception):
    """A backup cannot be made or used; ``str()`` is the one message for the technician."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def database_url(config: LoketConfig) -> URL:
    """The hall's database (the configured URL, or ``loket.db`` beside the config)."""
    if config.storage.url:
        return make_url(config.storage.url)
    return make_url(f"sqlite:///{config.base_dir / 'loket.db'}")


def default_dir(config: LoketConfig) -> Path:
    return config.resolve(config.backup.dir or "backups")


def voice_pack_manifest(config: LoketConfig) -> Path:
    """The voice pack's manifest (the folder as the announcer resolves it)."""
    return config.resolve(config.audio.voice_pack or "voice-pack") / "manifest.json"


def known_revisions() -> set[str]:
    """The schema revisions this version of Loket knows (alembic: imported only here)."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_copy(source: Path, target: Path) -> list[str]:
    """A consistent copy of a live SQLite database; returns its schema revisions."""
    if not source.exists():
        raise BackupError(f"{source}: no database to back up")
    connection = sqlite3.connect(str(source), timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        connection.close()
    return check_sqlite(target)


def check_sqlite(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of a database file; returns its schema revisions."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            revisions = [row[0] for row in connection.execute(
                "SELECT version_num FROM alembic_version ORDER BY version_num")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the backup is damaged: {exc}") from None
    if result != ["ok"]:
        raise BackupError(f"the database in the backup is damaged: {'; '.join(result[:3])}")
    return revisions


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--dbname", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def pg_copy(url: URL, target: Path) -> list[str]:
    """``pg_dump`` of the hall's database; returns its schema revisions (read in the dump)."""
    args, env = _pg_env(url)
    result = subprocess.run(
        ["pg_dump", "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--file", str(target), *args],
        env=env, capture_output=True, text=True, timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    revisions: list[str] = []
    with target.open(encoding="utf-8") as f:
        in_versions = False
        for line in f:
            if line.startswith("COPY public.alembic_version"):
                in_versions = True
            elif in_versions and line.startswith("\\."):
                break
            elif in_versions:
                revisions.append(line.strip())
    return sorted(revisions)


def create_backup(config: LoketConfig, out: Path | None = None,
                  now: float | None = None) -> Backup:
    """Write a backup (to ``out``, or a timestamped file in the backup folder)."""
    now = time.time() if now is None else now
    url = database_url(config)
    local = datetime.fromtimestamp(now, ZoneInfo(config.hall.timezone))
    stamp = local.strftime("%Y%m%d-%H%M%S")
    target = out or default_dir(config) / f"loket-{stamp}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".loket-backup-") as tmp:
        work = Path(tmp)
        files: dict[str, Path] = {}
        if url.get_backend_name() == "sqlite":
            files[SQLITE_FILE] = work / SQLITE_FILE
            revisions = sqlite_copy(Path(url.database or ""), files[SQLITE_FILE])
        elif url.get_backend_name() == "postgresql":
            files[PG_FILE] = work / PG_FILE
            revisions = pg_copy(url, files[PG_FILE])
        else:
            raise BackupError(f"cannot back up a {url.get_backend_name()} database")
        if config.source is not None and config.source.exists():
            files[CONFIG_FILE] = config.source
        if voice_pack_manifest(config).exists():
            files[VOICE_MANIFEST] = voice_pack_manifest(config)
        manifest = {
            "format": FORMAT, "loket_version": version(), "schema": revisions,
            "created": local.isoformat(timespec="seconds"),
            "created_ts": now, "hall": config.hall.name,
            "database": url.get_backend_name(),
            "files": {name: _sha256(path) for name, path in files.items()},
        }
        partial = work / "backup.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
            for name, path in files.items():
                z.write(path, name)
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
    log.info("backup of %s written to %s (schema %s)", config.hall.name, target,
             ", ".join(revisions))
    return Backup(target, manifest)


def read_backup(path: Path, into: Path) -> Backup:
    """Unpack a backup into ``into`` and check it: format, checksums, the database's integrity,
    and that neither Loket's version nor the schema is newer than this installation."""
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path}: not a Loket backup (format "
                                  f"{manifest.get('format')!r})")
            for name in manifest["files"]:
                if name.startswith("/") or ".." in Path(name).parts:
                    raise BackupError(f"{path}: unsafe file name {name!r}")
                z.extract(name, into)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise BackupError(f"{path}: not a readable Loket backup ({exc})") from None
    for name, digest in manifest["files"].items():
        if _sha256(into / name) != digest:
            raise BackupError(f"{path}: {name} does not match its checksum; the file is damaged")
    refuse_newer(manifest)
    if SQLITE_FILE in manifest["files"]:
        revisions = check_sqlite(into / SQLITE_FILE)
        if sorted(revisions) != sorted(manifest["schema"]):
            raise BackupError(f"{path}: the database's schema {revisions} differs from the "
                              f"manifest's {manifest['schema']}")
    return Backup(path, manifest)


def refuse_newer(manifest: dict[str, Any]) -> None:
    made_by = str(manifest.get("loket_version", "?"))
    unknown = sorted(set(manifest.get("schema", [])) - known_revisions())
    if unknown or version_tuple(made_by) > version_tuple(version()):
        raise BackupError(
            f"this backup was made by Loket {made_by} (schema {', '.join(manifest['schema'])}), "
            f"newer than this Loket {version()}: install Loket {made_by} or later to restore it"
        )


def restore_backup(config: LoketConfig, path: Path) -> Backup:
    """Replace the hall's database with the backup's, then migrate it to this Loket's schema.
    The hall must be stopped (see :func:`loket.server.backup_schedule.ensure_hub_stopped`)."""
    url = database_url(config)
    with tempfile.TemporaryDirectory(prefix=".loket-restore-", dir=config.base_dir) as tmp:
        backup = read_backup(path, Path(tmp))
        kind = backup.manifest["database"]
        if kind != url.get_backend_name():
            raise BackupError(f"{path} holds a {kind} database but this hall uses "
                              f"{url.get_backend_name()}")
        if kind == "sqlite":
            _replace_sqlite(Path(url.database or ""), Path(tmp) / SQLITE_FILE)
        else:
            _psql(url, Path(tmp) / PG_FILE)
        _restore_config(config, Path(tmp))
    db = Database(url.render_as_string(hide_password=False))
    try:
        db.upgrade()
    finally:
        db.dispose()
    return backup


def _replace_sqlite(target: Path, copy: Path) -> None:
    """Move the current database (with its WAL files) aside, then put the copy in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = datetime.now().strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm", "-journal"):
        current = Path(f"{target}{suffix}")
        if current.exists():
            current.rename(Path(f"{target}{suffix}.before-restore-{aside}"))
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(copy, staged)
    with staged.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(staged, target)


_PG_EMPTY = """DO $$ DECLARE r record; BEGIN
FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE 'DROP TABLE IF EXISTS public.' || quote_ident(r.tablename) || ' CASCADE';
END LOOP; END $$;"""
"""Run before the dump: tables of a newer schema (which the dump's ``--clean`` does not know)
would otherwise survive and collide with the migrations run after the restore."""


def _psql(url: URL, dump: Path) -> None:
    args, env = _pg_env(url)
    result = subprocess.run(
        ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction",
         "--command", _PG_EMPTY, "--file", str(dump), *args],
        env=env, capture_output=True, text=True, timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"psql failed: {result.stderr.strip()[-500:]}")


def _restore_config(config: LoketConfig, unpacked: Path) -> None:
    """The backup's loket.toml goes beside the current one (``loket.toml.from-backup``) when it
    differs, so the technician compares; it is never overwritten silently."""
    saved = unpacked / CONFIG_FILE
    if not saved.exists() or config.source is None:
        return
    if config.source.exists() and config.source.read_bytes() == saved.read_bytes():
        return
    copy = config.source.with_name(config.source.name + ".from-backup")
    shutil.copyfile(saved, copy)
    log.warning("the backup's config differs from %s: it is in %s", config.source, copy)
