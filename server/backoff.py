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
    (%s); retrying"``; ``recovered_message`` (optional) is logged at INFO on recovery. ``on``:
    the errors this log is for, when one retried call fails in several ways, each with its own
    log (see :func:`retrying`); ``exc_info`` adds the traceback to the first failure's line."""

    def __init__(self, logger: logging.Logger, message: str,
                 recovered_message: str | None = None, level: int = logging.WARNING, *,
                 on: type[BaseException] | tuple[type[BaseException], ...] = BaseException,
                 exc_info: bool = False) -> None:
        self.logger = logger
        self.message = message
        self.recovered_message = recovered_message
        self.level = level
        self.on = on
        self.exc_info = exc_info
        self.failing = False
        """True from a failure until :meth:`recovered`."""
        self.since: float | None = None
        """``time.monotonic()`` of the run's first failure."""
        self.count = 0
        """Failures in the current run (the backoff doubles with each)."""

    def failed(self, exc: BaseException | str | None, message: str | None = None) -> None:
        """One failure: logged at the configured level when it starts a run, else at DEBUG.
        ``message`` replaces the usual one for this failure (e.g. "port lost")."""
        self.count += 1
        if self.failing:
            self.logger.debug(message or self.message, exc)
            return
        self.failing = True
        self.since = time.monotonic()
        self.logger.log(self.level, message or self.message, exc,
                        exc_info=exc if self.exc_info and isinstance(exc, BaseException) else None)

    def recovered(self) -> bool:
        """Ends a run of failures (logging ``recovered_message`` if there was one); returns
        whether there was."""
        self.count = 0
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
    failures: FailureLog | tuple[FailureLog, ...],
    *,
    first_s: float,
    max_s: float,
    retry_on: type[BaseException] | tuple[type[BaseException], ...],
    stop: threading.Event | Callable[[], bool] | None = None,
) -> tenacity.Retrying:
    """A :class:`tenacity.Retrying`: retries on ``retry_on`` after ``first_s``, doubling with
    each failure of the current run (see :meth:`FailureLog.recovered`) up to ``max_s``, logging
    through ``failures`` (several: each error goes to the first whose ``on`` it is, and the
    backoff counts the failures of all); until ``stop`` is set (an event, waited on between
    attempts, or a function saying whether to stop), when it returns None instead of raising.
    Other exceptions go through at once."""
    logs = failures if isinstance(failures, tuple) else (failures,)
    stop_rule: Any = tenacity.stop_never
    sleep: Callable[[float], Any] = time.sleep
    if isinstance(stop, threading.Event):
        stop_rule = _stopped(stop.is_set)
        sleep = stop.wait
    elif stop is not None:
        stop_rule = _stopped(stop)
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(retry_on),
        wait=_doubling(logs, first_s, max_s),
        stop=stop_rule,
        sleep=sleep,
        before_sleep=_dispatch(logs),
        retry_error_callback=_give_up,
    )


def _stopped(is_set: Callable[[], bool]) -> Callable[[tenacity.RetryCallState], bool]:
    def stop(state: tenacity.RetryCallState) -> bool:
        return is_set()

    return stop


def _dispatch(logs: tuple[FailureLog, ...]) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        for failures in logs:
            if isinstance(exc, failures.on):
                failures.failed(exc)
                return
        logs[0].failed(exc)

    return before_sleep


def _doubling(logs: tuple[FailureLog, ...], first_s: float, max_s: float
              ) -> Callable[[tenacity.RetryCallState], float]:
    # Counted on the FailureLog, not tenacity's attempts: a long call (a subscription that
    # ran for hours) that recovered and then failed starts again from ``first_s``.
    def wait(state: tenacity.RetryCallState) -> float:
        count = sum(failures.count for failures in logs)
        return float(min(max_s, first_s * 2 ** min(count, 30)))

    return wait


def _give_up(state: tenacity.RetryCallState) -> None:
    return None
