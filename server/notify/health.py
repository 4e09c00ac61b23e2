"""Delivery health for supervisors: per channel sent, failed, failures in a row and the last
error; messages queued, being sent and dead-lettered; and the alerts the dashboard raises
(a channel that keeps failing, notices that wait because no worker runs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from loket.server.i18n import translate
from loket.server.notify.models import NotifyChannelStat, NotifyOutbox, OutboxState

STUCK_AFTER_S = 300.0
"""Queued notices this old mean no worker is running (or every channel is down)."""


def delivery_health(hub: Any, lang: str = "id") -> dict[str, Any] | None:
    """The dashboard's ``notify`` figures; None when no channel is configured."""
    settings = hub.config.notify
    if not settings.enabled:
        return None
    now = hub.clock()
    with hub.db.read() as s:
        stats = {r.name: r for r in s.scalars(select(NotifyChannelStat))}
        states = dict(s.execute(select(NotifyOutbox.state, func.count())
                                .group_by(NotifyOutbox.state)).all())
        oldest = s.scalar(select(func.min(NotifyOutbox.created_ts)).where(
            NotifyOutbox.state.in_(OutboxState.PENDING)))
        per_channel = dict(s.execute(
            select(NotifyOutbox.channel, func.count())
            .where(NotifyOutbox.state.in_(OutboxState.PENDING),
                   NotifyOutbox.channel.is_not(None))
            .group_by(NotifyOutbox.channel)).all())
    channels = []
    alerts: list[dict[str, Any]] = []
    for channel in settings.channels:
        row = stats.get(channel.name)
        streak = row.failing_streak if row else 0
        entry = {
            "name": channel.name,
            "kind": channel.kind,
            "sent": row.sent if row else 0,
            "failed": row.failed if row else 0,
            "failing_streak": streak,
            "queued": int(per_channel.get(channel.name, 0)),
            "last_ok": hub.iso(row.last_ok_ts) if row and row.last_ok_ts else None,
            "last_error": row.last_error if row else None,
            "last_error_at": hub.iso(row.last_error_ts) if row and row.last_error_ts else None,
            "failing": streak >= settings.alert_after,
        }
        channels.append(entry)
        if entry["failing"]:
            alerts.append({
                "kind": "notify", "channel": channel.name, "failures": streak,
                "last_error": entry["last_error"],
                "text": translate("notify.alert_failing", lang, channel=channel.name,
                                  n=streak, error=entry["last_error"] or ""),
            })
    waiting_s = round(now - oldest) if oldest is not None else None
    if waiting_s is not None and waiting_s > STUCK_AFTER_S:
        alerts.append({"kind": "notify", "channel": "", "waiting_s": waiting_s,
                       "text": translate("notify.alert_stuck", lang,
                                         minutes=waiting_s // 60,
                                         n=int(states.get(OutboxState.QUEUED, 0)))})
    return {
        "channels": channels,
        "queued": int(states.get(OutboxState.QUEUED, 0)),
        "sending": int(states.get(OutboxState.SENDING, 0)),
        "sent": int(states.get(OutboxState.SENT, 0)),
        "dead": int(states.get(OutboxState.DEAD, 0)),
        "oldest_pending_s": waiting_s,
        "alerts": alerts,
    }
