"""A small, bounded, short-lived memory of recent lookups (API tokens → principal), so a hub
does not read the database for the same Bearer token on every request.

Bounds: at most ``size`` entries (the least recently used goes first) and each at most
``ttl_s`` seconds old. The owner clears it when it changes what was looked up in this process
(a token revoked here is refused at once); a change made by another process (``loket token
revoke`` from a shell, another hub process) takes effect within ``ttl_s``."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Least-recently-used entries, each kept at most ``ttl_s`` seconds (see module)."""

    def __init__(self, ttl_s: float, size: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self.clock = clock
        """Seconds, monotonic (tests set a fake one)."""
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value stored for ``key`` if it is younger than ``ttl_s``, else None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if self.clock() - found[0] >= self.ttl_s:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: V) -> None:
        """Remember ``value`` for ``key`` from now on (for ``ttl_s``)."""
        with self._lock:
            self._items[key] = (self.clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (after a change made in this process)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
