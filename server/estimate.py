"""Estimated waiting time, from what the hall has observed. Pure: no I/O.

The data (service times observed today and on the same weekday before, the counters open for a
service now) is gathered by :mod:`loket.server.service_times`; this module only does the arithmetic
and the honest rounding a citizen is shown.

Model: a ticket with ``ahead`` tickets before it is called when ``ahead + 1`` tickets have
been finished by the ``servers`` counters serving its line, each taking ``service_s`` on
average, and the first of them is already part-way through (half a service on average):
``wait = (ahead + 0.5) * service_s / servers``. Counters that are idle right now take the
first tickets at once. The range around it widens with the spread of observed service times
(coefficient of variation ``cv``), with how uncertain the mean itself is, and with the
priority tickets and breaks that can still push a regular ticket back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loket.server.payloads import EstimatePayload

DEFAULT_SERVICE_S = 300.0
"""Assumed service time before the hall has observed any (5 minutes)."""
DEFAULT_CV = 0.6
"""Assumed spread of service times (standard deviation / mean) before any are observed."""
MIN_SAMPLES = 5
"""Fewer of today's service times than this: similar past days are blended in."""
_Z = 1.28
"""Normal quantile of the central 80 % interval (the share the range aims to hold)."""
DRIFT_DOWN = 0.2
"""Share of a wait by which the hall's changes (counters opening) may shorten it."""
DRIFT_UP = 0.4
"""Share of a wait by which the hall's changes (breaks, lunch, priority tickets) may lengthen it."""


def _clean(durations: Sequence[float]) -> list[float]:
    return sorted(d for d in durations if 0 < d < 4 * 3600)


