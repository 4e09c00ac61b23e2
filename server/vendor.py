"""Serving browser libraries installed from the npm registry (``npm ci`` with package.json
and its lock file). TVs and kiosks never load anything from the internet: every page asks
Loket for ``/vendor/<package>/<file>``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)
bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {
    "socket.io-client": "socket.io-client/dist",
    "chart.js": "chart.js/dist",
    "atkinson-hyperlegible": "@fontsource/atkinson-hyperlegible",
}
"""Package name in URLs -> folder under node_modules that may be served."""
ALLOWED_SUFFIXES = {".js", ".css", ".woff2", ".woff", ".map"}


def node_modules_dir() -> Path:
    """``LOKET_NODE_MODULES``, else ``node_modules`` in the project folder."""
    configured = os.environ.get("LOKET_NODE_MODULES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "node_modules"


def missing_packages() -> list[str]:
    root = node_modules_dir()
    return [name for name, folder in PACKAGES.items() if not (root / folder).is_dir()]


@bp.get("/<package>/<path:filename>")
def asset(package: str, filename: str) -> Response:
    folder = PACKAGES.get(package)
    if folder is None or Path(filename).suffix not in ALLOWED_SUFFIXES:
        abort(404)
    response = send_from_directory(node_modules_dir() / folder, filename, max_age=86400)
    return response


def init_app(app: Flask) -> None:
    missing = missing_packages()
    if missing:
        log.error(
            "browser libraries missing in %s: %s; run `npm ci` in the project folder",
            node_modules_dir(), ", ".join(missing),
        )
    app.register_blueprint(bp)
