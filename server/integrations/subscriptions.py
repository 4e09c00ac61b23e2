"""Webhook subscriptions as database work: the config's ``[[integrations.webhooks]]`` copied
into the table at start (the triggers read it), an admin's own ones created and deleted, and
each one's signing secret found when an event is sent."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loket.server.config import LoketConfig
from loket.server.config.integrations import WebhookSection
from loket.server.integrations.models import WebhookSubscription
from loket.server.notify.channels import secret as read_secret

CONFIG, API = "config", "api"


def stored_events(events: list[str]) -> str:
    return "," + ",".join(events) + ","


def sync_config(s: Session, config: LoketConfig, now: float) -> None:
    """Make the table's ``config`` rows match ``[[integrations.webhooks]]``: new ones added,
    changed ones updated, removed ones deactivated (their waiting events are dead-lettered
    by the worker). An admin's subscription with a config name is taken over by the config."""
    hooks = dict(zip(config.integrations.webhook_names(), config.integrations.webhooks,
                     strict=True))
    rows = {r.name: r for r in s.scalars(select(WebhookSubscription))}
    for name, hook in hooks.items():
        row = rows.get(name)
        if row is None:
            row = WebhookSubscription(name=name, created_ts=now)
            s.add(row)
        row.url, row.events, row.source = hook.url, stored_events(hook.events), CONFIG
        row.secret_ref, row.secret_salt = None, None
        row.allow_personal_data, row.timeout_s, row.active = (
            hook.allow_personal_data, hook.timeout_s, True)
    for name, row in rows.items():
        if row.source == CONFIG and name not in hooks and row.active:
            row.active = False
    s.flush()


def sync_config_safely(db: Any, config: LoketConfig, now: float) -> None:
    """:func:`sync_config` in its own transaction, once more if another process (a second
    hub, the sender) inserted the same names at the same moment."""
    from sqlalchemy.exc import IntegrityError

    for attempt in range(3):
        try:
            with db.session() as s:
                sync_config(s, config, now)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def any_active(config: LoketConfig, db: Any) -> bool:
    """Whether events are to be sent: webhooks in the config or an admin's in the database
    (`loket serve` then starts the sender, as it does for notices)."""
    if config.integrations.webhooks:
        return True
    with db.read() as s:
        return s.scalars(select(WebhookSubscription.id).where(
            WebhookSubscription.active).limit(1)).first() is not None


def create(s: Session, *, name: str, url: str, events: list[str], secret: str | None,
           allow_personal_data: bool, timeout_s: float, now: float) -> WebhookSubscription:
    """An admin's subscription. ``secret`` is ``env:NAME``/``file:/path`` or None (then one
    is derived from the hall's secret key and a random salt; the caller shows it once)."""
    row = WebhookSubscription(
        name=name, url=url, events=stored_events(events), source=API,
        secret_ref=secret, secret_salt=None if secret else secrets.token_hex(16),
        allow_personal_data=allow_personal_data, timeout_s=timeout_s, active=True,
        created_ts=now)
    s.add(row)
    s.flush()
    return row


def derived_secret(hall_key: str, salt: str) -> str:
    """A subscription's secret when the admin did not name one: never stored, recomputed from
    the hall's secret key (which the database does not hold) and the row's salt."""
    return hmac.new(hall_key.encode(), f"loket-webhook:{salt}".encode(),
                    hashlib.sha256).hexdigest()


def signing_secret(row: WebhookSubscription, config: LoketConfig) -> str:
    """The key of the subscription's signatures; SecretError when it cannot be read."""
    if row.source == CONFIG:
        hooks: dict[str, WebhookSection] = dict(zip(
            config.integrations.webhook_names(), config.integrations.webhooks, strict=True))
        hook = hooks.get(row.name)
        if hook is None:
            from loket.server.notify.channels import SecretError

            raise SecretError("no longer in the config")
        return read_secret(hook.secret)
    if row.secret_ref:
        return read_secret(row.secret_ref)
    from loket.server.context import secret_key

    return derived_secret(secret_key(config), row.secret_salt or "")


def describe(row: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "url": row.url,
        "events": row.event_list,
        "source": row.source,
        "allow_personal_data": bool(row.allow_personal_data),
        "timeout_s": row.timeout_s,
        "active": bool(row.active),
        "secret": (row.secret_ref if row.secret_ref else
                   "(config)" if row.source == CONFIG else "(generated)"),
    }


def sign(secret: str, body: bytes) -> str:
    """The ``X-Loket-Signature`` header's value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
