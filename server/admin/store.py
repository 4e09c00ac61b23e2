"""The one place that holds the hall's live configuration: :class:`HallStore`.

The database is the live truth once seeded: on first start the agencies, services and counters
of ``loket.toml`` are copied into ``hall_config`` (one JSON document with a version number);
from then on ``/admin``, the admin API and ``loket config import`` change that document, and
``loket.toml``'s hall tables only bootstrap a new database. Every change is validated by the
same rules as ``loket check`` (the whole config is re-validated with the change applied),
written with a new version number and an audit entry with the before and after values, in one
transaction. Then the store reloads and a ``hall`` hub event tells this process's pages and,
through the Redis relay, every other hub process (which reloads when it hears it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from loket.server.admin.calendar import Break, Calendar, Closure
from loket.server.config import ConfigError, LoketConfig, parse_config
from loket.server.config.hall import AgencySection, CounterSection, ServiceSection
from loket.server.db import Database
from loket.server.hours import parse_rule
from loket.server.models import AuditEntry, CalendarEntry, HallDocument

log = logging.getLogger(__name__)
HALL_KEYS = ("agencies", "services", "counters", "booking_sessions")
"""The document's tables; ``booking_sessions`` is ``[[booking.sessions]]`` of the file (a
document seeded before bookings existed has none: the file's sessions apply until an admin
changes them)."""
Document = dict[str, list[dict[str, Any]]]


class InvalidChange(ValueError):
    """A change refused by validation: ``field`` names the offending value (``quota``,
    ``services[1]``), ``key`` is the full key path as ``loket check`` prints it."""

    def __init__(self, field: str, message: str, key: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.key = key or field


def document_of(config: LoketConfig) -> Document:
    """The hall tables of ``config`` as plain data (defaults left out, like a tidy file)."""
    return {
        "agencies": [a.model_dump(exclude_defaults=True) for a in config.agencies],
        "services": [s.model_dump(exclude_defaults=True) for s in config.services],
        "counters": [c.model_dump(exclude_defaults=True) for c in config.counters],
        "booking_sessions": [b.model_dump(exclude_defaults=True)
                             for b in config.booking.sessions],
    }


def _row_dict(row: CalendarEntry) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "date": row.date_from, "until": row.date_until,
            "rule": row.rule, "services": json.loads(row.services or "[]"),
            "reason": row.reason, "uid": row.uid}


class HallStore:
    """Current agencies, services, counters and calendar, with the version they came from."""

    def __init__(self, base: LoketConfig, db: Database, clock: Callable[[], float]) -> None:
        self.base = base
        """The config as loaded from the file (everything but the hall tables stays live from
        it)."""
        self.db = db
        self.clock = clock
        self.version = 0
        self.config = base
        self.services: dict[str, ServiceSection] = {s.prefix: s for s in base.services}
        self.counters: dict[str, CounterSection] = {c.id: c for c in base.counters}
        self.calendar = Calendar()
        self.calendar_rows: list[dict[str, Any]] = []
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Seed the database from the file if it holds no hall yet, then read it."""
        try:
            with self.db.session() as s:
                if s.get(HallDocument, 1) is None:
                    s.add(HallDocument(id=1, version=1, updated_ts=self.clock(),
                                       document=json.dumps(document_of(self.base),
                                                           ensure_ascii=False)))
        except IntegrityError:  # another hub process seeded it at the same moment
            log.info("the hall was seeded by another process")
        self.reload(force=True)

    def reload(self, force: bool = False) -> bool:
        """Re-read the hall when the database holds a newer version; True when it did."""
        with self._lock, self.db.read() as s:
            current = s.scalar(select(HallDocument.version).where(HallDocument.id == 1))
            if current is None or (not force and current == self.version):
                return False
            row = s.get(HallDocument, 1)
            assert row is not None
            document = json.loads(row.document)
            version = row.version
            rows = [_row_dict(r) for r in s.scalars(select(CalendarEntry)
                                                    .order_by(CalendarEntry.id))]
        try:
            config = self._validated(document)
        except ConfigError as exc:  # a hand-edited row: keep serving what we had
            log.error("the hall in the database is not valid (%s); keeping version %s",
                      exc, self.version)
            return False
        self._apply(config, version, rows)
        return True

    def _apply(self, config: LoketConfig, version: int, rows: list[dict[str, Any]]) -> None:
        self.config = config
        self.services = {s.prefix: s for s in config.services}
        self.counters = {c.id: c for c in config.counters}
        self.calendar = calendar_of(rows)
        self.calendar_rows = rows
        self.version = version
        log.info("hall configuration version %s: %d services, %d counters, %d calendar "
                 "entries", version, len(self.services), len(self.counters), len(rows))

    def _validated(self, document: Document) -> LoketConfig:
        data = self.base.model_dump(exclude_defaults=True)
        data.update({key: document.get(key, []) for key in HALL_KEYS
                     if key != "booking_sessions"})
        if "booking_sessions" in document:
            data["booking"] = dict(data.get("booking") or {},
                                   sessions=document["booking_sessions"])
        config = parse_config(data, "hall", self.base.source)
        return config

    def document(self) -> Document:
        return document_of(self.config)

    # ------------------------------------------------------------------ changing
    def validate(self, document: Document) -> LoketConfig:
        """The config ``document`` would make, or :class:`InvalidChange`."""
        try:
            return self._validated(document)
        except ConfigError as exc:
            raise InvalidChange(field_of(exc.key), f"{exc.key}: {exc.problem}",
                                exc.key) from None

    def change(self, actor: str, action: str, target: str,
               edit: Callable[[Document], tuple[Any, Any]]) -> Any:
        """Apply ``edit`` (which changes the document in place and returns (before, after)
        for the audit) as one validated, audited, versioned transaction. Returns ``after``."""
        with self._lock, self.db.session() as s:
            row = s.get(HallDocument, 1)
            assert row is not None, "HallStore.load() runs at start"
            document: Document = json.loads(row.document)
            before, after = edit(document)
            self.validate(document)
            row.document = json.dumps(document, ensure_ascii=False)
            row.version += 1
            row.updated_ts = self.clock()
            s.add(audit_row(self.clock(), actor, action, target, before, after))
        self.reload()
        return after

    def bump(self, s: Any) -> None:
        """Mark a calendar change in session ``s`` (the hall's version grows)."""
        row = s.get(HallDocument, 1)
        row.version += 1
        row.updated_ts = self.clock()


