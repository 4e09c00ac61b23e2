"""The waiting-time estimate's data, as the kiosk knew it: kept at :mod:`loket.server.service_times`
(the hub needs it too, and the core does not import the kiosk); this name stays for callers
of ``loket.server.kiosk.observed``."""

from __future__ import annotations

from loket.server.service_times import (
    CACHE_S,
    HISTORY_WEEKS,
    RECENT,
    SHARED_WEIGHT,
    HallView,
    ServiceTimeCache,
    capacity,
    estimate,
    service_times,
)

__all__ = ["CACHE_S", "HISTORY_WEEKS", "RECENT", "SHARED_WEIGHT", "HallView", "ServiceTimeCache",
           "capacity", "estimate", "service_times"]
