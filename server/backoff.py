"""Reconnecting with backoff, and the logging rule that goes with it: the first failure of a
run of failures is logged (WARNING or ERROR), the retries after it only at DEBUG, and the
recovery once at INFO. Used by every link that retries: the Redis relay, keypad ports, a
keypad bridge's and an announcer's link to the hub, the sound device, the city forwarder.

The retrying itself is `tenacity <https://tenacity.readthedocs.io/>`_: :func:`retrying` builds
a :class:`tenacity.Retrying` with exponential backoff that stops, quietly, when a stop event
is set (and sleeps on that event, so stopping does not wait out a delay)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import tenacity


class FailureLog:
    """Logs a run of failures once and its end once.

    ``message`` is a %-format with one ``%s`` for the error, e.g. ``"cannot reach the hub
    (%s); retrying"``; ``recovered_message`` (optional) is logged at INFO on recovery."""

    def __init__(self, logger: logging.Logger, message: str,
                 recovered_message: str | None = None, level: int = logging.WARNING) -> None:
        self.logger = logger
        self.message = message
        self.recovered_message = recovered_message
        self.level = level
        self.failing = False
        """True from a failure until :meth:`recovered`."""
        self.since: float | None = None
        """``time.monotonic()`` of the run's first failure."""

    def failed(self, exc: BaseException | str | None, message: str | None = None) -> None:
        """One failure: logged at the configured level when it starts a run, else at DEBUG.
        ``message`` replaces the usual one for this failure (e.g. "port lost")."""
        if self.failing:
            self.logger.debug(message or self.message, exc)
            return
        self.failing = True
        self.since = time.monotonic()
        self.logger.log(self.level, message or self.message, exc)

    def recovered(self) -> bool:
        """Ends a run of failures (logging ``recovered_message`` if there was one); returns
        whether there was."""
        if not self.failing:
            return False
        self.failing = False
        if self.recovered_message:
            self.logger.info(self.recovered_message)
        return True

    def before_sleep(self, state: tenacity.RetryCallState) -> None:
        """tenacity's ``before_sleep`` hook: logs the attempt's error by the rule above."""
        outcome = state.outcome
        self.failed(outcome.exception() if outcome is not None else None)


def retrying(
    failures: FailureLog,
    *,
    first_s: float,
    max_s: float,
    retry_on: type[BaseException] | tuple[type[BaseException], ...],
    stop: threading.Event | None = None,
) -> tenacity.Retrying:
    """A :class:`tenacity.Retrying`: retries on ``retry_on`` after ``first_s``, doubling up to
    ``max_s``, logging through ``failures``; until ``stop`` is set, when it returns None
    instead of raising. Other exceptions go through at once."""
    stop_rule: Any = tenacity.stop_never
    sleep: Callable[[float], Any] = time.sleep
    if stop is not None:
        stop_rule = _stopped(stop)
        sleep = stop.wait
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(retry_on),
        wait=tenacity.wait_exponential(multiplier=first_s, min=first_s, max=max_s),
        stop=stop_rule,
        sleep=sleep,
        before_sleep=failures.before_sleep,
        retry_error_callback=_give_up,
    )


def _stopped(event: threading.Event) -> Callable[[tenacity.RetryCallState], bool]:
    def stop(state: tenacity.RetryCallState) -> bool:
        return event.is_set()

    return stop


def _give_up(state: tenacity.RetryCallState) -> None:
    return None