def audit_row(ts: float, actor: str, action: str, target: str, before: Any,
              after: Any) -> AuditEntry:
    detail = json.dumps({"before": before, "after": after}, ensure_ascii=False, default=str)
    return AuditEntry(ts=ts, actor=actor[:80], action=action[:40], target=target[:80],
                      detail=detail)


def field_of(key: str) -> str:
    """``services[2].quota`` -> ``quota``; ``counters[0].services[1]`` -> ``services``."""
    last = key.rsplit(".", 1)[-1]
    return last.split("[", 1)[0] or key


def calendar_of(rows: list[dict[str, Any]]) -> Calendar:
    closures: list[Closure] = []
    breaks: list[Break] = []
    for r in rows:
        services = frozenset(r["services"])
        try:
            if r["kind"] == "break":
                breaks.append(Break(r["id"], parse_rule(r["rule"]), r["rule"], services,
                                    r["reason"]))
            else:
                start = date.fromisoformat(r["date"])
                end = date.fromisoformat(r["until"] or r["date"])
                closures.append(Closure(r["id"], start, end, services, r["reason"]))
        except (ValueError, TypeError):
            log.error("calendar entry %s is not valid; ignored", r["id"])
    return Calendar(tuple(closures), tuple(breaks))


def known(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any] | None:
    return next((item for item in items if item.get(key) == value), None)


__all__ = ["AgencySection", "HallStore", "InvalidChange", "document_of"]
