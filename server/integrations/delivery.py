"""Delivering webhook events: the ``webhook`` kind of the notice worker's outbox
(:data:`loket.server.notify.worker.HANDLERS`), so `loket notify worker` sends both, with the same
claims, leases, per-stream order, backoff and dead letters.

One event is one JSON ``POST`` to the subscription's URL with ``X-Loket-Event-Id``,
``X-Loket-Event-Type`` and ``X-Loket-Signature: sha256=<hex HMAC-SHA256 of the raw body>``;
a 2xx answer counts as delivered, anything else (or no answer within ``timeout_s``) is retried
with backoff and dead-lettered after ``[integrations] max_attempts``. Redirects are not
followed (a signed body is never sent somewhere else)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import select

from loket.server.config import LoketConfig
from loket.server.integrations import subscriptions
from loket.server.integrations.models import WebhookSubscription
from loket.server.notify import outbox
from loket.server.notify.channels import SecretError
from loket.server.notify.models import OutboxState

if TYPE_CHECKING:
    from loket.server.notify.worker import Worker

log = logging.getLogger(__name__)
KIND = "webhook"
PERSONAL_FIELDS = ("officer", "comment")
"""Sent only to subscriptions with ``allow_personal_data``."""
USER_AGENT = "Loket-Webhooks/1"
DEFAULT_TIMEOUT_S = 5.0


def channel_of(subscription_id: int) -> str:
    return f"wh:{subscription_id}"


def event_id(key: str, hall_id: str) -> str:
    """The event's id, the same for every subscription: ``<hall>:t17:call:42``."""
    return f"{hall_id}:{key.split(':', 1)[1]}"


def payload(config: LoketConfig, key: str, params: dict[str, Any],
            allow_personal_data: bool) -> dict[str, Any]:
    """The JSON body of one event (see docs/integrations.md)."""
    tz = ZoneInfo(config.hall.timezone)
    data = dict(params.get("data") or {})
    if not allow_personal_data:
        for field in PERSONAL_FIELDS:
            data.pop(field, None)
    if "priority" in data:
        data["priority"] = bool(data["priority"])
    for field in ("service", "from_service", "issued_service"):
        service = next((sv for sv in config.services if sv.prefix == data.get(field)), None)
        if service is not None and field != "issued_service":
            data[f"{field}_name"] = service.name
            if field == "service":
                data["agency"] = config.agency_id(service.agency)
                data["agency_name"] = config.agency_name(service.agency)
    for field in ("counter", "from_counter"):
        counter = next((c for c in config.counters if c.id == data.get(field)), None)
        if counter is not None:
            data[f"{field}_name"] = counter.name
    for field in ("wait_s", "service_s"):
        if isinstance(data.get(field), int | float):
            data[field] = round(float(data[field]), 1)
    ts = float(params.get("ts") or 0.0)
    return {
        "id": event_id(key, config.city_hall_id),
        "type": params.get("type"),
        "occurred_at": datetime.fromtimestamp(ts, tz).isoformat(timespec="milliseconds"),
        "hall": {"id": config.city_hall_id, "name": config.hall.name},
        "data": data,
    }


class WebhookSender:
    """Delivers claimed ``webhook`` messages for one :class:`~server.notify.worker.Worker`."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.config: LoketConfig = worker.config
        section = self.config.integrations
        # The outbox's backoff reads these three names; the webhooks have their own values.
        self.retry = worker.config.notify.model_copy(update={
            "max_attempts": section.max_attempts, "retry_base_s": section.retry_base_s,
            "retry_max_s": section.retry_max_s})
        self._local = threading.local()  # one connection pool per sending thread
        subscriptions.sync_config_safely(worker.db, self.config, worker.clock())
        with worker.db.read() as s:
            timeouts = list(s.scalars(select(WebhookSubscription.timeout_s).where(
                WebhookSubscription.active)))
        # The claims' lease must outlast a request, or a slow one would be claimed again.
        # Only subscriptions there are now count (a hall without webhooks keeps the notice
        # worker's lease); one added later is held to this longest wait until a restart.
        self.max_timeout_s = max(timeouts, default=DEFAULT_TIMEOUT_S)
        self.lease_s = self.max_timeout_s * 1.5 + 10.0 if timeouts else 0.0

    def __call__(self, message: outbox.Claimed) -> None:
        with self.worker.db.read() as s:
            row = s.get(WebhookSubscription, int(message.params.get("subscription") or 0))
            if row is not None:
                s.expunge(row)
        if row is None or not row.active:
            self._result(message, ok=False, error="subscription_gone", dead=True)
            return
        try:
            secret = subscriptions.signing_secret(row, self.config)
        except SecretError as exc:
            self._result(message, ok=False, error=f"secret: {exc}", channel=message.channel)
            return
        body = json.dumps(payload(self.config, message.key, message.params,
                                  bool(row.allow_personal_data)),
                          ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Loket-Event-Id": event_id(message.key, self.config.city_hall_id),
            "X-Loket-Event-Type": str(message.params.get("type")),
            "X-Loket-Signature": subscriptions.sign(secret, body),
            "X-Loket-Delivery-Attempt": str(message.attempts),
        }
        try:
            answer = self._session().post(
                row.url, data=body, headers=headers, allow_redirects=False,
                timeout=min(row.timeout_s, self.max_timeout_s))
            answer.close()
        except requests.RequestException as exc:
            self._result(message, ok=False, error=_short(exc), channel=message.channel)
            return
        if 200 <= answer.status_code < 300:
            self._result(message, ok=True, channel=message.channel)
        else:
            self._result(message, ok=False, error=f"HTTP {answer.status_code}",
                         channel=message.channel)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _result(self, message: outbox.Claimed, *, ok: bool, error: str = "",
                dead: bool = False, channel: str | None = None) -> None:
        worker = self.worker
        now = worker.clock()
        with worker.db.session() as s:
            if ok:
                outbox.mark_sent(s, message.id, channel or KIND, now)
            else:
                state = outbox.mark_failed(s, message, worker.name, error, now, self.retry,
                                           dead=dead)
                if state == OutboxState.DEAD:
                    log.warning("webhook event %s dead-lettered after %d attempt(s): %s",
                                message.key, message.attempts, error)
            if channel:
                streak = outbox.note_channel(s, channel, ok, now, error)
                if not ok and streak == self.config.integrations.alert_after:
                    log.error("webhook %s has failed %d times in a row: %s", channel, streak,
                              error)


def _short(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or lost"
    return exc.__class__.__name__


def make_sender(worker: Worker) -> WebhookSender:
    return WebhookSender(worker)
