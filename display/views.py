"""Routes of the wall screens. The pages carry the hall's settings in a JSON block
(``<script type="application/json">``, escaped by ``tojson``); everything live comes over
Socket.IO."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, g, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from loket.server.config import LoketConfig
from loket.server.context import get_hub
from loket.server.i18n import catalog, translate
from loket.server.signage import push as signage_push

log = logging.getLogger(__name__)
bp = Blueprint(
    "display",
    __name__,
    url_prefix="/display",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".webp": "image/webp"}
TRUE_WORDS = ("1", "true", "yes", "ya", "on")
LAYOUTS = ("auto", "calls", "media", "portrait")


def _config() -> LoketConfig:
    """The hall's live configuration (counters and services as changed in /admin)."""
    config: LoketConfig = get_hub().config
    return config


def zone_label(zone: str | None, lang: str) -> str:
    """``"lantai-2"`` -> ``"Lantai 2"``; no zone -> "Semua lantai"."""
    if not zone:
        return translate("display.all_zones", lang)
    return " ".join(part.capitalize() for part in zone.split("-") if part)


def logo_path(config: LoketConfig) -> Path | None:
    """The configured logo file if it exists and is an image type a browser shows."""
    if not config.hall.logo:
        return None
    path = config.resolve(config.hall.logo)
    if path.suffix.lower() not in LOGO_TYPES or not path.is_file():
        log.warning("hall logo %s is missing or not a PNG/SVG/JPEG/WebP file", path)
        return None
    return path


def page_settings(mode: str, zone: str | None = None, counter: Any = None) -> dict[str, Any]:
    """What the page's script needs before the first snapshot arrives."""
    config = _config()
    lang: str = g.lang
    sound = request.args.get("sound", "").lower() in TRUE_WORDS
    return {
        "mode": mode,
        "lang": lang,
        "zone": zone,
        "zone_label": zone_label(zone, lang) if zone else "",
        "counter": counter.id if counter is not None else None,
        "counter_name": counter.name if counter is not None else None,
        "hall": {"name": config.hall.name, "timezone": config.hall.timezone},
        "recent_calls": config.display.recent_calls,
        "flash_seconds": config.display.flash_seconds,
        "group_by": config.display.group_waiting_by,
        "running_text": config.display.running_text,
        "sound": sound,
        "audio": {"call": "/audio/calls/", "chime": "/audio/chime.wav"},
        "messages": catalog(lang, "display."),
        "layout": screen_layout(config),
        "media_sound": config.display.media_sound,
        "counter_zone": counter.zone if counter is not None else None,
        "signage": signage_push.state(get_hub()),
    }


def screen_layout(config: LoketConfig) -> str:
    """``?layout=`` (calls, media, portrait, auto) if valid, else ``[display] layout``."""
    asked = request.args.get("layout", "").strip().lower()
    return asked if asked in LAYOUTS else config.display.layout


def _logo_url() -> str:
    if logo_path(_config()) is not None:
        return url_for("display.logo")
    return url_for("display.static", filename="emblem.svg")


@bp.get("")
@bp.get("/")
def hall_screen() -> Any:
    config = _config()
    zone = (request.args.get("zone") or "").strip().lower() or None
    zones = sorted({c.zone for c in config.counters})
    if zone is not None and zone not in zones:
        return _not_found("zone", zone, zones), 404
    return render_template(
        "display/hall.html",
        settings=page_settings("hall", zone=zone),
        zone=zone,
        zone_text=zone_label(zone, g.lang) if zone else "",
        logo_url=_logo_url(),
    )


@bp.get("/counter/<counter_id>")
def counter_screen(counter_id: str) -> Any:
    config = _config()
    counter = next((c for c in config.counters if c.id == counter_id), None)
    if counter is None:
        return _not_found("counter", counter_id, [c.id for c in config.counters]), 404
    return render_template(
        "display/counter.html",
        settings=page_settings("counter", zone=None, counter=counter),
        counter=counter,
        logo_url=_logo_url(),
    )


def _not_found(kind: str, wanted: str, known: list[str]) -> str:
    config = _config()
    if kind == "counter":
        links = [
            (c.name, url_for("display.counter_screen", counter_id=c.id)) for c in config.counters
        ]
    else:
        links = [(zone_label(z, g.lang), url_for("display.hall_screen", zone=z)) for z in known]
    return render_template(
        "display/not_found.html", kind=kind, wanted=wanted[:40], links=links, logo_url=_logo_url()
    )


@bp.get("/logo")
def logo() -> Response:
    path = logo_path(_config())
    if path is None:
        abort(404)
    return send_file(path, mimetype=LOGO_TYPES[path.suffix.lower()], max_age=3600)
