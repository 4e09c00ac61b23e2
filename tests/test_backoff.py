"""Retrying with backoff (server.backoff, on tenacity): the logging rule (the first failure of
a run and the recovery, not every retry), the doubling delays, stopping, and a keypad port
link that retries through it."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from loket.counter_panel.backends import InProcessBackend
from loket.counter_panel.bridge import KeypadBridge
from loket.counter_panel.link import PortLink, _Reader
from loket.server.backoff import FailureLog, retrying

log = logging.getLogger("tests.backoff")




class Flaky:
    def __init__(self, times: int, exc: type[Exception] = ConnectionError) -> None:
        self.times = times
        self.exc = exc
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        if self.calls <= self.times:
            raise self.exc(f"down #{self.calls}")
        return self.calls


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "tests.backoff" and r.levelno == level]


def test_first_failure_and_recovery_are_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tests.backoff")
    failures = FailureLog(log, "cannot reach the thing (%s); retrying", "the thing is back")
    flaky = Flaky(5)
    assert retrying(failures, first_s=0.001, max_s=0.004, retry_on=ConnectionError)(flaky) == 6
    assert failures.recovered()
    assert records(caplog, logging.WARNING) == ["cannot reach the thing (down #1); retrying"]
    assert len(records(caplog, logging.DEBUG)) == 4
    assert records(caplog, logging.INFO) == ["the thing is back"]
    assert not failures.recovered()  # nothing to recover from any more
    assert records(caplog, logging.INFO) == ["the thing is back"]


def test_delays_double_up_to_the_maximum_and_start_again_after_a_recovery() -> None:
    failures = FailureLog(log, "down (%s)")
    retry = retrying(failures, first_s=0.01, max_s=0.04, retry_on=ConnectionError)
    retry(Flaky(4))
    assert retry.statistics["idle_for"] == pytest.approx(0.01 + 0.02 + 0.04 + 0.04)

    # A long call that recovered (a subscription that ran for hours) and failed again starts
    # from the first delay, not where the previous run of failures ended.
    failures = FailureLog(log, "down (%s)")
    state = {"calls": 0}

    def session() -> None:
        state["calls"] += 1
        if state["calls"] == 4:
            failures.recovered()  # connected: a later failure is a new run
        if state["calls"] in (1, 2, 3, 4):
            raise ConnectionError("lost")

    retry = retrying(failures, first_s=0.01, max_s=1.0, retry_on=ConnectionError)
    retry(session)
    assert retry.statistics["idle_for"] == pytest.approx(0.01 + 0.02 + 0.04 + 0.01)


def test_other_errors_are_not_retried() -> None:
    flaky = Flaky(1, ValueError)
    with pytest.raises(ValueError):
        retrying(FailureLog(log, "%s"), first_s=0.01, max_s=0.01,
                 retry_on=ConnectionError)(flaky)
    assert flaky.calls == 1


def test_a_stop_event_ends_the_retries_at_once_and_quietly() -> None:
    stop = threading.Event()
    flaky = Flaky(10**9)
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    result = retrying(FailureLog(log, "%s"), first_s=0.05, max_s=30.0,
                      retry_on=ConnectionError, stop=stop)(flaky)
    assert result is None
    assert time.monotonic() - started < 2.0  # not a 30 s sleep: it waits on the event
    assert flaky.calls >= 2


def test_each_kind_of_error_has_its_own_log_and_the_backoff_counts_both(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tests.backoff")
    link = FailureLog(log, "link down (%s)", on=ConnectionError)
    local = FailureLog(log, "local store down (%s)", level=logging.ERROR)
    errors = iter([ConnectionError("a"), OSError("b"), ConnectionError("c"), OSError("d")])

    def attempt() -> str:
        error = next(errors, None)
        if error is not None:
            raise error
        return "sent"

    retry = retrying((link, local), first_s=0.01, max_s=1.0, retry_on=OSError)
    assert retry(attempt) == "sent"
    assert records(caplog, logging.WARNING) == ["link down (a)"]
    assert records(caplog, logging.ERROR) == ["local store down (b)"]
    assert retry.statistics["idle_for"] == pytest.approx(0.01 + 0.02 + 0.04 + 0.08)


def test_a_missing_keypad_port_is_reported_once_while_it_is_retried(
        hub: object, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="loket.counter_panel.link")
    bridge = KeypadBridge(InProcessBackend(hub), retry_min_s=0.02, retry_max_s=0.05)
    link: PortLink = bridge.add_port(str(tmp_path / "no-such-port"), addresses={1: "1"})
    link.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            tries = [r for r in caplog.records if "not available" in r.getMessage()]
            if len(tries) >= 5:
                break
            time.sleep(0.02)
    finally:
        link.stop()
    tries = [r for r in caplog.records if "not available" in r.getMessage()]
    assert len(tries) >= 5
    assert [r.levelno for r in tries].count(logging.WARNING) == 1
    assert not link.connected and link.opened == 0


def test_the_keypad_reader_is_pyserials_own() -> None:
    """The link widens what ends pyserial's reader by wrapping the port, not by a copy of
    ``ReaderThread.run`` (a copy would miss pyserial's fixes)."""
    assert "run" not in _Reader.__dict__
