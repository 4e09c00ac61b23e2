"""The hub's own side of backups: the lock that tells ``loket restore`` the hub is running, the
daily backup (``[backup] dir``, ``time``, ``keep_days``) and the supervisor dashboard's alert
when it fails.

The backup runs in gevent's pool of real threads when the hub runs on gevent (SQLite's
``VACUUM INTO`` is a C call that would otherwise stop the loop); the hub's counters keep
working meanwhile because a WAL reader never blocks writers."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from loket.server.backup import SUFFIX, BackupError, create_backup, database_url
from loket.server.config import LoketConfig
from loket.server.context import get_config

log = logging.getLogger(__name__)

LOCK_FILE = ".loket-hub.lock"
STATUS_FILE = "last-backup.json"
CATCH_UP_DELAY_S = 60.0
"""A hub that missed the daily time (it was off) backs up this long after it starts
(``LOKET_BACKUP_CATCH_UP_S`` overrides it, for tests)."""
LATE_AFTER_S = 26 * 3600.0
"""No successful backup for this long (with ``[backup] dir`` set) raises an alert."""


def lock_path(config: LoketConfig) -> Path:
    url = database_url(config)
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database).with_name(LOCK_FILE)
    return config.base_dir / LOCK_FILE


def hold_hub_lock(config: LoketConfig) -> IO[str]:
    """Taken (shared) by every running ``loket serve`` of this hall until it exits."""
    path = lock_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    return handle


def ensure_hub_stopped(config: LoketConfig) -> None:
    """Raise BackupError when a hub of this hall is running on this machine: one holds the
    lock file, or the configured port answers ``/healthz`` for this hall."""
    path = lock_path(config)
    if path.exists():
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BackupError(
                    f"the hub of {config.hall.name} is running (it holds {path}); stop it "
                    "first (systemctl stop loket), then restore") from None
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    if _answers_health(config):
        raise BackupError(f"a hub of {config.hall.name} answers on port "
                          f"{config.server.port}; stop it first, then restore")


def _answers_health(config: LoketConfig) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", config.server.port), timeout=1) as s:
            s.settimeout(2)
            s.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            reply = b""
            while len(reply) < 65536:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return False
    body = reply.partition(b"\r\n\r\n")[2]
    try:
        return bool(json.loads(body).get("hall") == config.hall.name)
    except (ValueError, AttributeError):
        return False


def next_due(now: float, last_ok: float | None, at: str, tz: ZoneInfo,
             catch_up_s: float = CATCH_UP_DELAY_S) -> float:
    """When the next daily backup is due: today's ``at`` unless it was done since (then
    tomorrow's); ``catch_up_s`` from ``now`` when today's time has passed without one."""
    hour, minute = (int(p) for p in at.split(":"))
    today_at = datetime.fromtimestamp(now, tz).replace(
        hour=hour, minute=minute, second=0, microsecond=0)
    if last_ok is not None and last_ok >= today_at.timestamp():
        return (today_at + timedelta(days=1)).timestamp()
    if now < today_at.timestamp():
        return today_at.timestamp()
    return now + catch_up_s


def read_status(config: LoketConfig) -> dict[str, Any] | None:
    if not config.backup.dir:
        return None
    path = config.resolve(config.backup.dir) / STATUS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_status(config: LoketConfig, status: dict[str, Any]) -> None:
    folder = config.resolve(config.backup.dir)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (STATUS_FILE + ".tmp")
    partial.write_text(json.dumps(status), encoding="utf-8")
    os.replace(partial, folder / STATUS_FILE)


def prune(folder: Path, keep_days: int, now: float) -> list[Path]:
    """Delete this folder's backups older than ``keep_days`` (never the newest one)."""
    backups = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    removed = []
    for path in backups[:-1]:
        if path.stat().st_mtime < now - keep_days * 86400:
            path.unlink()
            removed.append(path)
    return removed


