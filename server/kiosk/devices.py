"""Kiosks as devices the hall knows: the list (``[[kiosks]]`` of loket.toml, and kiosks stored
only in the database), pairing a kiosk's browser, and recognising a paired kiosk's requests.

Pairing (docs/kiosk.md): ``loket kiosk pair ID`` stores the hash of a one-time code valid
``[kiosk] pair_code_min`` minutes; the kiosk's browser opens ``/kiosk/pair?code=...`` (or an
admin signed in on the kiosk presses "pair this browser") and receives the ``loket_kiosk``
cookie: ``<id>.<secret>``, HttpOnly, SameSite=Strict, five years. Only the SHA-256 of the
secret is stored, so pairing again (or ``loket kiosk unpair``) revokes the old cookie. Every
request that carries the cookie is that kiosk's: its tickets carry its id, it may ask for
priority and print on its printer, and it is counted against its own generous limit."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from loket.server.config import LoketConfig
from loket.server.config.kiosk import KioskDeviceSection, _check_limit
from loket.server.db import Database
from loket.server.events import Event
from loket.server.kiosk.models import Kiosk
from loket.server.models import AuditEntry

if TYPE_CHECKING:
    from loket.server.hub import Hub

log = logging.getLogger(__name__)
COOKIE = "loket_kiosk"
COOKIE_MAX_AGE_S = 5 * 365 * 24 * 3600
SEEN_WRITE_S = 30.0
"""``last_seen_ts`` is written at most this often per kiosk."""
NOTE_LIMITED_S = 1.0
_limited_noted: dict[str, float] = {}
ID_PATTERN = KioskDeviceSection.model_fields["id"].metadata[0].pattern


class KioskError(ValueError):
    """A kiosk command that cannot be done; the message says why."""


@dataclass(frozen=True)
class KioskInfo:
    """One kiosk's settings, wherever they are kept."""

    id: str
    name: str = ""
    printer: str = ""
    paper_width_mm: int = 80
    agencies: tuple[str, ...] = ()
    rate_limit: str = ""
    in_file: bool = False

    @property
    def label(self) -> str:
        return self.name or self.id


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _from_config(k: KioskDeviceSection) -> KioskInfo:
    return KioskInfo(k.id, k.name, k.printer, k.paper_width_mm, tuple(k.agencies),
                     k.rate_limit, True)


def _from_row(row: Kiosk) -> KioskInfo:
    agencies = tuple(a.strip() for a in row.agencies.split(",") if a.strip())
    return KioskInfo(row.id, row.name, row.printer, row.paper_width_mm, agencies,
                     row.rate_limit, False)


def get_kiosk(config: LoketConfig, db: Database, kiosk_id: str | None) -> KioskInfo | None:
    """The kiosk ``kiosk_id``: from loket.toml if it is there, else from the database."""
    if not kiosk_id or len(kiosk_id) > 32:
        return None
    for k in config.kiosks:
        if k.id == kiosk_id:
            return _from_config(k)
    with db.read() as s:
        row = s.get(Kiosk, kiosk_id)
        return _from_row(row) if row is not None and not row.in_file else None


def all_kiosks(config: LoketConfig, db: Database) -> list[KioskInfo]:
    """loket.toml's kiosks in their order, then the database's by id."""
    found = [_from_config(k) for k in config.kiosks]
    in_file = {k.id for k in found}
    with db.read() as s:
        for row in s.scalars(select(Kiosk).order_by(Kiosk.id)):
            if row.id not in in_file and not row.in_file:
                found.append(_from_row(row))
    return found


def states(db: Database) -> dict[str, dict[str, Any]]:
    """Pairing and health columns of every kiosk row, by id."""
    with db.read() as s:
        return {
            row.id: {"paired": row.token_hash is not None, "paired_ts": row.paired_ts,
                     "last_seen_ts": row.last_seen_ts, "limited_ts": row.limited_ts,
                     "limited_count": row.limited_count,
                     "unpaired_limited_ts": row.unpaired_limited_ts}
            for row in s.scalars(select(Kiosk))
        }


