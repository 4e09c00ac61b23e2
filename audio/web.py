"""Announcement audio for displays with in-browser sound (halls without a PA system):
``GET /audio/chime.wav`` and ``GET /audio/calls/<call id>`` (chime + sentence as WAV), made
by the same pipeline as the speakers and cached on disk per call."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from loket.audio import pcm
from loket.audio.announcement import Renderer
from loket.server.context import get_config, get_hub
from loket.server.models import CallRecord

log = logging.getLogger(__name__)
bp = Blueprint("audio", __name__, url_prefix="/audio")
_lock = threading.Lock()


def _renderer() -> Renderer:
    renderer: Renderer | None = current_app.extensions.get("loket.audio.renderer")
    if renderer is None:
        renderer = Renderer(get_config())
        current_app.extensions["loket.audio.renderer"] = renderer
    return renderer


def _wav(data: bytes) -> Response:
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/chime.wav")
def chime() -> Response:
    return _wav(pcm.to_wav(_renderer().chime))


@bp.get("/calls/<int:call_id>")
def call_audio(call_id: int) -> Any:
    hub = get_hub()
    with hub.db.read() as s:
        record = s.get(CallRecord, call_id)
        call = hub.call_payload(record) if record is not None else None
    if call is None:
        return jsonify({"error": "not_found", "message": "Panggilan tidak ditemukan."}), 404
    cache = hub.config.base_dir / "audio-cache"
    path = cache / f"call-{call_id}.wav"
    if not path.is_file():
        with _lock:
            if not path.is_file():
                cache.mkdir(parents=True, exist_ok=True)
                pcm.write_wav(path, _renderer().render(call))
    return _wav(path.read_bytes())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
