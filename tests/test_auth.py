"""Users and tokens: hashed passwords, SHA-256-only tokens, revocation, roles, and no default
password anywhere."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from loket.server import auth
from loket.server.auth import (
    AuthError,
    Principal,
    add_user,
    create_token,
    principal_for_token,
    revoke_token,
    set_active,
    set_password,
    verify_user,
)
from loket.server.models import ApiToken, AuditEntry, User
from loket.server.token_cache import TtlCache

ROOT = Path(__file__).resolve().parent.parent


def test_password_is_hashed_with_werkzeug(hub) -> None:
    add_user(hub.db, "siti", "kata-sandi-panjang", "officer", ["1", "2"])
    with hub.db.session() as s:
        row = s.scalars(select(User).where(User.username == "siti")).one()
    assert "kata-sandi-panjang" not in row.password_hash
    assert row.password_hash.startswith(("scrypt:", "pbkdf2:"))
    user = verify_user(hub.db, "siti", "kata-sandi-panjang")
    assert user is not None and user.principal.counters == frozenset({"1", "2"})
    assert verify_user(hub.db, "siti", "kata-sandi-salah") is None
    assert verify_user(hub.db, "nobody", "kata-sandi-panjang") is None


def test_weak_or_duplicate_users_refused(hub) -> None:
    with pytest.raises(AuthError, match="at least"):
        add_user(hub.db, "siti", "pendek", "officer")
    with pytest.raises(AuthError, match="easy"):
        add_user(hub.db, "administrator", "administrator", "admin")
    with pytest.raises(AuthError, match="role"):
        add_user(hub.db, "siti", "kata-sandi-panjang", "root")
    with pytest.raises(AuthError, match="username"):
        add_user(hub.db, "si ti", "kata-sandi-panjang", "officer")
    add_user(hub.db, "siti", "kata-sandi-panjang", "officer")
    with pytest.raises(AuthError, match="exists"):
        add_user(hub.db, "siti", "kata-sandi-panjang-2", "officer")


def test_password_change_and_disable(hub) -> None:
    add_user(hub.db, "budi", "kata-sandi-panjang", "supervisor")
    set_password(hub.db, "budi", "sandi-baru-yang-panjang")
    assert verify_user(hub.db, "budi", "kata-sandi-panjang") is None
    assert verify_user(hub.db, "budi", "sandi-baru-yang-panjang") is not None
    set_active(hub.db, "budi", False)
    assert verify_user(hub.db, "budi", "sandi-baru-yang-panjang") is None
    with hub.db.session() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
    assert {"user:add", "user:passwd", "user:disable"} <= set(actions)


def test_token_stored_as_sha256_only(hub) -> None:
    token = create_token(hub.db, "bridge", "device", ["1"])
    assert token.startswith("lkt_") and len(token) > 40
    with hub.db.session() as s:
        row = s.scalars(select(ApiToken)).one()
        values = [getattr(row, c.name) for c in ApiToken.__table__.columns]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not any(isinstance(v, str) and token in v for v in values if v != row.token_hash)
    principal = principal_for_token(hub.db, token)
    assert principal == Principal("token", "bridge", "device", frozenset({"1"}))


def test_revoked_token_refused(hub) -> None:
    token = create_token(hub.db, "bridge", "device")
    with hub.db.session() as s:
        token_id = s.scalars(select(ApiToken.id)).one()
    assert principal_for_token(hub.db, token) is not None  # now remembered (auth.TOKENS)
    revoke_token(hub.db, token_id, now=5.0)  # in this process: refused at once
    assert principal_for_token(hub.db, token) is None
    with pytest.raises(AuthError):
        revoke_token(hub.db, 999)


def test_token_revoked_by_another_process_refused_within_the_cache_bound(
        hub, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(auth.TOKENS, "clock", lambda: clock[0])
    token = create_token(hub.db, "bridge", "device")
    assert principal_for_token(hub.db, token) is not None
    # Another process revokes it (as `loket token revoke` from a shell would).
    revoke = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute('UPDATE api_tokens SET revoked_ts = 1'); c.commit()")
    subprocess.run([sys.executable, "-c", revoke, hub.db.url.database], check=True)
    with hub.db.read() as s:
        assert s.scalars(select(ApiToken.revoked_ts)).one() == 1
    clock[0] += auth.TOKEN_CACHE_S - 0.5
    assert principal_for_token(hub.db, token) is not None  # remembered: the documented bound
    clock[0] += 0.5
    assert principal_for_token(hub.db, token) is None  # read again: revoked


def test_token_cache_is_bounded_and_keeps_only_valid_tokens(hub) -> None:
    auth.TOKENS.clear()
    assert principal_for_token(hub.db, "lkt_unknown") is None
    assert len(auth.TOKENS) == 0  # an unknown token is looked up every time
    cache: TtlCache[int] = TtlCache(ttl_s=5.0, size=3)
    for n in range(5):
        cache.put(n, n)
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) == 4
    cache.get(2)  # used: kept; 3 is now the least recently used
    cache.put(5, 5)
    assert cache.get(3) is None and cache.get(2) == 2


def test_token_roles_and_scope(hub) -> None:
    with pytest.raises(AuthError):
        create_token(hub.db, "x", "officer")  # admin tokens exist since issue 14
    with pytest.raises(AuthError):
        create_token(hub.db, "", "device")
    everywhere = principal_for_token(hub.db, create_token(hub.db, "all", "device"))
    assert everywhere.may_operate("1") and everywhere.may_operate("5")
    announcer = principal_for_token(hub.db, create_token(hub.db, "spk", "announcer"))
    assert not announcer.may_operate("1")
    supervisor = principal_for_token(hub.db, create_token(hub.db, "int", "supervisor"))
    assert supervisor.may_operate("1") and supervisor.is_supervisor


def test_officer_scope() -> None:
    officer = Principal("user", "siti", "officer", frozenset({"1"}))
    assert officer.may_operate("1") and not officer.may_operate("2")
    assert not officer.is_supervisor


_CREDENTIAL = re.compile(
    # "env:NAME" and "file:/path" name where a secret is kept (docs/notifications.md): not one
    r"""(password|passwd|secret_key)\s*[=:]\s*["'](?!["']|env:|file:)[^"'\s{}]{4,}["']""",
    re.IGNORECASE,
)


def test_no_hard_coded_password_in_the_repository() -> None:
    """No default password or secret in shipped code, configs or docs."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    offenders = []
    for name in files:
        if not name.endswith((".py", ".toml", ".cfg", ".md", ".html", ".js", ".ini", ".sh")):
            continue
        if name.startswith("tests/"):
            continue  # tests make up their own throwaway passwords
        path = ROOT / name
        if not path.exists():
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8",
                                                     errors="ignore").splitlines(), 1):
            if _CREDENTIAL.search(line):
                offenders.append(f"{name}:{lineno}: {line.strip()}")
    assert not offenders, offenders
