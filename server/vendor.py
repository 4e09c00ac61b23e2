"""Serving browser libraries installed from the npm registry (``npm ci`` with package.json
and its lock file). TVs and kiosks never load anything from the internet: every page asks
Loket for ``/vendor/<package>/<file>``.

An installed wheel carries the files the pages use (see :mod:`loket.server.vendor_files`) in the
package's ``_vendor`` folder; a checkout serves them from its ``node_modules``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory
from werkzeug.wrappers import Response

from loket.server.vendor_files import LIBRARIES, PACKAGED_DIR

log = logging.getLogger(__name__)
bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {
    name: f"{npm}/{served}".rstrip("/") for name, (npm, served, _files) in LIBRARIES.items()
}
"""Package name in URLs -> folder under node_modules that may be served."""
ALLOWED_SUFFIXES = {".js", ".css", ".woff2", ".woff", ".map"}


def packaged_dir() -> Path:
    """Where an installed wheel keeps the libraries (absent in a checkout)."""
    return Path(__file__).resolve().parent / PACKAGED_DIR


def node_modules_dir() -> Path:
    """``LOKET_NODE_MODULES``, else ``node_modules`` in the project folder."""
    configured = os.environ.get("LOKET_NODE_MODULES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "node_modules"


def library_dir(name: str) -> Path:
    """The folder ``/vendor/<name>/`` serves: ``LOKET_NODE_MODULES`` when set, else the
    installed package's copy, else the checkout's ``node_modules``."""
    if not os.environ.get("LOKET_NODE_MODULES") and packaged_dir().is_dir():
        return packaged_dir() / name
    return node_modules_dir() / PACKAGES[name]


def source_description() -> str:
    if not os.environ.get("LOKET_NODE_MODULES") and packaged_dir().is_dir():
        return str(packaged_dir())
    return str(node_modules_dir())


def missing_packages() -> list[str]:
    return [name for name in PACKAGES if not library_dir(name).is_dir()]


@bp.get("/<package>/<path:filename>")
def asset(package: str, filename: str) -> Response:
    if package not in PACKAGES or Path(filename).suffix not in ALLOWED_SUFFIXES:
        abort(404)
    response = send_from_directory(library_dir(package), filename, max_age=86400)
    return response


def init_app(app: Flask) -> None:
    missing = missing_packages()
    if missing:
        log.error(
            "browser libraries missing in %s: %s; run `npm ci` in the project folder",
            source_description(), ", ".join(missing),
        )
    app.register_blueprint(bp)
