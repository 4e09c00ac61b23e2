"""Opening hours: parsing ``"mon-fri 07:30-16:00"`` rules and asking whether a moment is open.

Pure functions: no I/O, so the queue rules and the config loader can both use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    "daily": DAY_NAMES,
    "weekdays": DAY_NAMES[:5],
    "weekend": DAY_NAMES[5:],
}
_RULE = re.compile(
    r"^\s*(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class OpeningRule:
    """One window of opening: the weekdays it applies to (0 = Monday) and the times."""

    days: frozenset[int]
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    return time(hours, minutes)


def _parse_days(text: str) -> frozenset[int]:
    if text in _DAY_ALIASES:
        return frozenset(DAY_NAMES.index(d) for d in _DAY_ALIASES[text])
    days: set[int] = set()
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            if a > b:
                raise ValueError(f"day range {part!r} runs backwards")
            days.update(range(a, b + 1))
        else:
            days.add(DAY_NAMES.index(part))
    return frozenset(days)


def parse_rule(text: str) -> OpeningRule:
    """Parse one rule such as ``"mon-fri 07:30-16:00"``, ``"sat 08:00-12:00"`` or
    ``"daily 08:00-15:00"``. Raises ``ValueError`` with a readable reason."""
    match = _RULE.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not of the form 'mon-fri 07:30-16:00'")
    try:
        days = _parse_days(match["days"])
        start, end = _parse_time(match["start"]), _parse_time(match["end"])
    except ValueError as exc:
        if "not in tuple" in str(exc):
            raise ValueError(
                f"{text!r}: days must be among {', '.join(DAY_NAMES)}, 'daily' or 'weekdays'"
            ) from None
        raise ValueError(f"{text!r}: {exc}") from None
    if start >= end:
        raise ValueError(f"{text!r}: the opening time must come before the closing time")
    return OpeningRule(days, start, end)


def is_open(rules: tuple[OpeningRule, ...], moment: datetime) -> bool:
    """True when ``moment`` (in the hall's time zone) falls in a rule; no rules means always."""
    return not rules or any(rule.contains(moment) for rule in rules)


def next_opening(rules: tuple[OpeningRule, ...], moment: datetime) -> datetime | None:
    """The next moment (within a week) when a closed service opens; None when always open."""
    if not rules:
        return None
    best: datetime | None = None
    for offset in range(8):
        day = (moment + timedelta(days=offset)).date()
        for rule in rules:
            if day.weekday() not in rule.days:
                continue
            start = datetime.combine(day, rule.start, tzinfo=moment.tzinfo)
            if start > moment and (best is None or start < best):
                best = start
        if best is not None:
            return best
    return best


def parse_clock(text: str) -> time:
    """``"14:30"`` -> 14:30; ValueError with a readable reason otherwise (a per-service
    last-ticket time, "last ticket at 14:30")."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        raise ValueError(f"{text!r} is not a time of the form '14:30'")
    hours, minutes = (int(part) for part in text.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def rule_end(rule: OpeningRule, moment: datetime) -> datetime:
    """When the window of ``rule`` that contains ``moment`` ends."""
    if rule.end == time.max:
        return datetime.combine(moment.date() + timedelta(days=1), time(0), tzinfo=moment.tzinfo)
    return datetime.combine(moment.date(), rule.end, tzinfo=moment.tzinfo)
