"""What the wall screens show besides calls: playlists per screen group, scheduled running
texts, the Standar Pelayanan of each service and the hall's maklumat. Changes are pushed live to
every open screen with the ``signage`` event on ``/display`` (see :mod:`loket.server.signage.push`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, select

from loket.server.errors import HubError, bad_request
from loket.server.hub import Hub
from loket.server.signage.models import (
    MediaFile,
    Playlist,
    RunningText,
    ServiceStandard,
    SignageNote,
)
from loket.server.signage.schedule import parse_schedule

log = logging.getLogger(__name__)

STANDAR_KEYS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "pengaduan")
"""The six components of a Standar Pelayanan a citizen reads (PermenPAN-RB 15/2014)."""
SLIDES = ("skm", "standar", "maklumat")
MAX_ITEMS = 100
MAX_SECONDS = 3600
DEFAULT_SECONDS = 10
MAX_TEXT = 500
MAX_STANDAR = 4000


# --------------------------------------------------------------------------- groups
def screen_groups(hub: Hub) -> list[str]:
    zones = sorted({c.zone for c in hub.config.counters if c.zone})
    return ["hall", *[f"zone:{z}" for z in zones], *[f"counter:{c}" for c in hub.counters]]


def check_group(hub: Hub, group: str) -> str:
    if group not in screen_groups(hub):
        raise HubError("unknown_group", group=group[:48])
    return group


# --------------------------------------------------------------------------- playlists
def _clean_item(hub: Hub, raw: Any, media_ids: set[int]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request("every item must be an object")
    allowed = {"media", "slide", "service", "seconds", "from", "until", "days", "time"}
    unknown = set(raw) - allowed
    if unknown:
        raise bad_request(f"unknown item field {sorted(unknown)[0]!r}")
    item: dict[str, Any] = {}
    if "media" in raw:
        media = raw["media"]
        if isinstance(media, bool) or not isinstance(media, int):
            raise bad_request("'media' must be a media id")
        if media not in media_ids:
            raise HubError("unknown_media", media=media)
        item["media"] = media
    elif "slide" in raw:
        slide = raw["slide"]
        if slide not in SLIDES:
            raise bad_request(f"'slide' must be one of {', '.join(SLIDES)}")
        item["slide"] = slide
        if slide == "standar":
            service = str(raw.get("service") or "").strip().upper()
            if service not in hub.services:
                raise HubError("unknown_service", service=service[:4])
            item["service"] = service
    else:
        raise bad_request("every item needs 'media' or 'slide'")
    if "seconds" in raw:
        seconds = raw["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) \
                or not 1 <= seconds <= MAX_SECONDS:
            raise bad_request(f"'seconds' must be from 1 to {MAX_SECONDS}")
        item["seconds"] = seconds
    item.update(parse_schedule(raw))
    return item


def set_playlist(hub: Hub, group: str, items: Any, actor: str) -> list[dict[str, Any]]:
    check_group(hub, group)
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise bad_request(f"'items' must be a list of at most {MAX_ITEMS} items")
    now = hub.clock()
    with hub.db.session() as s:
        media_ids = set(s.scalars(select(MediaFile.id)))
        cleaned = [_clean_item(hub, raw, media_ids) for raw in items]
        row = s.get(Playlist, group)
        if row is None:
            s.add(Playlist(group=group, items=json.dumps(cleaned), updated_ts=now,
                           updated_by=actor))
        else:
            row.items, row.updated_ts, row.updated_by = json.dumps(cleaned), now, actor
    hub.audit(actor, "signage:playlist", group, json.dumps(cleaned)[:2000])
    return cleaned


def playlists(hub: Hub) -> dict[str, list[dict[str, Any]]]:
    with hub.db.read() as s:
        return {row.group: json.loads(row.items) for row in s.scalars(select(Playlist))}


def media_list(hub: Hub) -> list[dict[str, Any]]:
    with hub.db.read() as s:
        rows = s.scalars(select(MediaFile).order_by(MediaFile.id)).all()
        return [media_public(row) for row in rows]


def media_public(row: MediaFile) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "title": row.title, "url": f"/media/{row.id}",
        "thumbnail_url": f"/media/{row.id}/thumbnail", "mimetype": row.mimetype,
        "size": row.size, "width": row.width, "height": row.height,
        "duration": round(row.duration, 2),
    }


# --------------------------------------------------------------------------- running texts
def add_text(hub: Hub, body: dict[str, Any], actor: str) -> int:
    text = str(body.get("text") or "").strip()
    if not text:
        raise bad_request("field 'text' is required")
    if len(text) > MAX_TEXT:
        raise bad_request(f"the text is longer than {MAX_TEXT} characters")
    zone = str(body.get("zone") or "").strip().lower() or None
    if zone is not None and zone not in {c.zone for c in hub.config.counters}:
        raise HubError("unknown_zone", zone=zone[:32])
    schedule = parse_schedule(body)
    with hub.db.session() as s:
        row = RunningText(
            text=text, zone=zone, from_day=schedule.get("from"), until_day=schedule.get("until"),
            days=",".join(schedule.get("days", [])), time_window=schedule.get("time", ""),
            created_ts=hub.clock(), created_by=actor,
        )
        s.add(row)
        s.flush()
        text_id = int(row.id)
    hub.audit(actor, "signage:text:add", str(text_id), text[:200])
    return text_id


def delete_text(hub: Hub, text_id: int, actor: str) -> None:
    with hub.db.session() as s:
        if s.get(RunningText, text_id) is None:
            raise HubError("not_found")
        s.execute(delete(RunningText).where(RunningText.id == text_id))
    hub.audit(actor, "signage:text:delete", str(text_id))


def texts(hub: Hub) -> list[dict[str, Any]]:
    with hub.db.read() as s:
        rows = s.scalars(select(RunningText).order_by(RunningText.id)).all()
        return [
            {"id": r.id, "text": r.text, "zone": r.zone, "from": r.from_day,
             "until": r.until_day, "days": [d for d in r.days.split(",") if d],
             "time": r.time_window or None}
            for r in rows
        ]


# --------------------------------------------------------------------------- standar pelayanan
def standar(hub: Hub, prefix: str) -> dict[str, str]:
    with hub.db.read() as s:
        row = s.get(ServiceStandard, prefix)
        return {key: (getattr(row, key) if row else "") for key in STANDAR_KEYS}


def all_standar(hub: Hub) -> dict[str, dict[str, str]]:
    with hub.db.read() as s:
        rows = {r.prefix: r for r in s.scalars(select(ServiceStandard))}
    return {p: {k: getattr(rows[p], k) if p in rows else "" for k in STANDAR_KEYS}
            for p in hub.services}


def set_standar(hub: Hub, prefix: str, body: dict[str, Any], actor: str) -> dict[str, str]:
    if prefix not in hub.services:
        raise HubError("unknown_service", service=prefix[:4])
    values: dict[str, str] = {}
    for key in STANDAR_KEYS:
        value = body.get(key, "")
        if not isinstance(value, str):
            raise bad_request(f"field {key!r} must be text")
        if len(value) > MAX_STANDAR:
            raise bad_request(f"field {key!r} is longer than {MAX_STANDAR} characters")
        values[key] = value.strip()
    now = hub.clock()
    with hub.db.session() as s:
        row = s.get(ServiceStandard, prefix)
        if row is None:
            s.add(ServiceStandard(prefix=prefix, updated_ts=now, updated_by=actor, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_ts, row.updated_by = now, actor
    hub.audit(actor, "signage:standar", prefix)
    return values


# --------------------------------------------------------------------------- notes
def note(hub: Hub, key: str) -> dict[str, Any]:
    with hub.db.read() as s:
        row = s.get(SignageNote, key)
        value = json.loads(row.value) if row else {}
        return value if isinstance(value, dict) else {}


def set_note(hub: Hub, key: str, value: dict[str, Any], actor: str) -> None:
    now = hub.clock()
    with hub.db.session() as s:
        row = s.get(SignageNote, key)
        if row is None:
            s.add(SignageNote(key=key, value=json.dumps(value), updated_ts=now, updated_by=actor))
        else:
            row.value, row.updated_ts, row.updated_by = json.dumps(value), now, actor
    hub.audit(actor, f"signage:{key}", key, json.dumps(value)[:2000])


def set_maklumat(hub: Hub, body: dict[str, Any], actor: str) -> dict[str, Any]:
    text = body.get("text", "")
    media = body.get("media")
    if not isinstance(text, str) or len(text) > MAX_STANDAR:
        raise bad_request(f"'text' must be text of at most {MAX_STANDAR} characters")
    if media is not None:
        if isinstance(media, bool) or not isinstance(media, int):
            raise bad_request("'media' must be a media id or null")
        with hub.db.read() as s:
            row = s.get(MediaFile, media)
            if row is None or row.kind != "image":
                raise HubError("unknown_media", media=media)
    value = {"text": text.strip(), "media": media}
    set_note(hub, "maklumat", value, actor)
    return value
