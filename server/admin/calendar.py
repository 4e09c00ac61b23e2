"""The hall calendar as the queue sees it: closures (national holidays, cuti bersama, a closed
agency) and recurring breaks (the Friday prayer), plus a service's early last-ticket time.

Pure: no I/O. :class:`Calendar` answers the one question issuing and booking both ask: "may
service X take a ticket at moment T, and if not, why and until when?" (:meth:`Calendar.refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from loket.server import hours
from loket.server.hours import OpeningRule

MAX_STEPS = 400
"""How many closed spans :meth:`Calendar.next_issuing` skips before giving up (over a year)."""


@dataclass(frozen=True)
class Closure:
    id: int
    date_from: date
    date_until: date
    services: frozenset[str]
    """Empty: the whole hall."""
    reason: str

    def applies(self, prefix: str, day: date) -> bool:
        return (not self.services or prefix in self.services) and (
            self.date_from <= day <= self.date_until)


@dataclass(frozen=True)
class Break:
    id: int
    rule: OpeningRule
    text: str
    services: frozenset[str]
    reason: str

    def applies(self, prefix: str, moment: datetime) -> bool:
        return (not self.services or prefix in self.services) and self.rule.contains(moment)


@dataclass(frozen=True)
class Refusal:
    """Why a service takes no tickets now: ``kind`` is "closure", "break", "cutoff" or
    "hours"; ``resumes`` is when issuing starts again (None: not within a year or unknown)."""

    kind: str
    reason: str
    resumes: datetime | None


@dataclass(frozen=True)
class Calendar:
    closures: tuple[Closure, ...] = ()
    breaks: tuple[Break, ...] = ()

    def closure(self, prefix: str, day: date) -> Closure | None:
        return next((c for c in self.closures if c.applies(prefix, day)), None)

    def on_break(self, prefix: str, moment: datetime) -> Break | None:
        return next((b for b in self.breaks if b.applies(prefix, moment)), None)

    def _blocked(self, prefix: str, moment: datetime, rules: tuple[OpeningRule, ...],
                 last_ticket: time | None) -> tuple[str, str, datetime | None] | None:
        """(kind, reason, earliest moment worth trying next) when ``moment`` is blocked."""
        next_day = datetime.combine(moment.date() + timedelta(days=1), time(0),
                                    tzinfo=moment.tzinfo)
        closure = self.closure(prefix, moment.date())
        if closure is not None:
            end = datetime.combine(closure.date_until + timedelta(days=1), time(0),
                                   tzinfo=moment.tzinfo)
            return "closure", closure.reason, end
        pause = self.on_break(prefix, moment)
        if pause is not None:
            return "break", pause.reason, hours.rule_end(pause.rule, moment)
        if last_ticket is not None and moment.time() >= last_ticket:
            return "cutoff", "", next_day
        if not hours.is_open(rules, moment):
            return "hours", "", hours.next_opening(rules, moment)
        return None

    def refusal(self, prefix: str, moment: datetime, rules: tuple[OpeningRule, ...] = (),
                last_ticket: time | None = None) -> Refusal | None:
        """None when ``prefix`` may issue at ``moment``; else why not and when it resumes."""
        blocked = self._blocked(prefix, moment, rules, last_ticket)
        if blocked is None:
            return None
        kind, reason, candidate = blocked
        return Refusal(kind, reason, self.next_issuing(prefix, candidate, rules, last_ticket))

    def next_issuing(self, prefix: str, candidate: datetime | None,
                     rules: tuple[OpeningRule, ...], last_ticket: time | None) -> datetime | None:
        """The first moment from ``candidate`` on when ``prefix`` may issue."""
        for _ in range(MAX_STEPS):
            if candidate is None:
                return None
            blocked = self._blocked(prefix, candidate, rules, last_ticket)
            if blocked is None:
                return candidate
            candidate = blocked[2]
        return None


def break_seconds(calendar: Calendar, prefix: str, start: datetime, wait_s: float) -> int:
    """Seconds of breaks of ``prefix`` that fall in a wait of ``wait_s`` from ``start``
    (counters stop calling during a break, so a wait across one lasts that much longer)."""
    extra = 0.0
    end = start + timedelta(seconds=wait_s)
    for pause in calendar.breaks:
        if pause.services and prefix not in pause.services:
            continue
        for offset in range(2):
            day = start.date() + timedelta(days=offset)
            if day.weekday() not in pause.rule.days:
                continue
            begin = datetime.combine(day, pause.rule.start, tzinfo=start.tzinfo)
            if start <= begin < end + timedelta(seconds=extra):
                finish = hours.rule_end(pause.rule, begin)
                extra += (finish - begin).total_seconds()
    return int(extra)
