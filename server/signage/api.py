"""The signage JSON API (docs/api.md) and the media files. Writes accept a logged-in
supervisor or admin (then the ``X-CSRFToken`` header is required) or a supervisor Bearer token;
the Standar Pelayanan is written by admins only. Public: the media files, ``/api/info`` and
``/api/skm/public``."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, send_file
from sqlalchemy import select

from loket.server.auth import Principal, require_principal
from loket.server.config import LoketConfig
from loket.server.context import get_config, get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import csrf
from loket.server.hub import Hub
from loket.server.openapi import parse
from loket.server.openapi import requests as req
from loket.server.signage import complaints, content, media, push, skm
from loket.server.signage.models import MediaFile, Playlist

log = logging.getLogger(__name__)
bp = Blueprint("signage_api", __name__)
SUPERVISORS = ("supervisor", "admin")
MEDIA_CACHE_S = 86400


def _config() -> LoketConfig:
    config: LoketConfig = get_config()
    return config


def media_folder() -> Path:
    """Uploaded media live beside the database (the config file's folder), in ``media/``."""
    return _config().base_dir / "media"


def _who(*roles: str, write: bool = False) -> Principal:
    principal = require_principal(*roles)
    if write and principal.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    return principal


# --------------------------------------------------------------------------- media
@bp.post("/api/admin/media")
def upload_media() -> Any:
    limit = _config().display.media_max_bytes
    # Before anything reads the body (CSRF reads the form): the library's own size limit.
    request.max_content_length = limit + 64 * 1024
    principal = _who(*SUPERVISORS, write=True)
    upload = request.files.get("file")
    if upload is None:
        raise bad_request("field 'file' is required (multipart/form-data)")
    title = (request.form.get("title") or upload.filename or "")[:200]
    try:
        stored = media.store(upload.stream, media_folder(), limit)
    except media.MediaError as exc:
        log.info("upload refused: %s", exc)
        if exc.code == "too_large":
            raise HubError("too_large") from None
        raise HubError(exc.code) from None
    hub = get_hub()
    with hub.db.session() as s:
        row = MediaFile(
            kind=stored.checked.kind, title=title, filename=stored.filename,
            mimetype=stored.checked.mimetype, size=stored.size, sha256=stored.sha256,
            width=stored.checked.width, height=stored.checked.height,
            duration=stored.checked.duration, thumbnail=stored.thumbnail,
            created_ts=hub.clock(), created_by=principal.label,
        )
        s.add(row)
        s.flush()
        public = content.media_public(row)
    hub.audit(principal.label, "signage:media:add", str(public["id"]), title)
    push.changed(hub)
    return jsonify(public), 201


@bp.get("/api/admin/media")
def list_media() -> Any:
    _who(*SUPERVISORS)
    return jsonify({"media": content.media_list(get_hub())})


@bp.delete("/api/admin/media/<int:media_id>")
def delete_media(media_id: int) -> Any:
    principal = _who(*SUPERVISORS, write=True)
    hub = get_hub()
    with hub.db.session() as s:
        row = s.get(MediaFile, media_id)
        if row is None:
            raise HubError("not_found")
        files = [row.filename, row.thumbnail]
        s.delete(row)
        for playlist in s.scalars(select(Playlist)):
            items = [i for i in json.loads(playlist.items) if i.get("media") != media_id]
            playlist.items = json.dumps(items)
    for name in files:
        (media_folder() / name).unlink(missing_ok=True)
    hub.audit(principal.label, "signage:media:delete", str(media_id))
    push.changed(hub)
    return "", 204


def _media_row(media_id: int) -> MediaFile:
    if media_id > 2**31:
        raise HubError("not_found")
    with get_hub().db.read() as s:
        row = s.get(MediaFile, media_id)
        if row is None:
            raise HubError("not_found")
        return row


@bp.get("/media/<int:media_id>")
def media_file(media_id: int) -> Response:
    """The file itself: ETag, Last-Modified, Cache-Control and byte ranges (TVs seek)."""
    row = _media_row(media_id)
    path = media_folder() / row.filename
    if not path.is_file():
        raise HubError("not_found")
    response = send_file(path, mimetype=row.mimetype, conditional=True, etag=True,
                         max_age=MEDIA_CACHE_S)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/media/<int:media_id>/thumbnail")
def media_thumbnail(media_id: int) -> Response:
    row = _media_row(media_id)
    path = media_folder() / row.thumbnail
    if not row.thumbnail or not path.is_file():
        raise HubError("not_found")
    return send_file(path, mimetype="image/jpeg", conditional=True, etag=True,
                     max_age=MEDIA_CACHE_S)


# --------------------------------------------------------------------------- playlists
@bp.get("/api/admin/playlists")
def all_playlists() -> Any:
    _who(*SUPERVISORS)
    hub = get_hub()
    found = content.playlists(hub)
    return jsonify({"groups": content.screen_groups(hub),
                    "playlists": {g_: found.get(g_, []) for g_ in content.screen_groups(hub)}})


@bp.get("/api/admin/playlists/<path:group>")
def one_playlist(group: str) -> Any:
    _who(*SUPERVISORS)
    hub = get_hub()
    content.check_group(hub, group)
    return jsonify({"group": group, "items": content.playlists(hub).get(group, [])})


@bp.put("/api/admin/playlists/<path:group>")
def put_playlist(group: str) -> Any:
    principal = _who(*SUPERVISORS, write=True)
    body = parse(req.PlaylistBody)
    if "items" not in body:
        raise bad_request("field 'items' is required")
    hub = get_hub()
    items = content.set_playlist(hub, group, body["items"], principal.label)
    push.changed(hub)
    return jsonify({"group": group, "items": items}), 200


# --------------------------------------------------------------------------- running texts
@bp.get("/api/supervisor/running-texts")
def list_texts() -> Any:
    _who(*SUPERVISORS)
    return jsonify({"texts": content.texts(get_hub())})


@bp.post("/api/supervisor/running-texts")
def add_text() -> Any:
    principal = _who(*SUPERVISORS, write=True)
    body = parse(req.RunningTextItemBody)
    hub = get_hub()
    text_id = content.add_text(hub, body, principal.label)
    push.changed(hub)
    return jsonify({"id": text_id}), 201


@bp.delete("/api/supervisor/running-texts/<int:text_id>")
def delete_text(text_id: int) -> Any:
    principal = _who(*SUPERVISORS, write=True)
    hub = get_hub()
    content.delete_text(hub, min(text_id, 2**31), principal.label)
    push.changed(hub)
    return "", 204


# --------------------------------------------------------------------------- public info
def _service(hub: Hub, prefix: str) -> str:
    prefix = prefix.strip().upper()[:4]
    if prefix not in hub.services:
        raise HubError("unknown_service", service=prefix)
    return prefix


def info_for(hub: Hub, prefix: str, lang: str) -> dict[str, Any]:
    svc = hub.services[prefix]
    name = (getattr(svc, "name_en", "") or svc.name) if lang == "en" else svc.name
    return {"prefix": prefix, "service": name, "agency": hub.agency_name(svc.agency),
            "standar": content.standar(hub, prefix)}


@bp.get("/api/info")
def info_all() -> Any:
    hub = get_hub()
    return jsonify({"services": [info_for(hub, p, g.lang) for p in hub.services],
                    "maklumat": content.note(hub, "maklumat")})


@bp.get("/api/info/<prefix>")
def info_one(prefix: str) -> Any:
    hub = get_hub()
    return jsonify(info_for(hub, _service(hub, prefix), g.lang))


@bp.put("/api/admin/standar/<prefix>")
def put_standar(prefix: str) -> Any:
    principal = _who("admin", write=True)
    hub = get_hub()
    prefix = _service(hub, prefix)
    body = parse(req.StandarBody)
    values = content.set_standar(hub, prefix, body, principal.label)
    push.changed(hub)
    return jsonify({"prefix": prefix, "standar": values})


@bp.put("/api/admin/maklumat")
def put_maklumat() -> Any:
    principal = _who(*SUPERVISORS, write=True)
    body = parse(req.MaklumatBody)
    hub = get_hub()
    value = content.set_maklumat(hub, body, principal.label)
    push.changed(hub)
    return jsonify(value)


@bp.get("/api/skm/public")
def skm_public() -> Any:
    return jsonify(skm.public(get_hub(), g.lang))


@bp.put("/api/supervisor/skm-public")
def put_skm_public() -> Any:
    principal = _who(*SUPERVISORS, write=True)
    body = parse(req.SkmPublicBody)
    hub = get_hub()
    result = skm.set_public(hub, body, principal.label)
    push.changed(hub)
    return jsonify(result)


@bp.get("/api/signage/state")
def signage_state() -> Any:
    """What the screens get with the ``signage`` event (public: it is on the walls)."""
    return jsonify(push.state(get_hub()))


# --------------------------------------------------------------------------- complaints
@bp.get("/api/supervisor/pengaduan")
def list_complaints() -> Any:
    _who(*SUPERVISORS)
    everything = request.args.get("all") in ("1", "true")
    return jsonify({"complaints": complaints.listing(get_hub(), include_answered=everything)})


@bp.post("/api/supervisor/pengaduan/<int:complaint_id>/answer")
def answer_complaint(complaint_id: int) -> Any:
    principal = _who(*SUPERVISORS, write=True)
    body = parse(req.ComplaintAnswerBody)
    hub = get_hub()
    result = complaints.answer(hub, min(complaint_id, 2**31), body.get("answer", ""),
                               principal.label)
    push.changed(hub)
    return jsonify(result)
