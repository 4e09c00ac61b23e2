"""``loket backup`` / ``loket restore``, the hub's daily backup and its dashboard alert, and the
systemd units of ``loket service install``."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from alembic.script import ScriptDirectory

from loket.server import backup_schedule
from loket.server.app import create_app
from loket.server.backup import BackupError, create_backup, read_backup, restore_backup
from loket.server.config import load_config
from loket.server.db import alembic_config
from loket.server.service import ServiceOptions, render_unit
from loket.server.supervisor import dashboard
from tests.support.hall import ROOT, SMALL_HALL
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)
from tests.support.wait import wait_until

MAIN_HEAD = max(ScriptDirectory.from_config(alembic_config()).get_heads())
"""The newest revision of the main line of migrations (0002_kiosk is an older, second head)."""

JAKARTA = ZoneInfo("Asia/Jakarta")


def loket(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loket", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def issue(config_path: Path, count: int, service: str = "A") -> None:
    app = create_app(load_config(config_path), async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    for _ in range(count):
        hub.issue_ticket(service)
    hub.db.dispose()


def statuses(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as c:
        return dict(c.execute("SELECT label, status FROM tickets"))


def twenty_counters() -> str:
    hall = SMALL_HALL.replace("quota = 50", "")
    return hall + "".join(
        f'\n[[counters]]\nid = "{i}"\nname = "Loket {i}"\nzone = "lantai-3"\nservices = ["A"]\n'
        for i in range(10, 27)
    )


PRESS_EVERY_S = 0.2
"""How often each of the twenty counters presses NEXT in the backup-under-load test."""


@pytest.mark.slow
def test_backup_while_twenty_counters_press_next_restores_a_consistent_hall(
    write_config: Callable[..., Path], live_hub: Callable[..., Any], tmp_path: Path,
) -> None:
    config_path = write_config(twenty_counters())
    counters = [c.id for c in load_config(config_path).counters]
    assert len(counters) == 20
    issue(config_path, 700)
    hub = live_hub(config_path)
    token = hub.token()
    acked: list[tuple[float, str]] = []
    stop = threading.Event()

    def press(counter: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while not stop.is_set():
            reply = session.post(f"{hub.url}/api/counters/{counter}/next", timeout=10)
            if reply.status_code == 409 and reply.json()["error"] == "empty":
                time.sleep(0.05)  # counter 2 serves only B, which nobody takes
                continue
            assert reply.status_code == 200, reply.text
            if reply.json()["ticket"]:
                acked.append((time.monotonic(), reply.json()["ticket"]))
            # Paced (100 calls/s in all, far above a hall's): unpaced, a fast hub called all
            # 700 before the backup had finished, leaving nothing to call after it.
            stop.wait(PRESS_EVERY_S)

    threads = [threading.Thread(target=press, args=(c,)) for c in counters]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        out = tmp_path / "during.zip"
        started = time.monotonic()
        made = loket("backup", "--config", str(config_path), "--out", str(out))
        finished = time.monotonic()
        assert made.returncode == 0, made.stderr
        time.sleep(0.5)
        # The hall is running: restore refuses.
        refused = loket("restore", str(out), "--config", str(config_path))
        assert refused.returncode != 0 and "running" in refused.stderr
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    before = [label for at, label in acked if at < started]
    during = [label for at, label in acked if at < finished]
    assert len(before) > 50, "the counters did not press during the test"
    assert len(acked) > len(during) > 0, "nothing was pressed after the backup"
    hub.stop()
    live_statuses = statuses(config_path.parent / "loket.db")
    restored = loket("restore", str(out), "--config", str(config_path))
    assert restored.returncode == 0, restored.stderr
    backed_up = statuses(config_path.parent / "loket.db")
    assert len(backed_up) == 700
    assert all(backed_up[label] != "waiting" for label in before)
    called_in_backup = {label for label, s in backed_up.items() if s != "waiting"}
    assert called_in_backup <= set(during)
    assert len(called_in_backup) < sum(1 for s in live_statuses.values() if s != "waiting")
    # The restored hall starts and carries on from the backup's moment.
    again = live_hub(config_path)
    snapshot = requests.get(f"{again.url}/api/state", timeout=5).json()
    waiting = sum(s["waiting"] for s in snapshot["services"])
    assert waiting == 700 - len(called_in_backup)
    assert list(config_path.parent.glob("loket.db.before-restore-*"))


def _rewrite(backup: Path, change: Callable[[dict[str, Any], Path], None], tmp: Path) -> Path:
    """A copy of ``backup`` after ``change(manifest, unpacked_db)``, checksums recomputed."""
    with zipfile.ZipFile(backup) as z:
        manifest = json.loads(z.read("manifest.json"))
        z.extractall(tmp)
    change(manifest, tmp / "loket.db")
    manifest["files"]["loket.db"] = hashlib.sha256((tmp / "loket.db").read_bytes()).hexdigest()
    out = tmp / "changed.zip"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name in manifest["files"]:
            z.write(tmp / name, name)
    return out


@pytest.fixture
def hall_backup(write_config: Callable[..., Path], tmp_path: Path) -> tuple[Any, Path]:
    config_path = write_config()
    issue(config_path, 5)
    config = load_config(config_path)
    return config, create_backup(config, tmp_path / "b.zip").path


def test_backup_holds_database_config_and_manifest(hall_backup: tuple[Any, Path],
                                                    tmp_path: Path) -> None:
    config, path = hall_backup
    with zipfile.ZipFile(path) as z:
        assert set(z.namelist()) == {"manifest.json", "loket.db", "loket.toml"}
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["hall"] == "MPP Uji" and manifest["database"] == "sqlite"
    assert MAIN_HEAD in manifest["schema"] and manifest["loket_version"]
    unpacked = tmp_path / "unpacked"
    assert read_backup(path, unpacked).manifest == manifest
    assert (unpacked / "loket.toml").read_bytes() == config.source.read_bytes()


def test_restore_refuses_a_corrupt_file(hall_backup: tuple[Any, Path], tmp_path: Path) -> None:
    config, path = hall_backup
    before = statuses(config.base_dir / "loket.db")
    flipped = tmp_path / "flipped.zip"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(flipped, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == "loket.db":
                data = data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:]
            out.writestr(name, data)
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(config, flipped)

    def damage(_manifest: dict[str, Any], db: Path) -> None:
        data = bytearray(db.read_bytes())
        data[4096:8192] = b"\xde\xad" * 2048  # a whole b-tree page
        db.write_bytes(bytes(data))

    with pytest.raises(BackupError, match="damaged"):
        restore_backup(config, _rewrite(path, damage, tmp_path / "d"))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(path.read_bytes()[:1000])
    result = loket("restore", str(truncated), "--config", str(config.source))
    assert result.returncode == 1 and "not a readable Loket backup" in result.stderr
    assert statuses(config.base_dir / "loket.db") == before  # nothing touched


def test_restore_refuses_a_newer_schema_or_version(hall_backup: tuple[Any, Path],
                                                   tmp_path: Path) -> None:
    config, path = hall_backup

    def future_schema(manifest: dict[str, Any], db: Path) -> None:
        with sqlite3.connect(db) as c:
            c.execute("UPDATE alembic_version SET version_num = '0099_future' "
                      "WHERE version_num = ?", (MAIN_HEAD,))
        manifest["schema"] = sorted(
            "0099_future" if r == MAIN_HEAD else r for r in manifest["schema"])

    result = loket("restore", str(_rewrite(path, future_schema, tmp_path / "s")),
                   "--config", str(config.source))
    assert result.returncode == 1
    assert "newer than this Loket" in result.stderr and "0099_future" in result.stderr

    def future_version(manifest: dict[str, Any], _db: Path) -> None:
        manifest["loket_version"] = "99.0.0"

    with pytest.raises(BackupError, match=r"made by Loket 99\.0\.0.*install Loket 99\.0\.0"):
        restore_backup(config, _rewrite(path, future_version, tmp_path / "v"))


def test_restore_refuses_while_the_hub_holds_its_lock(hall_backup: tuple[Any, Path]) -> None:
    config, _path = hall_backup
    lock = backup_schedule.hold_hub_lock(config)
    try:
        with pytest.raises(BackupError, match="running"):
            backup_schedule.ensure_hub_stopped(config)
    finally:
        lock.close()
    backup_schedule.ensure_hub_stopped(config)


def test_restore_onto_a_new_disk_takes_the_backups_config(
    hall_backup: tuple[Any, Path], tmp_path: Path,
) -> None:
    _config, path = hall_backup
    new_disk = tmp_path / "new" / "loket.toml"
    result = loket("restore", str(path), "--config", str(new_disk))
    assert result.returncode == 0, result.stderr
    assert new_disk.exists()
    assert len(statuses(new_disk.parent / "loket.db")) == 5


def test_next_due_daily_time_and_catch_up() -> None:
    def ts(text: str) -> float:
        from datetime import datetime

        return datetime.fromisoformat(text).replace(tzinfo=JAKARTA).timestamp()

    # Before today's time: today's time.
    assert backup_schedule.next_due(ts("2026-03-02 01:00"), ts("2026-03-01 02:30"), "02:30",
                                    JAKARTA) == ts("2026-03-02 02:30")
    # Done today: tomorrow.
    assert backup_schedule.next_due(ts("2026-03-02 09:00"), ts("2026-03-02 02:31"), "02:30",
                                    JAKARTA) == ts("2026-03-03 02:30")
    # Missed (the hub was off at 02:30): shortly after start.
    now = ts("2026-03-02 09:00")
    assert backup_schedule.next_due(now, ts("2026-03-01 02:30"), "02:30", JAKARTA,
                                    catch_up_s=60) == now + 60
    assert backup_schedule.next_due(now, None, "02:30", JAKARTA, catch_up_s=60) == now + 60


def test_scheduled_backup_prunes_and_a_failure_is_a_dashboard_alert(
    write_config: Callable[..., Path], tmp_path: Path,
) -> None:
    config_path = write_config(extra='[backup]\ndir = "saved"\nkeep_days = 2\n')
    issue(config_path, 3)
    config = load_config(config_path)
    folder = config_path.parent / "saved"
    folder.mkdir()
    old = folder / "loket-20200101-023000.loket-backup.zip"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 3 * 86400, time.time() - 3 * 86400))
    recent = folder / "loket-recent.loket-backup.zip"
    recent.write_bytes(b"recent")
    os.utime(recent, (time.time() - 86400, time.time() - 86400))
    status = backup_schedule.run_backup(config)
    assert status["ok"] is True and Path(status["last_file"]).exists()
    assert not old.exists() and recent.exists()
    # Another process of the hall (same folder) finds today's backup done.
    again = backup_schedule.run_backup(config)
    assert again["skipped"] == "done today" and len(list(folder.glob("*.zip"))) == 2
    with (folder / ".backup.lock").open("a+") as busy:
        fcntl.flock(busy.fileno(), fcntl.LOCK_EX)
        assert backup_schedule.run_backup(config, now=time.time() + 86400)["ok"] is None
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        assert not [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "backup"]
        # The database file disappears: the next backup fails and the dashboard says so.
        hub.db.dispose()
        (config_path.parent / "loket.db").rename(config_path.parent / "elsewhere.db")
        failed = backup_schedule.run_backup(config, now=time.time() + 86400)
        assert failed["ok"] is False and failed["last_ok"] == status["last_ok"]
        (config_path.parent / "elsewhere.db").rename(config_path.parent / "loket.db")
        found = [a for a in dashboard.build(hub)["alerts"] if a["kind"] == "backup"]
        assert found and "no database" in found[0]["error"] and found[0]["last_ok"]
    finally:
        hub.db.dispose()


@pytest.mark.slow
def test_the_running_hub_backs_up_by_itself(
    write_config: Callable[..., Path], live_hub: Callable[..., Any], monkeypatch: Any,
) -> None:
    monkeypatch.setenv("LOKET_BACKUP_CATCH_UP_S", "0.5")
    # Today's backup time (00:00) has always passed, so the hub catches up at once (with the
    # default 02:30 it would wait for 02:30 when started between midnight and then).
    config_path = write_config(extra='[backup]\ndir = "saved"\ntime = "00:00"\n')
    hub = live_hub(config_path)
    requests.post(f"{hub.url}/api/tickets", json={"service": "A"}, timeout=5)
    status_file = config_path.parent / "saved" / "last-backup.json"
    wait_until(status_file.exists, 20)  # written by another process
    status = json.loads(status_file.read_text())
    assert status["ok"] is True, status
    assert Path(status["last_file"]).exists()
    assert requests.get(f"{hub.url}/healthz", timeout=5).status_code == 200


def test_backup_config_is_validated(write_config: Callable[..., Path]) -> None:
    bad = write_config(extra='[backup]\ntime = "25:00"\n')
    result = loket("check", "--config", str(bad))
    assert result.returncode == 1 and "backup.time" in result.stderr


def test_service_units(tmp_path: Path) -> None:
    hub = render_unit("hub", ServiceOptions(executable="/opt/loket/bin/loket"))
    for line in ("User=loket", "LimitNOFILE=65536", "Restart=on-failure",
                 "WorkingDirectory=/var/lib/loket", "StateDirectory=loket",
                 "ExecStart=/opt/loket/bin/loket serve --config /var/lib/loket/loket.toml"):
        assert line in hub.splitlines(), line
    announcer = render_unit("announcer", ServiceOptions(zones=("lantai-1",)))
    assert "--zone lantai-1" in announcer and "EnvironmentFile=/var/lib/loket/announcer.env" \
        in announcer
    result = loket("service", "install", "--part", "hub", "--part", "keypads", "--part",
                   "city-forward", "--part", "announcer", "--unit-dir", str(tmp_path / "units"),
                   "--config", str(tmp_path / "hall" / "loket.toml"))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "units").iterdir())
    assert written == ["loket-announcer.service", "loket-city-forward.service",
                       "loket-keypads.service", "loket.service"]
    env = tmp_path / "hall" / "keypads.env"
    assert env.stat().st_mode & 0o777 == 0o600
    printed = loket("service", "install", "--print", "--part", "keypads")
    assert "loket keypads --hub" in printed.stdout and "dialout" in printed.stdout


@pytest.mark.services
def test_postgresql_backup_and_restore(
    write_config: Callable[..., Path], pg_url: str, tmp_path: Path,  # noqa: F811
) -> None:
    config_path = write_config(extra=f'[storage]\nurl = "{pg_url}"\n')
    issue(config_path, 4)
    config = load_config(config_path)
    made = create_backup(config, tmp_path / "pg.zip")
    assert made.manifest["database"] == "postgresql" and MAIN_HEAD in made.manifest["schema"]
    issue(config_path, 3)
    import psycopg

    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("CREATE TABLE from_a_later_release (id integer)")
    restore_backup(config, made.path)
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        with hub.db.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT to_regclass('public.from_a_later_release')").scalar() is None
        assert sum(s["waiting"] for s in hub.snapshot()["services"]) == 4
        assert hub.issue_ticket("A")["ticket"] == "A-005"
    finally:
        hub.db.dispose()


def test_version_on_healthz_cli_and_supervisor_page(client: Any, hub: Any) -> None:
    from loket.server.version import version
    from tests.support.login import login

    assert client.get("/healthz").get_json()["version"] == version() != "0+unknown"
    assert loket("--version").stdout.split()[-1] == version()
    login(client, hub)
    page = client.get("/supervisor").get_data(as_text=True)
    assert f'<p class="sup-version">Loket {version()}</p>' in page


@pytest.mark.slow
@pytest.mark.browser
def test_failed_backup_is_an_alert_on_the_supervisors_page(
    page: Any, live_hub: Callable[..., Any], write_config: Callable[..., Path],
) -> None:
    config_path = write_config(extra='[backup]\ndir = "saved"\n')
    saved = config_path.parent / "saved"
    saved.mkdir()
    (saved / "last-backup.json").write_text(json.dumps(
        {"ok": False, "at": time.time(), "error": "disk full", "last_ok": None}))
    hub = live_hub(config_path)
    password = "rahasia-supervisor-1"
    added = subprocess.run(
        [sys.executable, "-m", "loket", "user", "add", "sup", "--role", "supervisor",
         "--password-stdin", "--config", str(config_path)],
        input=password + "\n", text=True, cwd=ROOT, capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    page.goto(f"{hub.url}/login?next=/supervisor")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hub.url}/supervisor")
    page.wait_for_selector("#alerts .sup-alert-backup", timeout=5000)
    text = page.text_content("#alerts .sup-alert-backup") or ""
    assert "Pencadangan otomatis gagal (disk full)" in text
    assert "Loket " in (page.text_content(".sup-version") or "")
