"""Kiosk and printer health as supervisor-dashboard alerts (:func:`kiosk_alerts`): a printer
that is offline, out of paper, low on paper or in error (as its last print or status check
said), a paired kiosk that hit its rate limit or one refused because it is not paired (in the
last :data:`RECENT_S`), and a paired kiosk not heard from for ``[kiosk] offline_alert_min``
minutes while the hall is open. Each alert carries its message in Indonesian and English
(``text``), so the dashboard shows it as it is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from loket.server import hours
from loket.server.i18n import translate
from loket.server.kiosk import devices
from loket.server.kiosk.models import KioskPrint

if TYPE_CHECKING:
    from loket.server.hub import Hub

RECENT_S = 15 * 60.0
"""A rate-limit refusal stays an alert this long."""
PRINTER_ALERTS = ("offline", "no_paper", "paper_low", "error")
LANGS = ("id", "en")


def _clock(hub: Hub, ts: float, lang: str) -> str:
    return hub.local(ts).strftime("%H.%M" if lang == "id" else "%H:%M")


def _text(hub: Hub, key: str, ts: float | None = None, status: str = "",
          **params: Any) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        extra = dict(params)
        if ts is not None:
            extra["since"] = _clock(hub, ts, lang)
        if status:
            extra["status"] = translate(f"kiosk.printer.{status}", lang)
        out[lang] = translate(key, lang, **extra)
    return out


def last_printer_rows(hub: Hub) -> dict[str, tuple[str, float, str]]:
    """Each kiosk's latest printer status: (status, ts, detail)."""
    with hub.db.read() as s:
        latest = (select(KioskPrint.kiosk, func.max(KioskPrint.id).label("id"))
                  .group_by(KioskPrint.kiosk).subquery())
        rows = s.execute(
            select(KioskPrint.kiosk, KioskPrint.status, KioskPrint.ts, KioskPrint.detail)
            .join(latest, latest.c.id == KioskPrint.id)
        ).all()
    return {r.kiosk: (r.status, float(r.ts), r.detail) for r in rows}


def hall_open(hub: Hub) -> bool:
    now = hub.local(hub.clock())
    return any(hours.is_open(svc.opening_rules, now) for svc in hub.services.values())


def kiosk_alerts(hub: Hub, now: float) -> list[dict[str, Any]]:
    kiosks = devices.all_kiosks(hub.config, hub.db)
    if not kiosks:
        return []
    state = devices.states(hub.db)
    printers = last_printer_rows(hub)
    offline_after = hub.config.kiosk.offline_alert_min * 60
    is_open = hall_open(hub)
    found: list[dict[str, Any]] = []
    for k in kiosks:
        row = state.get(k.id, {})
        base = {"kiosk": k.id, "name": k.label}
        last = printers.get(k.id)
        if k.printer and last is not None and last[0] in PRINTER_ALERTS:
            status, ts, detail = last
            found.append({**base, "kind": "printer", "status": status, "at": hub.iso(ts),
                          "detail": detail, "severity": "warning" if status == "paper_low"
                          else "error",
                          "text": _text(hub, "kiosk.alert.printer", ts, status,
                                        kiosk=k.label)})
        limited = row.get("limited_ts")
        if limited is not None and now - limited < RECENT_S:
            found.append({**base, "kind": "kiosk_limited", "at": hub.iso(limited),
                          "count": row.get("limited_count") or 0, "severity": "error",
                          "text": _text(hub, "kiosk.alert.limited", limited, kiosk=k.label,
                                        count=row.get("limited_count") or 0)})
        refused = row.get("unpaired_limited_ts")
        if not row.get("paired") and refused is not None and now - refused < RECENT_S:
            found.append({**base, "kind": "kiosk_unpaired", "at": hub.iso(refused),
                          "severity": "error",
                          "text": _text(hub, "kiosk.alert.unpaired", refused, kiosk=k.id)})
        if row.get("paired") and is_open:
            seen = row.get("last_seen_ts")
            if seen is None:
                found.append({**base, "kind": "kiosk_offline", "at": None,
                              "severity": "error",
                              "text": _text(hub, "kiosk.alert.never", kiosk=k.label)})
            elif now - seen > offline_after:
                found.append({**base, "kind": "kiosk_offline", "at": hub.iso(seen),
                              "minutes": int((now - seen) // 60), "severity": "error",
                              "text": _text(hub, "kiosk.alert.offline", seen, kiosk=k.label,
                                            minutes=int((now - seen) // 60))})
    return found
