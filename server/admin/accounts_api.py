"""``/api/admin/users`` and ``/api/admin/tokens``: people and devices, for admins only. The
rules are those of ``loket user`` / ``loket token`` (:mod:`loket.server.auth`), so the password
policy, the roles and the audit entries are the same whichever way a change is made."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import select

from loket.server.admin.access import ADMINS, parsed, principal
from loket.server.admin.store import InvalidChange
from loket.server.auth import (
    AuthError,
    add_user,
    create_token,
    revoke_token,
    set_active,
    set_password,
    set_role,
)
from loket.server.context import get_hub
from loket.server.errors import HubError
from loket.server.models import ApiToken, User
from loket.server.openapi import requests as req

api = Blueprint("admin_accounts_api", __name__, url_prefix="/api/admin")
USER_FIELDS = ("username", "password", "role", "counters", "display_name", "active")
TOKEN_FIELDS = ("name", "role", "counters")


def _counters(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [c.strip() for c in value.split(",") if c.strip()]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise InvalidChange("counters", "counters: expected a list of counter ids")
    unknown = [c for c in value if c not in get_hub().counters]
    if unknown:
        raise InvalidChange("counters", f"counters: unknown counters: {', '.join(unknown)}")
    return value


def _field_of(message: str) -> str:
    for field in ("password", "username", "role", "name"):
        if message.startswith(field) or f" {field}" in message[:40]:
            return field
    return "password"


def user_json(row: User) -> dict[str, Any]:
    return {"username": row.username, "display_name": row.display_name, "role": row.role,
            "counters": [c for c in row.counters.split(",") if c], "active": row.active}


def users() -> list[dict[str, Any]]:
    with get_hub().db.read() as s:
        return [user_json(u) for u in s.scalars(select(User).order_by(User.username))]


def tokens() -> list[dict[str, Any]]:
    hub = get_hub()
    with hub.db.read() as s:
        return [{"id": t.id, "name": t.name, "role": t.role,
                 "counters": [c for c in t.counters.split(",") if c],
                 "created_at": hub.iso(t.created_ts), "revoked": t.revoked_ts is not None}
                for t in s.scalars(select(ApiToken).order_by(ApiToken.id))]


@api.get("/users")
def list_users() -> Any:
    principal(*ADMINS)
    return jsonify({"users": users()})


@api.post("/users")
def create_user() -> Any:
    who = principal(*ADMINS)
    data = parsed(req.AdminUserBody)
    hub = get_hub()
    username = str(data.get("username") or "")
    try:
        add_user(hub.db, username, str(data.get("password") or ""),
                 str(data.get("role") or "officer"), _counters(data.get("counters")),
                 str(data.get("display_name") or ""), hub.clock(), actor=who.label)
    except AuthError as exc:
        if "already exists" in str(exc):
            raise HubError("exists", what=username) from None
        raise InvalidChange(_field_of(str(exc)), str(exc)) from None
    return jsonify(next(u for u in users() if u["username"] == username)), 201


@api.patch("/users/<username>")
def update_user(username: str) -> Any:
    """Any of ``active`` (enable, disable), ``password`` (reset), ``role`` and ``counters``."""
    who = principal(*ADMINS)
    data = parsed(req.AdminUserBody)
    hub = get_hub()
    current = next((u for u in users() if u["username"] == username), None)
    if current is None:
        raise HubError("unknown_user", user=username)
    if "active" in data and not isinstance(data["active"], bool):
        raise InvalidChange("active", "active: expected true or false")
    counters = _counters(data["counters"]) if "counters" in data else current["counters"]
    try:
        if "password" in data:
            set_password(hub.db, username, str(data["password"]), hub.clock(), actor=who.label)
        if "role" in data or "counters" in data:
            set_role(hub.db, username, str(data.get("role", current["role"])), counters,
                     hub.clock(), actor=who.label)
        if "active" in data:
            set_active(hub.db, username, data["active"], hub.clock(), actor=who.label)
    except AuthError as exc:
        raise InvalidChange(_field_of(str(exc)), str(exc)) from None
    return jsonify(next(u for u in users() if u["username"] == username))


@api.get("/tokens")
def list_tokens() -> Any:
    principal(*ADMINS)
    return jsonify({"tokens": tokens()})


@api.post("/tokens")
def new_token() -> Any:
    """Create a token: its value is in this answer only (only its hash is stored)."""
    who = principal(*ADMINS)
    data = parsed(req.AdminTokenBody)
    hub = get_hub()
    try:
        value = create_token(hub.db, str(data.get("name") or ""), str(data.get("role") or ""),
                             _counters(data.get("counters")), hub.clock(), actor=who.label)
    except AuthError as exc:
        raise InvalidChange("name" if "name" in str(exc) else "role", str(exc)) from None
    made = tokens()[-1]
    return jsonify({**made, "token": value}), 201


@api.delete("/tokens/<int:token_id>")
def delete_token(token_id: int) -> Any:
    who = principal(*ADMINS)
    hub = get_hub()
    try:
        revoke_token(hub.db, token_id, hub.clock(), actor=who.label)
    except AuthError:
        raise HubError("unknown_token", id=token_id) from None
    return "", 204
