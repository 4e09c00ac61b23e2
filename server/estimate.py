"""Estimated waiting time, from what the hall has observed. Pure: no I/O."""

from __future__ import annotations

import math
from collections.abc import Sequence

DEFAULT_SERVICE_S = 300.0
"""Assumed service time before the hall has observed any (5 minutes)."""


def mean_service_time(durations: Sequence[float], default: float = DEFAULT_SERVICE_S) -> float:
    """A robust mean: the median blended with the mean so one forgotten DONE key does not
    inflate every estimate. Fewer than three observations fall back towards ``default``."""
    clean = sorted(d for d in durations if 0 < d < 4 * 3600)
    if not clean:
        return default
    median = clean[len(clean) // 2]
    mean = sum(clean) / len(clean)
    observed = 0.5 * median + 0.5 * mean
    weight = min(1.0, len(clean) / 3)
    return weight * observed + (1 - weight) * default


def estimate_wait_s(ahead: int, counters_open: int, service_s: float) -> int:
    """Seconds until a ticket with ``ahead`` tickets before it is called, with
    ``counters_open`` counters serving that line at ``service_s`` each."""
    if ahead <= 0:
        return 0
    servers = max(counters_open, 1)
    return int(math.ceil(ahead / servers) * service_s) if servers == 1 else int(
        ahead * service_s / servers
    )


def rounded_range(seconds: int) -> tuple[int, int]:
    """What a citizen is shown: the estimate rounded to 5 minutes, with an honest margin
    (minutes, low and high)."""
    minutes = seconds / 60
    margin = max(5, round(minutes * 0.3 / 5) * 5)
    centre = round(minutes / 5) * 5
    return max(0, centre - margin), centre + margin