def _row_for(s: Session, config: LoketConfig, kiosk_id: str, now: float) -> Kiosk:
    """The kiosk's row, created for a loket.toml kiosk that has none yet."""
    row = s.get(Kiosk, kiosk_id)
    if row is not None:
        return row
    if not any(k.id == kiosk_id for k in config.kiosks):
        raise KioskError(f"no kiosk {kiosk_id!r} (see `loket kiosk list`)")
    row = Kiosk(id=kiosk_id, name="", printer="", paper_width_mm=80, agencies="",
                rate_limit="", base_url="", limited_count=0, created_ts=now, in_file=True)
    s.add(row)
    return row


def add_kiosk(config: LoketConfig, db: Database, kiosk_id: str, *, name: str = "",
              printer: str = "", paper_width_mm: int = 80, agencies: list[str] | None = None,
              rate_limit: str = "", now: float = 0.0, actor: str = "cli") -> KioskInfo:
    """Store a new kiosk in the database (kiosks of loket.toml are edited in the file)."""
    import re

    if not re.fullmatch(str(ID_PATTERN), kiosk_id):
        raise KioskError("a kiosk id is 1-32 letters, digits, '_' or '-'")
    if paper_width_mm not in (58, 80):
        raise KioskError("paper width must be 58 or 80 (mm)")
    try:
        _check_limit(rate_limit)
    except ValueError as exc:
        raise KioskError(str(exc)) from None
    if any(k.id == kiosk_id for k in config.kiosks):
        raise KioskError(f"kiosk {kiosk_id!r} is defined in loket.toml; change it there")
    known = {a.slug for a in config.agencies} | {config.agency_id(v.agency)
                                                  for v in config.services}
    unknown = [a for a in agencies or [] if config.agency_id(a) not in known]
    if unknown:
        raise KioskError(f"unknown agencies: {', '.join(unknown)}")
    with db.session() as s:
        if s.get(Kiosk, kiosk_id) is not None:
            raise KioskError(f"kiosk {kiosk_id!r} already exists")
        s.add(Kiosk(id=kiosk_id, name=name[:80], printer=printer[:200],
                    paper_width_mm=paper_width_mm, agencies=",".join(agencies or []),
                    rate_limit=rate_limit, base_url="", limited_count=0, created_ts=now,
                    in_file=False))
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:add", target=kiosk_id,
                         detail=printer))
    return KioskInfo(kiosk_id, name, printer, paper_width_mm, tuple(agencies or []),
                     rate_limit, False)


def update_kiosk(db: Database, kiosk_id: str, *, name: str | None = None,
                 printer: str | None = None, rate_limit: str | None = None, now: float = 0.0,
                 actor: str = "cli") -> None:
    """Change a database kiosk's name, printer or rate limit (the admin pages)."""
    if rate_limit is not None:
        try:
            _check_limit(rate_limit)
        except ValueError as exc:
            raise KioskError(str(exc)) from None
    with db.session() as s:
        row = s.get(Kiosk, kiosk_id)
        if row is None or row.in_file:
            raise KioskError(f"no kiosk {kiosk_id!r} in the database (kiosks of loket.toml "
                             "are changed in the file)")
        before = {"name": row.name, "printer": row.printer, "rate_limit": row.rate_limit}
        if name is not None:
            row.name = name[:80]
        if printer is not None:
            row.printer = printer[:200]
        if rate_limit is not None:
            row.rate_limit = rate_limit
        after = {"name": row.name, "printer": row.printer, "rate_limit": row.rate_limit}
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:update", target=kiosk_id,
                         detail=json.dumps({"before": before, "after": after})))


