"""Delivery health of the webhooks for supervisors: per subscription sent, failed, failures in
a row, the last error, what waits and what was dead-lettered, and the dashboard's alerts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from loket.server.i18n import translate
from loket.server.integrations.delivery import KIND, channel_of
from loket.server.integrations.models import WebhookSubscription
from loket.server.notify.models import NotifyChannelStat, NotifyOutbox, OutboxState

STUCK_AFTER_S = 300.0


def webhook_health(hub: Any, lang: str = "id") -> dict[str, Any] | None:
    """The dashboard's ``webhooks`` figures; None when there is no active subscription."""
    now = hub.clock()
    with hub.db.read() as s:
        rows = list(s.scalars(select(WebhookSubscription).where(WebhookSubscription.active)
                              .order_by(WebhookSubscription.id)))
        if not rows:
            return None
        stats = {r.name: r for r in s.scalars(select(NotifyChannelStat).where(
            NotifyChannelStat.name.in_([channel_of(r.id) for r in rows])))}
        counts: dict[tuple[str | None, str], int] = {
            (channel, state): int(n) for channel, state, n in s.execute(
                select(NotifyOutbox.channel, NotifyOutbox.state, func.count())
                .where(NotifyOutbox.kind == KIND)
                .group_by(NotifyOutbox.channel, NotifyOutbox.state))}
        oldest = dict(s.execute(
            select(NotifyOutbox.channel, func.min(NotifyOutbox.created_ts))
            .where(NotifyOutbox.kind == KIND, NotifyOutbox.state.in_(OutboxState.PENDING))
            .group_by(NotifyOutbox.channel)).all())
    alert_after = hub.config.integrations.alert_after
    out, alerts = [], []
    for row in rows:
        channel = channel_of(row.id)
        stat = stats.get(channel)
        streak = stat.failing_streak if stat else 0
        first = oldest.get(channel)
        entry = {
            "id": row.id,
            "name": row.name,
            "sent": counts.get((channel, OutboxState.SENT), 0),
            "queued": counts.get((channel, OutboxState.QUEUED), 0)
            + counts.get((channel, OutboxState.SENDING), 0),
            "dead": counts.get((channel, OutboxState.DEAD), 0),
            "failed": stat.failed if stat else 0,
            "failing_streak": streak,
            "oldest_pending_s": round(now - first) if first is not None else None,
            "last_ok": hub.iso(stat.last_ok_ts) if stat and stat.last_ok_ts else None,
            "last_error": stat.last_error if stat else None,
            "failing": streak >= alert_after,
        }
        out.append(entry)
        if entry["failing"]:
            alerts.append({"kind": "webhook", "webhook": row.name, "failures": streak,
                           "text": translate("integrations.alert_failing", lang,
                                             name=row.name, n=streak,
                                             error=entry["last_error"] or "")})
        elif first is not None and now - first > STUCK_AFTER_S:
            alerts.append({"kind": "webhook", "webhook": row.name,
                           "text": translate("integrations.alert_stuck", lang, name=row.name,
                                             minutes=round(now - first) // 60)})
    return {"subscriptions": out, "alerts": alerts}
