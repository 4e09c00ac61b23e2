"""A requested counter action is checked before its transaction (server.counter_desk): each
refusal's code and message, in the order the hub gives them, and nothing written or published
when a check refuses."""

from __future__ import annotations

from typing import Any

import pytest

from loket.server.config.hall import CounterSection, ServiceSection
from loket.server.counter_desk import check_action
from loket.server.counter_status import CounterAction
from loket.server.errors import HubError
from loket.server.events import Event

COUNTERS = {"1": CounterSection(id="1", name="Loket 1", services=["A"])}
SERVICES = {"A": ServiceSection(prefix="A", name="KTP-el", agency="Dukcapil")}


def refusal(counter_id: str, action: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """The code and parameters of the check's refusal."""
    with pytest.raises(HubError) as caught:
        check_action(COUNTERS, SERVICES, counter_id, action, **kwargs)
    return caught.value.code, caught.value.params


def test_an_unknown_counter_is_refused_before_its_action_is_looked_at() -> None:
    assert refusal("9", "next") == ("unknown_counter", {"counter": "9"})
    assert refusal("9", "fly") == ("unknown_counter", {"counter": "9"})


def test_an_unknown_action_is_refused() -> None:
    assert refusal("1", "fly") == ("unknown_action", {"action": "fly"})
    assert refusal("1", "NEXT") == ("unknown_action", {"action": "NEXT"})


def test_a_transfer_names_a_known_service() -> None:
    assert refusal("1", "transfer") == (
        "bad_request", {"reason": "transfer needs a 'service'"})
    assert refusal("1", "transfer", service="Z") == ("unknown_service", {"service": "Z"})
    request = check_action(COUNTERS, SERVICES, "1", "transfer", service="A")
    assert request.action is CounterAction.TRANSFER and request.args.service == "A"


def test_a_ticket_action_gives_a_ticket_number() -> None:
    for action in ("call", "bring_back"):
        assert refusal("1", action) == ("bad_request", {"reason": f"{action} needs a 'ticket'"})
        assert refusal("1", action, ticket="12-A") == (
            "bad_request", {"reason": "'ticket' is not a ticket number"})
    request = check_action(COUNTERS, SERVICES, "1", "call", actor="budi", ticket=" a12 ")
    assert request.args.ticket == "A-012" and request.args.actor == "budi"


def test_a_checked_request_carries_the_counter_and_the_officer() -> None:
    request = check_action(COUNTERS, SERVICES, "1", "next", officer="Siti", ticket="A-001")
    assert request.counter is COUNTERS["1"] and request.officer == "Siti"
    assert request.action is CounterAction.NEXT and request.args.ticket is None


def test_a_refused_check_writes_and_publishes_nothing(hub: Any) -> None:
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    before = hub.counter_state("1")
    published: list[Event] = []
    hub.events.subscribe(published.append)
    # Unchecked, the transfer would move A-001 to a service that does not exist, and the call
    # would look for a ticket without a number (unknown_ticket).
    with pytest.raises(HubError) as caught:
        hub.counter_action("1", "transfer", service="Z")
    assert caught.value.code == "unknown_service"
    with pytest.raises(HubError) as caught:
        hub.counter_action("1", "call", ticket="nomor")
    assert caught.value.code == "bad_request"
    assert hub.counter_state("1") == before and before["ticket"] == "A-001"
    assert published == []
