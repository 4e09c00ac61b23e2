"""The admins' API of webhook subscriptions: ``GET/POST /api/integrations/webhooks`` and
``DELETE /api/integrations/webhooks/<id>`` (admin role: a logged-in admin, whose session
requests need the CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, g, jsonify
from sqlalchemy import select

from loket.server.auth import Principal, require_principal
from loket.server.config.integrations import NAME_PATTERN, check_events
from loket.server.context import get_hub
from loket.server.errors import HubError, bad_request
from loket.server.extensions import csrf
from loket.server.i18n import catalog
from loket.server.integrations import subscriptions
from loket.server.integrations.health import webhook_health
from loket.server.integrations.models import WebhookSubscription
from loket.server.openapi import parse
from loket.server.openapi.requests import WebhookBody

bp = Blueprint("integrations_webhooks", __name__)
SECRET_PREFIXES = ("env:", "file:")


def _admin(acting: bool = False) -> Principal:
    principal = require_principal("admin")
    if acting and principal.kind == "user":
        csrf.protect()  # a session cookie is ambient; a Bearer token is not
    return principal


@bp.get("/api/integrations/webhooks")
def list_webhooks() -> Any:
    _admin()
    hub = get_hub()
    health = webhook_health(hub) or {"subscriptions": []}
    by_id = {h["id"]: h for h in health["subscriptions"]}
    with hub.db.read() as s:
        rows = list(s.scalars(select(WebhookSubscription).where(WebhookSubscription.active)
                              .order_by(WebhookSubscription.id)))
        out = [dict(subscriptions.describe(r), delivery=by_id.get(r.id)) for r in rows]
    return jsonify({"webhooks": out})


@bp.get("/api/integrations/webhooks/health")
def health() -> Any:
    """Delivery figures for the dashboard's webhook section (supervisors and admins)."""
    require_principal("supervisor", "admin")
    return jsonify({"webhooks": webhook_health(get_hub(), g.lang)})


@bp.post("/api/integrations/webhooks")
def create_webhook() -> Any:
    principal = _admin(acting=True)
    body = parse(WebhookBody)
    name = (body.get("name") or "").strip()
    if not re.fullmatch(NAME_PATTERN, name):
        raise bad_request("'name' must be 1-40 lowercase letters, digits, '-' or '_'")
    url = (body.get("url") or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise bad_request("'url' must start with http:// or https:// (at most 500 characters)")
    events = body.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise bad_request("'events' must be a list of event types")
    try:
        events = check_events(events)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    secret = body.get("secret")
    if secret is not None and (not secret.startswith(SECRET_PREFIXES) or len(secret) > 300
                               or secret in SECRET_PREFIXES):
        raise bad_request("'secret' must be \"env:NAME\" or \"file:/path\"; leave it out "
                          "and Loket makes one")
    timeout = float(body.get("timeout_s", 5.0))
    if not 0 < timeout <= 30:
        raise bad_request("'timeout_s' must be more than 0 and at most 30")
    hub = get_hub()
    with hub.db.session() as s:
        if s.scalars(select(WebhookSubscription).where(
                WebhookSubscription.name == name)).first() is not None:
            raise HubError("webhook_exists", name=name)
        row = subscriptions.create(
            s, name=name, url=url, events=events, secret=secret,
            allow_personal_data=bool(body.get("allow_personal_data", False)),
            timeout_s=timeout, now=hub.clock())
        result = subscriptions.describe(row)
        if row.secret_salt:
            result["secret"] = subscriptions.signing_secret(row, hub.config)
            result["secret_shown_once"] = True
    hub.audit(principal.label, "webhook:create", name,
              {"url": url, "events": events,
               "allow_personal_data": result["allow_personal_data"]})
    return jsonify(result), 201


@bp.delete("/api/integrations/webhooks/<int:subscription_id>")
def delete_webhook(subscription_id: int) -> Any:
    principal = _admin(acting=True)
    hub = get_hub()
    with hub.db.session() as s:
        row = s.get(WebhookSubscription, subscription_id)
        if row is None or not row.active:
            raise HubError("not_found")
        if row.source == subscriptions.CONFIG:
            raise HubError("webhook_from_config", name=row.name)
        row.active = False  # its waiting events are dead-lettered by the worker
        name = row.name
        # A later subscription may take the name again.
        row.name = f"{name[:24]}~{subscription_id}"[:40]
    hub.audit(principal.label, "webhook:delete", name)
    return jsonify({"deleted": subscription_id, "name": name}), 200


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)

    @app.context_processor
    def _webhook_helpers() -> dict[str, Any]:
        def enabled() -> bool:
            hub = get_hub()
            return subscriptions.any_active(hub.config, hub.db)

        return {"webhooks_enabled": enabled,
                "webhook_words": lambda: catalog(getattr(g, "lang", "id"), "integrations.")}