def remove_kiosk(db: Database, kiosk_id: str, now: float = 0.0, actor: str = "cli") -> None:
    with db.session() as s:
        row = s.get(Kiosk, kiosk_id)
        if row is None or row.in_file:
            raise KioskError(f"no kiosk {kiosk_id!r} in the database (kiosks of loket.toml "
                             "are removed from the file)")
        s.delete(row)
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:remove", target=kiosk_id))


def start_pairing(config: LoketConfig, db: Database, kiosk_id: str, now: float,
                  base_url: str = "", actor: str = "cli") -> str:
    """A fresh one-time pairing code for ``kiosk_id`` (8 digits, valid
    ``[kiosk] pair_code_min`` minutes). The kiosk stays paired until the code is used."""
    if base_url and not base_url.startswith(("http://", "https://")):
        raise KioskError("--url must start with http:// or https://")
    with db.session() as s:
        if get_kiosk(config, db, kiosk_id) is None:
            raise KioskError(f"no kiosk {kiosk_id!r} (see `loket kiosk list`)")
        row = _row_for(s, config, kiosk_id, now)
        taken = set(s.scalars(select(Kiosk.pair_code_hash)
                              .where(Kiosk.pair_code_expires_ts > now)))
        while True:
            code = f"{secrets.randbelow(10 ** 8):08d}"
            if _hash(code) not in taken:
                break
        row.pair_code_hash = _hash(code)
        row.pair_code_expires_ts = now + config.kiosk.pair_code_min * 60
        # The admin's address, else (empty) the one the kiosk will be paired at.
        row.base_url = base_url.rstrip("/")[:200]
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:pair_code", target=kiosk_id))
    return code


def _new_secret(row: Kiosk, now: float, base_url: str) -> str:
    secret = secrets.token_urlsafe(32)
    row.token_hash = _hash(secret)
    row.paired_ts = now
    row.pair_code_hash = None
    row.pair_code_expires_ts = None
    row.limited_count = 0
    row.limited_ts = None
    row.unpaired_limited_ts = None
    row.last_seen_ts = now
    if base_url and not row.base_url:
        row.base_url = base_url.rstrip("/")[:200]
    return f"{row.id}.{secret}"


