"""Counter actions go through one table of typed handlers, and counter states are enums that
still travel as the same words (server.counter_status, server.counter_actions)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from loket.server.counter_actions import HANDLERS
from loket.server.counter_desk import COUNTER_ACTIONS, SUPERVISOR_ACTIONS
from loket.server.counter_status import CounterAction, CounterState, CounterStatus, Outcome
from loket.server.errors import HubError
from loket.server.models import Counter


def test_every_action_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(CounterAction) == set(COUNTER_ACTIONS + SUPERVISOR_ACTIONS)


def test_a_name_that_is_not_an_action_finds_no_handler(hub: Any) -> None:
    for name in ("finish", "_finish", "call_payload", "audit", "do_next", "__init__"):
        with pytest.raises(HubError) as caught:
            hub.counter_action("1", name)
        assert caught.value.code == "unknown_action"


def test_states_are_enums_that_read_and_serialise_as_before(hub: Any) -> None:
    result = hub.counter_action("1", "open")
    assert result["status"] is CounterState.IDLE and result["status"] == "idle"
    hub.issue_ticket("A")
    result = hub.counter_action("1", "next")
    assert result["status"] is CounterState.SERVING and result["called"] == "A-001"
    assert json.loads(json.dumps(result))["status"] == "serving"
    result = hub.counter_action("1", "break")
    assert result["status"] is CounterState.BREAK and result["open"] is False
    with hub.db.session() as s:
        assert s.get(Counter, "1").status == CounterStatus.BREAK == "break"
    assert hub.counter_action("1", "close")["status"] == CounterState.CLOSED


def test_next_with_nobody_waiting_commits_then_refuses(hub: Any) -> None:
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    with pytest.raises(HubError) as caught:
        hub.counter_action("1", "next")  # A-001 is finished, then nobody waits
    assert caught.value.code == "empty" and caught.value.status == 409
    assert hub.counter_state("1")["ticket"] is None


def test_the_public_state_of_a_row() -> None:
    assert CounterState.of(CounterStatus.OPEN, serving=False) is CounterState.IDLE
    assert CounterState.of("open", serving=True) is CounterState.SERVING
    assert CounterState.of("closed", serving=False) is CounterState.CLOSED
    assert Outcome().called is None and not Outcome().empty