def run_backup(config: LoketConfig, now: float | None = None) -> dict[str, Any]:
    """One scheduled backup; the outcome is kept in ``[backup] dir``/last-backup.json.

    Several hub processes of one hall on this machine share the folder: the first to take its
    lock backs up, and the others find today's backup done."""
    now = time.time() if now is None else now
    folder = config.resolve(config.backup.dir)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".backup.lock").open("a+") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return {"ok": None, "skipped": "another process is backing up"}
        previous = read_status(config) or {}
        if due_done(previous.get("last_ok"), now, config):
            return {**previous, "skipped": "done today"}
        status: dict[str, Any] = {"last_ok": previous.get("last_ok"),
                                  "last_file": previous.get("last_file")}
        try:
            backup = create_backup(config, now=now)
            prune(folder, config.backup.keep_days, now)
            status.update(ok=True, at=now, last_ok=now, last_file=str(backup.path), error="")
        except Exception as exc:  # reported on the dashboard, retried tomorrow
            log.exception("scheduled backup failed")
            status.update(ok=False, at=now, error=str(exc) or exc.__class__.__name__)
        try:
            _write_status(config, status)
        except OSError:
            log.exception("cannot record the backup's outcome")
        return status


def due_done(last_ok: float | None, now: float, config: LoketConfig) -> bool:
    """True when a backup succeeded since the most recent daily time before ``now``."""
    if last_ok is None:
        return False
    tz = ZoneInfo(config.hall.timezone)
    hour, minute = (int(p) for p in config.backup.time.split(":"))
    today_at = datetime.fromtimestamp(now, tz).replace(
        hour=hour, minute=minute, second=0, microsecond=0)
    last_due = today_at if today_at.timestamp() <= now else today_at - timedelta(days=1)
    return last_ok >= last_due.timestamp()


def backup_alert(config: LoketConfig, now: float, started: float) -> dict[str, Any] | None:
    """The dashboard's alert: the last scheduled backup failed, or none succeeded for
    :data:`LATE_AFTER_S` (counted from the hub's start when there was never one)."""
    status = read_status(config)
    if status is None:
        return None
    last_ok = status.get("last_ok")
    since = (datetime.fromtimestamp(last_ok, ZoneInfo(config.hall.timezone))
             .isoformat(timespec="minutes") if last_ok else "")
    if status.get("ok") is False:
        return {"kind": "backup", "error": status.get("error", ""), "last_ok": since}
    if now - (last_ok or started) > LATE_AFTER_S:
        return {"kind": "backup", "error": "-", "last_ok": since}
    return None


_STARTED = time.time()


def dashboard_alerts(config: LoketConfig, now: float) -> list[dict[str, Any]]:
    """For the supervisor dashboard's alert list (empty when all is well)."""
    alert = backup_alert(config, now, _STARTED)
    return [alert] if alert else []


def _in_real_thread(func: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        from gevent import monkey
    except ImportError:
        return func()
    if not monkey.is_module_patched("socket"):
        return func()
    import gevent

    result: dict[str, Any] = gevent.get_hub().threadpool.apply(func)
    return result


def start_in_hub(app: Any) -> Callable[[], None]:
    """Hold the hub's lock and, with ``[backup] dir`` set, back up daily."""
    config: LoketConfig = get_config(app)
    lock = hold_hub_lock(config)
    stopped = False
    if config.backup.dir:
        from loket.server.extensions import socketio

        def loop() -> None:
            tz = ZoneInfo(config.hall.timezone)
            while not stopped:
                status = read_status(config) or {}
                catch_up = float(os.environ.get("LOKET_BACKUP_CATCH_UP_S", CATCH_UP_DELAY_S))
                due = next_due(time.time(), status.get("last_ok"), config.backup.time, tz,
                               catch_up)
                log.info("next backup at %s", datetime.fromtimestamp(due, tz).isoformat())
                while not stopped and time.time() < due:
                    socketio.sleep(min(30.0, max(0.1, due - time.time())))
                if not stopped:
                    _in_real_thread(lambda: run_backup(config))

        socketio.start_background_task(loop)

    def stop() -> None:
        nonlocal stopped
        stopped = True
        lock.close()

    return stop
