"""Garbage collection for a long-running hub.

A started hub holds about 180,000 objects that live as long as the process (modules, the app,
SQLAlchemy's mappings, pydantic models, the hall). Python's full collection walks all of
them: 100-480 ms on the 2-core machine, during which the gevent loop (every display, kiosk
and keypad) stands still; those pauses were the tail of the call latency in bench/hub_load.py
(docs/benchmarks.md, "Hub: faster"). Freezing them once the hub has started leaves full
collections only the objects made since.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)
_frozen = False


def freeze_startup_objects() -> None:
    """Move every object alive now out of the collector's reach (once per process): call it
    when the hub has started and before it serves."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    began = time.perf_counter()
    gc.collect()  # what is garbage already is not frozen with the rest
    gc.freeze()
    log.debug("froze %d start-up objects in %.0f ms", gc.get_freeze_count(),
              (time.perf_counter() - began) * 1000)