def mean_service_time(durations: Sequence[float], default: float = DEFAULT_SERVICE_S) -> float:
    """A robust mean: the median blended with the mean so one forgotten DONE key does not
    inflate every estimate. Fewer than three observations fall back towards ``default``."""
    clean = _clean(durations)
    if not clean:
        return default
    median = clean[len(clean) // 2]
    mean = sum(clean) / len(clean)
    observed = 0.5 * median + 0.5 * mean
    weight = min(1.0, len(clean) / 3)
    return weight * observed + (1 - weight) * default


@dataclass(frozen=True)
class ServiceTime:
    """What a service takes per ticket, and how sure we are of it."""

    mean_s: float
    cv: float
    samples: int
    """Observations behind ``mean_s`` (today's plus past days')."""
    source: str
    """"today", "today+history", "history" or "default"."""


def service_time(
    today: Sequence[float],
    history: Sequence[float] = (),
    default: float = DEFAULT_SERVICE_S,
) -> ServiceTime:
    """Combine today's service times with those of similar past days (same weekday).

    Today's count as soon as there are :data:`MIN_SAMPLES` of them; before that the past days'
    fill the gap in proportion, and the built-in default fills what is left."""
    now, past = _clean(today), _clean(history)
    if len(now) >= MIN_SAMPLES or (now and not past):
        pool, source = now, "today"
    elif now:
        # Today's weigh as much as they are worth; past days fill the rest.
        need = max(MIN_SAMPLES * 2 - len(now), 0)
        pool, source = now + _spread_sample(past, need), "today+history"
    elif past:
        pool, source = past, "history"
    else:
        return ServiceTime(default, DEFAULT_CV, 0, "default")
    mean = mean_service_time(pool, default)
    return ServiceTime(mean, _cv(pool), len(pool), source)


def _spread_sample(values: list[float], n: int) -> list[float]:
    """``n`` values spread evenly over a sorted list (keeps its shape, deterministic)."""
    if n >= len(values) or n <= 0:
        return values if n > 0 else []
    step = len(values) / n
    return [values[int(i * step)] for i in range(n)]


def _cv(values: list[float]) -> float:
    if len(values) < 3:
        return DEFAULT_CV
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    cv = math.sqrt(var) / mean if mean > 0 else DEFAULT_CV
    # Few samples understate the spread; never trust fewer than ~10 to be tighter than 0.4.
    floor = 0.4 if len(values) < 10 else 0.25
    return min(max(cv, floor), 2.0)


def estimate_wait_s(ahead: int, counters_open: float, service_s: float, idle: int = 0) -> int:
    """Seconds until a ticket with ``ahead`` tickets before it is called, with
    ``counters_open`` counters (a share of a counter counts as a fraction) serving its line at
    ``service_s`` each, ``idle`` of them free right now."""
    if ahead < 0:
        return 0
    if ahead < idle:
        return 0
    queued = ahead - idle
    return round((queued + 0.5) * service_s / _servers(counters_open))


def _servers(counters_open: float) -> float:
    """No counter open for the line: assume one will be (the estimate says when, not if)."""
    return max(float(counters_open), 0.25) if counters_open > 0 else 1.0


@dataclass(frozen=True)
class WaitEstimate:
    """An estimate with the range a citizen is shown, in minutes rounded to 5."""

    seconds: int
    minutes: int
    """The centre, rounded ("± 15 menit")."""
    low_min: int
    high_min: int
    counters_open: float
    service_s: float
    source: str

    def public(self) -> EstimatePayload:
        """What pages and the API show (no internals beyond the counters open)."""
        return {
            "seconds": self.seconds,
            "minutes": self.minutes,
            "low_min": self.low_min,
            "high_min": self.high_min,
            "counters_open": round(self.counters_open, 2),
        }


def _round_to(minutes: float, step: int, how: str = "nearest") -> int:
    if how == "down":
        return int(math.floor(minutes / step) * step)
    if how == "up":
        return int(math.ceil(minutes / step) * step)
    return int(round(minutes / step) * step)


def _step(minutes: float) -> int:
    """Coarser steps for longer waits: nobody can promise 95 rather than 90 minutes."""
    if minutes < 60:
        return 5
    if minutes < 120:
        return 10
    return 15


def wait_estimate(
    ahead: int,
    counters_open: float,
    service: ServiceTime,
    idle: int = 0,
    regular: bool = True,
) -> WaitEstimate:
    """The estimate and an honest range for a ticket with ``ahead`` tickets before it.

    ``regular``: a non-priority ticket can still be overtaken by priority tickets issued after
    it, so its range reaches further up."""
    seconds = estimate_wait_s(ahead, counters_open, service.mean_s, idle)
    servers = _servers(counters_open)
    queued = max(ahead - idle, 0)
    if seconds == 0 and queued == 0:
        # Called as soon as a counter takes it; a busy counter may still need a few minutes.
        high = 5 if idle else _round_to(max(service.mean_s / servers / 60, 5), 5, "up")
        return WaitEstimate(0, 0, 0, high, counters_open, service.mean_s, service.source)
    per_ticket = service.mean_s / servers
    # Spread of the sum of (queued + 1) service times shared by the counters ...
    noise = math.sqrt(queued + 1) * service.cv * per_ticket
    # ... plus the uncertainty of the mean itself (fewer samples: wider) ...
    mean_error = seconds / math.sqrt(max(service.samples, 1)) * 1.5
    # ... plus what the hall changes meanwhile (counters on break, opening, transfers).
    # Breaks, lunch and priority tickets only ever slow a queue down, so the range reaches
    # further up than down (calibrated with bench/estimate_day.py).
    base = math.sqrt(noise**2 + mean_error**2 + (DRIFT_DOWN * seconds) ** 2)
    up = math.sqrt(noise**2 + mean_error**2 + (DRIFT_UP * seconds) ** 2)
    low_s = seconds - _Z * 0.9 * base
    high_s = seconds + _Z * (1.3 if regular else 1.0) * up
    minutes = seconds / 60
    step = _step(minutes)
    centre = max(_round_to(minutes, step), 5 if minutes >= 2.5 else 0)
    low = max(0, _round_to(low_s / 60, _step(low_s / 60), "down"))
    high = max(_round_to(high_s / 60, _step(high_s / 60), "up"), centre + 5)
    low = min(low, centre)
    return WaitEstimate(seconds, centre, low, high, counters_open, service.mean_s,
                        service.source)


def rounded_range(seconds: int) -> tuple[int, int]:
    """What a citizen is shown when only the seconds are known: the estimate rounded to 5
    minutes with a margin of 30 % (at least 5 minutes), as (low, high) minutes."""
    minutes = seconds / 60
    margin = max(5, round(minutes * 0.3 / 5) * 5)
    centre = round(minutes / 5) * 5
    return max(0, centre - margin), centre + margin


def describe_wait(estimate: Mapping[str, Any] | WaitEstimate, lang: str = "id") -> str:
    """``"± 15 menit (10–25 menit)"``; ``"Segera dipanggil"`` when nobody is ahead."""
    data = estimate.public() if isinstance(estimate, WaitEstimate) else estimate
    minutes, low, high = int(data["minutes"]), int(data["low_min"]), int(data["high_min"])
    unit = "menit" if lang == "id" else "min"
    if minutes == 0 and low == 0:
        soon = "Segera dipanggil" if lang == "id" else "Called soon"
        return f"{soon} (0–{high} {unit})"
    return f"± {minutes} {unit} ({low}–{high} {unit})"
