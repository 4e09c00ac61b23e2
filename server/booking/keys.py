"""Secrets of the bookings: the keyed NIK hash (HMAC-SHA256 with the hall's own key, generated
on first start, never a built-in constant), the links' tokens and the sealing of a checked-in
ticket's status token under its booking's token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
from pathlib import Path

from loket.server.config import LoketConfig

log = logging.getLogger(__name__)
KEY_FILE = "booking_nik_key"
NIK_PATTERN = re.compile(r"^\d{16}$")
_keys: dict[Path, bytes] = {}
_lock = threading.Lock()


def key_path(config: LoketConfig) -> Path:
    """Where the NIK key is kept: ``[booking] nik_key_file`` or ``booking_nik_key`` beside the
    config file."""
    return config.resolve(config.booking.nik_key_file or KEY_FILE)


def nik_key(config: LoketConfig) -> bytes:
    """The hall's NIK key, read once per process (created, mode 0600, when missing)."""
    path = key_path(config)
    with _lock:
        if path not in _keys:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch(mode=0o600)
                path.write_text(secrets.token_hex(32))
                log.info("generated the NIK hash key in %s", path)
            text = path.read_text().strip()
            if len(text) < 32:
                raise ValueError(f"{path}: the NIK key must have at least 32 characters")
            _keys[path] = text.encode()
        return _keys[path]


def clean_nik(raw: str) -> str | None:
    """A NIK as 16 digits (spaces and dots removed), or None when it is not one."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    return digits if NIK_PATTERN.match(digits) else None


def nik_hash(config: LoketConfig, nik: str) -> str:
    """Keyed hash of a 16-digit NIK (hex HMAC-SHA256)."""
    return hmac.new(nik_key(config), nik.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    """The secret of a booking's link (``/b/<token>``)."""
    return secrets.token_urlsafe(24)


def _pad(config: LoketConfig, token_hash: str, size: int) -> bytes:
    return hmac.new(nik_key(config), b"ticket:" + token_hash.encode(),
                    hashlib.sha256).digest()[:size]


def seal(config: LoketConfig, ticket_token: str, token_hash: str) -> str:
    """A checked-in ticket's status token (at most 32 bytes), encrypted with a pad derived
    from the hall's key and the booking's token hash: the database alone cannot read it."""
    data = ticket_token.encode()
    pad = _pad(config, token_hash, len(data))
    return base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(data, pad, strict=True))
                                    ).decode()


def unseal(config: LoketConfig, sealed: str, token_hash: str) -> str | None:
    """The ticket token sealed by :func:`seal`, or None when it cannot be read."""
    try:
        data = base64.urlsafe_b64decode(sealed.encode())
        pad = _pad(config, token_hash, len(data))
        return bytes(a ^ b for a, b in zip(data, pad, strict=True)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
