"""HTTP side of help on request and of the kiosk's spoken prompts (docs/api.md):

* ``POST /api/assistance`` ``{"kiosk"?, "where"?, "status_token"?, "on_call"?}`` -> 201 ``{"id"}``
  (anyone; rate-limited per kiosk and address);
* ``GET /api/assistance`` (staff; ``?counter=`` only that counter's zone): the open requests;
* ``POST /api/supervisor/assistance/<id>/taken`` (supervisors and officers) -> 200;
* ``GET /kiosk/speech/<key>.wav`` and ``GET /kiosk/speech/ticket/<token>.wav``: prompts in the
  hall's voice for the kiosk's accessible mode."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address

from loket.server.assistance import store
from loket.server.assistance.speech import Voice, prompt_sentences, ticket_sentences
from loket.server.auth import require_principal
from loket.server.context import get_config, get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import csrf, limiter
from loket.server.i18n import catalog
from loket.server.openapi import parse
from loket.server.openapi.requests import AssistanceBody, NoBody

bp = Blueprint("assistance", __name__, static_folder="static",
               static_url_path="/assistance/static")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{20,64}$")
WHERE_MAX = 80
REQUEST_LIMIT = "4 per minute;30 per hour"
"""Help requests per kiosk (or per address without a kiosk): a citizen pressing the button
again gets the same open request, so this only stops a device or script that floods."""
SPEECH_LIMIT = "60 per minute"


def _body_kiosk() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    kiosk = body.get("kiosk") if isinstance(body, dict) else None
    config = get_config()
    if isinstance(kiosk, str) and any(k.id == kiosk for k in config.kiosks):
        return kiosk
    return ""


def _request_key() -> str:
    kiosk = _body_kiosk()
    address = get_remote_address()
    return f"assist:{kiosk}@{address}" if kiosk else f"assist:ip:{address}"


def _clean_where(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request("field 'where' must be str")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("field 'where' is not valid text") from None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise bad_request("field 'where' contains control characters")
    where = " ".join(value.split())
    if len(where) > WHERE_MAX:
        raise bad_request(f"field 'where' is longer than {WHERE_MAX} characters")
    return where


@bp.post("/api/assistance")
@limiter.limit(REQUEST_LIMIT, key_func=_request_key)
def request_help() -> Any:
    body = parse(AssistanceBody)
    hub = get_hub()
    kiosk = body.get("kiosk") or ""
    if kiosk and not any(k.id == kiosk for k in hub.config.kiosks):
        raise bad_request(f"unknown kiosk {kiosk[:32]!r}")
    where = _clean_where(body.get("where"))
    token = body.get("status_token")
    ticket = None
    if token is not None:
        if not TOKEN_RE.match(token):
            raise bad_request("field 'status_token' is not a status token")
        ticket = hub.ticket_by_token(token)
        if ticket is None:
            raise bad_request("unknown status token")
    on_call = bool(body.get("on_call", False))
    if on_call and ticket is None:
        raise bad_request("'on_call' needs a 'status_token'")
    request_id, created = store.create(hub, store.NewRequest(
        kiosk=kiosk, where=where, ticket=ticket, token=token or "", on_call=on_call))
    return jsonify({"id": request_id, "created": created}), 201


@bp.get("/api/assistance")
def open_list() -> Any:
    principal = require_principal("officer", "supervisor", "admin")
    hub = get_hub()
    counter = request.args.get("counter")
    zone = None
    if counter is not None:
        if counter not in hub.counters:
            raise HubError("unknown_counter", counter=counter[:32])
        if not principal.may_operate(counter):
            raise HubError("forbidden")
        zone = hub.counters[counter].zone
    elif not principal.is_supervisor:
        raise HubError("forbidden")
    return jsonify({"requests": store.open_requests(hub, g.lang, zone),
                    "words": catalog(g.lang, "assist.")})


@bp.post("/api/supervisor/assistance/<int:request_id>/taken")
def taken(request_id: int) -> Any:
    principal = require_principal("officer", "supervisor", "admin")
    if principal.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    if request.content_length:
        parse(NoBody)
    if request_id > 2**31:
        raise HubError("not_found")
    return jsonify(store.take(get_hub(), request_id, principal.label))


def _voice() -> Voice:
    voice: Voice | None = current_app.extensions.get("loket.assistance.voice")
    if voice is None:
        voice = Voice(get_config())
        current_app.extensions["loket.assistance.voice"] = voice
    return voice


def _lang() -> str:
    lang = request.args.get("lang")
    return lang if lang in ("id", "en") else "id"


def _wav(data: bytes) -> Response:
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/kiosk/speech/<key>.wav")
@limiter.limit(SPEECH_LIMIT)
def speech_prompt(key: str) -> Any:
    try:
        sentences = prompt_sentences(key, _lang())
    except KeyError:
        raise HubError("not_found") from None
    return _wav(_voice().wav(sentences))


@bp.get("/kiosk/speech/ticket/<token>.wav")
@limiter.limit(SPEECH_LIMIT)
def speech_ticket(token: str) -> Any:
    if not TOKEN_RE.match(token):
        raise HubError("not_found")
    hub = get_hub()
    status = hub.ticket_by_token(token)
    if status is None:
        raise HubError("not_found")
    return _wav(_voice().wav(ticket_sentences(hub.config, status, _lang())))
