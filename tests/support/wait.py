"""Waiting for something to become true in tests: the one poll loop of the suite.

Prefer waiting on the thing itself (a ``threading.Event``, a socket message, a process's
exit) where it can be awaited; poll with these only where nothing signals the change (a row
in another process's database, a file written by a subprocess)."""

from __future__ import annotations

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
