"""Loket's version, from one place: the ``version`` in setup.cfg, read back from the installed
distribution's metadata (``loket --version``, ``/healthz``, the supervisor page, backups)."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "loket"


def version() -> str:
    """The installed distribution's version; ``0+unknown`` when run from a bare checkout
    that was never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def version_tuple(text: str) -> tuple[int, ...]:
    """The leading numeric release parts of a version string (``0.2.0rc1`` -> (0, 2, 0)), for
    refusing backups made by a newer Loket."""
    parts: list[int] = []
    for piece in text.split("+")[0].split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) < len(piece):
            break
    return tuple(parts)
