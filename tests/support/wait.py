"""Waiting for something to become true in tests: the one poll loop of the suite.

Prefer waiting on the thing itself (a ``threading.Event``, a socket message, a process's
exit) where it can be awaited; poll with these only where nothing signals the change (a row
in another process's database, a file written by a subprocess)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 15.0
STEP = 0.02


def wait_until(predicate: Callable[[], object], timeout: float = DEFAULT_TIMEOUT,
               step: float = STEP) -> bool:
    """Poll ``predicate`` every ``step`` seconds until it is truthy or ``timeout`` passes;
    return whether it became true (asked one last time at the deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def wait_for(check: Callable[[], T], timeout: float = DEFAULT_TIMEOUT, step: float = STEP,
             what: str = "condition") -> T:
    """Poll ``check`` until it returns a truthy value and return that value; raise
    ``AssertionError`` naming ``what`` when ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(step)


class Collected(list[T]):
    """Items appended by another thread (socket events, a process's output lines);
    ``first`` wakes on each new item instead of polling."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = threading.Condition()

    def append(self, item: T) -> None:
        with self._changed:
            super().append(item)
            self._changed.notify_all()

    def first(self, match: Callable[[T], object], timeout: float = DEFAULT_TIMEOUT) -> T | None:
        """Wait until an item matches; return the first match, or None after ``timeout``."""
        found: list[T] = []

        def matched() -> bool:
            found[:] = [item for item in self if match(item)][:1]
            return bool(found)

        with self._changed:
            self._changed.wait_for(matched, timeout)
        return found[0] if found else None


class Lines(Collected[str]):
    """A process's output lines, appended by a reader thread."""

    def wait_for(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> bool:
        """Wait until some line contains ``text``; return whether one does."""
        return self.first(lambda line: text in line, timeout) is not None
