"""The `loket` command line: init, check, db, user, token; serve refusing a bad config or a
failed schema upgrade."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from loket.server.auth import principal_for_token, verify_user
from loket.server.commands import cli
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.models import ApiToken, User

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


def open_db(config_path: Path) -> Database:
    from loket.server.app import database_url

    return Database(database_url(load_config(config_path)))


def test_init_writes_valid_sample(tmp_path: Path) -> None:
    target = tmp_path / "loket.toml"
    code, out = run("init", str(target))
    assert code == 0 and "loket check" in out
    config = load_config(target)
    assert len(config.counters) >= 12 and len({c.zone for c in config.counters}) == 2
    code, out = run("init", str(target))
    assert code != 0 and "--force" in out
    code, out = run("check", "--config", str(target))
    assert code == 0 and "OK" in out and "2 zones" in out


def test_check_reports_config_error_in_one_line(write_config) -> None:
    path = write_config(extra='[server]\nprot = 5000\n')
    code, out = run("check", "--config", str(path))
    assert code == 1
    assert f"{path}: server.prot: is not a known setting" in out


def test_token_create_prints_token_last(write_config) -> None:
    path = write_config()
    code, out = run("token", "create", "--config", str(path), "--role", "device",
                    "--name", "bridge-1", "--counters", "1,2")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("lkt_") and " " not in token
    db = open_db(path)
    try:
        principal = principal_for_token(db, token)
        assert principal is not None and principal.counters == frozenset({"1", "2"})
        code, out = run("token", "list", "--config", str(path))
        assert "bridge-1" in out and token not in out
        with db.session() as s:
            token_id = s.scalars(select(ApiToken.id)).one()
        code, out = run("token", "revoke", str(token_id), "--config", str(path))
        assert code == 0
        assert principal_for_token(db, token) is None
        assert "revoked" in run("token", "list", "--config", str(path))[1]
    finally:
        db.dispose()


def test_token_unknown_counter_refused(write_config) -> None:
    code, out = run("token", "create", "--config", str(write_config()), "--role", "device",
                    "--name", "x", "--counters", "1,42")
    assert code == 1 and "unknown counters: 42" in out


def test_user_add_password_stdin(write_config) -> None:
    path = write_config()
    code, out = run("user", "add", "siti", "--role", "officer", "--counters", "1",
                    "--password-stdin", "--config", str(path), input="kata-sandi-panjang\n")
    assert code == 0, out
    assert "kata-sandi-panjang" not in out
    db = open_db(path)
    try:
        assert verify_user(db, "siti", "kata-sandi-panjang") is not None
        with db.session() as s:
            assert s.scalars(select(User.counters)).one() == "1"
    finally:
        db.dispose()
    code, out = run("user", "add", "budi", "--role", "admin", "--password-stdin",
                    "--config", str(path), input="short\n")
    assert code == 1 and "at least" in out
    code, out = run("user", "list", "--config", str(path))
    assert "siti\tofficer\t1\tactive" in out and "budi" not in out


def test_user_add_requires_a_password(write_config) -> None:
    """No default: without --password-stdin the password is asked for twice."""
    path = write_config()
    code, _out = run("user", "add", "ani", "--role", "officer", "--config", str(path),
                    input="")
    assert code != 0


def test_db_upgrade_is_idempotent(write_config) -> None:
    path = write_config()
    for _ in range(2):
        code, out = run("db", "upgrade", "--config", str(path))
        assert code == 0 and "up to date" in out


def test_check_without_config_uses_demo_hall(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("check")
    assert code == 0 and "OK" in out and "Kota Contoh" in out, out


def test_real_entry_point_token_create(write_config) -> None:
    path = write_config()
    out = subprocess.run(
        [sys.executable, "-m", "loket", "token", "create", "--config", str(path), "--role",
         "announcer", "--name", "speaker"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert out.strip().splitlines()[-1].startswith("lkt_")


@pytest.mark.slow
def test_serve_refuses_bad_config_with_one_message(write_config) -> None:
    path = write_config(extra='[hall2]\nname = "x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "loket", "serve", "--config", str(path), "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert f"{path}: hall2: is not a known setting" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serve_says_in_one_line_why_the_schema_upgrade_failed(write_config) -> None:
    # `loket serve` upgrades the schema in a child process (alembic stays out of the hub).
    path = write_config()
    (path.parent / "loket.db").write_bytes(b"not a SQLite database " * 20)
    result = subprocess.run(
        [sys.executable, "-m", "loket", "serve", "--config", str(path), "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: cannot start the hub: schema upgrade failed: sqlalchemy.exc.DatabaseError: "
        "(sqlite3.DatabaseError) file is not a database"]
