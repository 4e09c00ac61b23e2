"""``loket config import``: applying a whole file's hall tables to the live hall, with the
difference it makes printed first; and ``loket calendar import``: holidays from iCalendar."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from loket.server.admin.store import HALL_KEYS, Document, HallStore, document_of
from loket.server.config import LoketConfig


def _keyed(rows: list[dict[str, Any]], table: str) -> dict[str, dict[str, Any]]:
    if table == "booking_sessions":
        return {f"{row.get('service')} {row.get('days', 'mon-fri')} {row.get('start')}": row
                for row in rows}
    key = {"services": "prefix", "counters": "id"}.get(table, "name")
    return {str(row.get(key)): row for row in rows}


def diff(old: Document, new: Document) -> list[str]:
    """Readable lines: ``+ services K``, ``- counters 9``, ``~ services A quota: 50 -> 40``;
    the order of rows counts too (counters' and services' order is shown to citizens)."""
    lines: list[str] = []
    for table in HALL_KEYS:
        before, after = _keyed(old.get(table, []), table), _keyed(new.get(table, []), table)
        for name in after.keys() - before.keys():
            lines.append(f"+ {table} {name}: {json.dumps(after[name], ensure_ascii=False)}")
        for name in before.keys() - after.keys():
            lines.append(f"- {table} {name}")
        for name in sorted(before.keys() & after.keys()):
            for field in sorted(before[name].keys() | after[name].keys()):
                a, b = before[name].get(field), after[name].get(field)
                if a != b:
                    lines.append(f"~ {table} {name} {field}: {json.dumps(a, ensure_ascii=False)}"
                                 f" -> {json.dumps(b, ensure_ascii=False)}")
        same = [n for n in before if n in after]
        if [n for n in after if n in before] != same:
            lines.append(f"~ {table} order: {', '.join(n for n in after)}")
    return sorted(lines, key=lambda line: line[2:]) if lines else []


def import_config(store: HallStore, file_config: LoketConfig, actor: str,
                  dry_run: bool = False) -> list[str]:
    """Make the live hall the file's; returns the difference (applied unless ``dry_run``)."""
    new = document_of(file_config)
    changes = diff(store.document(), new)
    if changes and not dry_run:
        def edit(doc: Document) -> tuple[Any, Any]:
            before = {k: doc.get(k) for k in HALL_KEYS}
            doc.clear()
            doc.update(new)
            return before, new

        store.change(actor, "config:import", str(file_config.source or ""), edit)
    return changes


def holidays_from_ics(data: bytes) -> list[dict[str, Any]]:
    """All-day events of an iCalendar file as calendar entries (``uid``, ``date``, ``until``,
    ``reason``); an event of several days keeps them as one range."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(data)
    found: list[dict[str, Any]] = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        if not isinstance(start, date):
            continue
        start_day = start if not hasattr(start, "date") else start.date()
        end = event.decoded("DTEND") if event.get("DTEND") else None
        end_day = start_day
        if end is not None:
            end_day = end if not hasattr(end, "date") else end.date()
            if type(start) is date:  # DTEND of an all-day event is exclusive
                end_day -= timedelta(days=1)
        end_day = max(end_day, start_day)
        uid = str(event.get("UID") or f"{start_day}:{event.get('SUMMARY')}")
        entry = {"uid": uid[:200], "date": start_day.isoformat(),
                 "reason": str(event.get("SUMMARY") or "Libur")[:200]}
        if end_day != start_day:
            entry["until"] = end_day.isoformat()
        found.append(entry)
    return found