def redeem_code(db: Database, code: str, now: float, base_url: str = "") -> str | None:
    """Pair with a one-time code: the cookie value, or None (unknown, used or expired)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 8:
        return None
    with db.session() as s:
        row = s.scalars(select(Kiosk).where(Kiosk.pair_code_hash == _hash(code))).first()
        if row is None or (row.pair_code_expires_ts or 0) < now:
            return None
        value = _new_secret(row, now, base_url)
        s.add(AuditEntry(ts=now, actor="kiosk", action="kiosk:pair", target=row.id,
                         detail="code"))
    log.info("kiosk %s paired", value.split(".", 1)[0])
    return value


def pair_directly(config: LoketConfig, db: Database, kiosk_id: str, now: float, actor: str,
                  base_url: str = "") -> str:
    """An admin pairs the browser in front of them as ``kiosk_id``: the cookie value."""
    if get_kiosk(config, db, kiosk_id) is None:
        raise KioskError(f"no kiosk {kiosk_id!r}")
    with db.session() as s:
        value = _new_secret(_row_for(s, config, kiosk_id, now), now, base_url)
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:pair", target=kiosk_id,
                         detail="admin"))
    return value


def unpair(db: Database, kiosk_id: str, now: float = 0.0, actor: str = "cli") -> None:
    with db.session() as s:
        row = s.get(Kiosk, kiosk_id)
        if row is None or row.token_hash is None:
            raise KioskError(f"kiosk {kiosk_id!r} is not paired")
        row.token_hash = None
        row.pair_code_hash = None
        s.add(AuditEntry(ts=now, actor=actor, action="kiosk:unpair", target=kiosk_id))


def verify_cookie(db: Database, value: str | None) -> str | None:
    """The kiosk id a ``loket_kiosk`` cookie proves, or None."""
    found = _verify(db, value)
    return found[0] if found else None


def _verify(db: Database, value: str | None) -> tuple[str, float | None] | None:
    if not value or len(value) > 120 or "." not in value:
        return None
    kiosk_id, _, secret = value.partition(".")
    with db.read() as s:
        row = s.get(Kiosk, kiosk_id) if len(kiosk_id) <= 32 else None
        if row is None or row.token_hash is None:
            return None
        if not hmac.compare_digest(row.token_hash, _hash(secret)):
            return None
        return str(row.id), row.last_seen_ts


def current_kiosk(hub: Hub) -> KioskInfo | None:
    """The paired kiosk making this request (its cookie), or None. Notes it as seen."""
    if "loket_kiosk" in g:
        known: KioskInfo | None = g.loket_kiosk
        return known
    found = _verify(hub.db, request.cookies.get(COOKIE))
    kiosk = get_kiosk(hub.config, hub.db, found[0]) if found else None
    if kiosk is not None and found is not None:
        now = hub.clock()
        if found[1] is None or now - found[1] >= SEEN_WRITE_S:
            _note_seen(hub, kiosk.id, now)
    g.loket_kiosk = kiosk
    return kiosk


def _note_seen(hub: Hub, kiosk_id: str, now: float) -> None:
    # Best effort: a read (the kiosk's service list) never waits for, or fails on, the lock.
    with hub.db.best_effort() as s:
        row = s.get(Kiosk, kiosk_id)
        if row is not None:
            row.last_seen_ts = now


def note_limited(hub: Hub, kiosk_id: str, paired: bool) -> None:
    """A kiosk's request was refused by a rate limit: stored, so the dashboard shows it, and
    published as a ``kiosk`` event so it does at once. A runaway device is noted at most once
    per :data:`NOTE_LIMITED_S` (per process): its refusals must not become a write storm."""
    now = hub.clock()
    key = f"{id(hub)}:{kiosk_id}:{paired}"
    if 0 <= now - _limited_noted.get(key, -NOTE_LIMITED_S) < NOTE_LIMITED_S:
        return
    _limited_noted[key] = now
    with hub.write() as w:
        s = w.session
        row = s.get(Kiosk, kiosk_id)
        if row is None:
            if not paired:
                try:
                    row = _row_for(s, hub.config, kiosk_id, now)
                except KioskError:
                    return
            else:
                return
        if paired:
            row.limited_ts = now
            row.limited_count = (row.limited_count or 0) + 1
        else:
            row.unpaired_limited_ts = now
        w.publish(Event("kiosk", {"kiosk": kiosk_id, "status": "limited" if paired
                                  else "unpaired_limited", "at": hub.iso(now)}))
    log.warning("kiosk %s refused by its rate limit (%s)", kiosk_id,
                "paired" if paired else "not paired: strict per-address limit")


def public_base(hub: Hub, kiosk: KioskInfo | None = None) -> str:
    """The hub's address for citizens' phones: ``[kiosk] public_url``, else the address
    stored when ``kiosk`` (or any kiosk) was paired, else this machine's LAN address and
    ``[server] port``. Never a request header."""
    configured = hub.config.kiosk.public_url.strip().rstrip("/")
    if configured:
        return configured
    with hub.db.read() as s:
        stored = None
        if kiosk is not None:
            stored = s.scalar(select(Kiosk.base_url).where(Kiosk.id == kiosk.id))
        if not stored:
            stored = s.scalar(select(Kiosk.base_url).where(Kiosk.base_url != "")
                              .order_by(Kiosk.paired_ts.desc()).limit(1))
    if stored:
        return str(stored)
    host = hub.config.server.host
    if host in ("", "0.0.0.0", "::"):
        host = lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{hub.config.server.port}"


@lru_cache(maxsize=1)
def lan_address() -> str:
    """This machine's address on its default route (a UDP socket is aimed, nothing is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))
            return str(sock.getsockname()[0])
    except OSError:
        return "127.0.0.1"
