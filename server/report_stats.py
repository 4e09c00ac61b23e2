"""Pure pieces of the reports: periods, the percentile rank, hour labels, wait histograms.

No I/O here; :mod:`loket.server.supervisor.reports` runs the SQL.

Percentiles use the *nearest-rank* method: the p-th percentile of n sorted values is the value
at rank ``ceil(p/100 * n)`` (1-based). For p = 90 that rank is ``(9n + 9) // 10`` in integer
arithmetic, which both SQLite and PostgreSQL evaluate exactly inside the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DIMENSIONS = ("service", "agency", "counter", "officer")
MAX_RANGE_DAYS = 366 * 2
WAIT_BUCKETS_MIN = (0, 5, 10, 15, 20, 30, 45, 60)
"""Lower edges (minutes) of the waiting-time histogram; the last bucket is open-ended."""


class PeriodError(ValueError):
    """A report period that cannot be used; the message says why."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of the hall's business days."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[float, float]:
        """Epoch seconds of the first day's local midnight and of the day after the last."""
        start = datetime.combine(self.first, time(), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz)
        return start.timestamp(), end.timestamp()

    def utc_offset_s(self, tz: ZoneInfo) -> int:
        """The zone's offset over the period. Indonesia's zones (WIB, WITA, WIT) have no
        daylight saving time, so one offset holds; hour-of-day bucketing uses it."""
        start = datetime.combine(self.first, time(12), tz)
        offset = start.utcoffset()
        return int(offset.total_seconds()) if offset else 0


def parse_period(first: str | None, last: str | None, today: date) -> Period:
    """``from``/``to`` query values (``YYYY-MM-DD``, inclusive); either defaults to today."""
    try:
        start = date.fromisoformat(first) if first else today
        end = date.fromisoformat(last) if last else (start if first else today)
    except ValueError:
        raise PeriodError("dates must be YYYY-MM-DD") from None
    if end < start:
        raise PeriodError("'to' is before 'from'")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise PeriodError(f"a report covers at most {MAX_RANGE_DAYS} days")
    return Period(start, end)


def p90_rank(n: int) -> int:
    """1-based nearest rank of the 90th percentile of ``n`` values (ceil(0.9 n))."""
    return (9 * n + 9) // 10


def percentile_nearest_rank(values: Sequence[float], pct: int = 90) -> float | None:
    """Reference implementation the SQL is tested against."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-pct * len(ordered) // 100)
    return ordered[max(rank, 1) - 1]


def hour_label(hour: int) -> str:
    return f"{hour:02d}.00–{(hour + 1) % 24:02d}.00"


def busiest_hours(counts: dict[int, int], top: int = 3) -> list[dict[str, int | str]]:
    """The hours of the day with the most tickets, most first (earlier hour on a tie)."""
    ranked = sorted(((n, h) for h, n in counts.items() if n > 0), key=lambda x: (-x[0], x[1]))
    return [{"hour": h, "label": hour_label(h), "tickets": n} for n, h in ranked[:top]]


def wait_bucket_labels() -> list[str]:
    labels = []
    for i, low in enumerate(WAIT_BUCKETS_MIN):
        high = WAIT_BUCKETS_MIN[i + 1] if i + 1 < len(WAIT_BUCKETS_MIN) else None
        labels.append(f"{low}–{high}" if high is not None else f"≥ {low}")
    return labels


def wait_bucket(wait_s: float) -> int:
    """Index of the histogram bucket a wait (seconds) falls in."""
    minutes = max(wait_s, 0.0) / 60.0
    index = 0
    for i, low in enumerate(WAIT_BUCKETS_MIN):
        if minutes >= low:
            index = i
    return index


def mean(total: float | None, count: int | None) -> float | None:
    if not count or total is None:
        return None
    return round(float(total) / count, 1)
