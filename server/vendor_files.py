"""Which browser libraries the pages use, and which of their files the built wheel carries.

Pure data (no imports beyond the standard library): ``setup.py`` reads this file at build
time to copy the files from ``node_modules`` into the wheel, and :mod:`loket.server.vendor` serves
them from there (or from the checkout's ``node_modules`` during development)."""

from __future__ import annotations

LIBRARIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "socket.io-client": (
        "socket.io-client", "dist", ("socket.io.min.js", "socket.io.min.js.map"),
    ),
    "chart.js": ("chart.js", "dist", ("chart.umd.min.js", "chart.umd.min.js.map")),
    "swagger-ui": (
        "swagger-ui-dist", "",
        ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-bundle.js.LICENSE.txt", "NOTICE"),
    ),
    "atkinson-hyperlegible": (
        "@fontsource/atkinson-hyperlegible", "", ("*.css", "files/*.woff2", "files/*.woff"),
    ),
}
"""Name in ``/vendor/<name>/...`` URLs -> (npm package folder under ``node_modules``, folder
inside it that is served, glob patterns of the served files the wheel carries)."""

LICENCE_PATTERNS = ("LICENSE*", "LICENCE*", "COPYING*")
"""Licence files copied from each npm package's folder into the wheel beside its files."""

PACKAGED_DIR = "_vendor"
"""Folder inside the installed ``server`` package that holds the copied libraries."""
