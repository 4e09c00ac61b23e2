"""The TypedDicts of :mod:`loket.server.payloads` say exactly what the hub sends: each payload
is built by a real hub (fresh app, real SQLite file) and checked key by key and value by value
against its class, so a key added, dropped or retyped on either side fails here."""

from __future__ import annotations

import ast
import threading
import types
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import pytest

from loket.server import payloads
from loket.server.events import Event
from tests.support.wait import wait_until


def problems(value: Any, hint: Any, where: str = "payload") -> list[str]:
    """What in ``value`` does not fit the type ``hint`` (a TypedDict, list, union, basic
    type, StrEnum or Any); empty when it fits."""
    origin = get_origin(hint)
    if hint is Any:
        return []
    if origin in (NotRequired, Required):
        return problems(value, get_args(hint)[0], where)
    if origin in (Union, types.UnionType):
        options = [problems(value, option, where) for option in get_args(hint)]
        return [] if any(not p for p in options) else min(options, key=len)
    if hint is None or hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if typing.is_typeddict(hint):
        return typeddict_problems(value, hint, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        (item,) = get_args(hint)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{where}[{i}]")]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return [] if isinstance(value, hint) else [f"{where}: {value!r} is not a {hint.__name__}"]
    if hint is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, hint)
    return [] if fits else [f"{where}: {value!r} is not {hint.__name__}"]


def typeddict_problems(value: Any, cls: Any, where: str) -> list[str]:
    """Keys missing from or unknown to ``cls``, then each value against its field's type."""
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not a dict ({cls.__name__})"]
    found: list[str] = []
    missing = cls.__required_keys__ - value.keys()
    unknown = value.keys() - cls.__annotations__.keys()
    if missing:
        found.append(f"{where}: {cls.__name__} keys missing: {sorted(missing)}")
    if unknown:
        found.append(f"{where}: keys not in {cls.__name__}: {sorted(unknown)}")
    hints = get_type_hints(cls, include_extras=True)
    for key in value.keys() & hints.keys():
        found += problems(value[key], hints[key], f"{where}.{key}")
    return found


def assert_fits(value: Any, cls: Any) -> None:
    found = typeddict_problems(value, cls, cls.__name__)
    assert not found, "\n".join(found)


class Events:
    """Every event the hub publishes, by kind (in order)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.by_kind.setdefault(event.kind, []).append(event.data)

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.by_kind.get(kind, []))


@pytest.fixture
def events(hub: Any) -> Iterator[Events]:
    seen = Events()
    unsubscribe = hub.events.subscribe(seen)
    yield seen
    unsubscribe()


def test_the_checker_finds_a_missing_an_unknown_and_a_mistyped_key() -> None:
    # The checks below cannot pass by accident: the checker refuses each kind of drift.
    good = {"prefix": "A", "waiting": 3}
    assert typeddict_problems(good, payloads.QueueService, "q") == []
    assert typeddict_problems({"prefix": "A"}, payloads.QueueService, "q")
    assert typeddict_problems(dict(good, extra=1), payloads.QueueService, "q")
    assert typeddict_problems(dict(good, waiting="3"), payloads.QueueService, "q")
    assert typeddict_problems(dict(good, waiting=True), payloads.QueueService, "q")
    hall = {"version": 2}
    assert typeddict_problems(hall, payloads.HallEvent, "h") == []  # NotRequired may be absent
    assert typeddict_problems(dict(hall, calendar="yes"), payloads.HallEvent, "h")


def test_issuing_gives_the_issued_ticket_answer_and_the_ticket_event(
    hub: Any, events: Events
) -> None:
    issued = hub.issue_ticket("A", priority=True)
    assert_fits(issued, payloads.IssuedTicket)
    (ticket,) = events.of("ticket")
    assert_fits(ticket, payloads.TicketEvent)
    assert ticket["ticket"] == issued["ticket"]


def test_a_waiting_ticket_s_status_has_its_place_and_estimate(hub: Any) -> None:
    hub.issue_ticket("A")
    issued = hub.issue_ticket("A")
    status = hub.ticket_by_token(issued["status_token"])
    assert_fits(status, payloads.TicketStatusAnswer)
    assert payloads.TicketStatusAnswer.__optional_keys__ <= status.keys()
    assert status["ahead"] == 1


def test_a_counter_action_gives_the_counter_answer_and_its_events(
    hub: Any, events: Events
) -> None:
    issued = hub.issue_ticket("A")
    answer = hub.counter_action("1", "next", actor="user:budi")
    assert_fits(answer, payloads.CounterActionAnswer)
    assert answer["called"] == issued["ticket"]
    (call,) = events.of("call")
    assert_fits(call, payloads.CallEvent)
    (counter,) = events.of("counter")
    assert_fits(counter, payloads.CounterEvent)
    assert counter["actor"] == "user:budi"
    assert counter["called"] == issued["ticket"]
    for ticket in events.of("ticket"):
        assert_fits(ticket, payloads.TicketEvent)
    called = hub.ticket_by_token(issued["status_token"])
    assert_fits(called, payloads.TicketStatusAnswer)
    assert not payloads.TicketStatusAnswer.__optional_keys__ & called.keys()

    hub.counter_action("1", "recall")
    recall = events.of("call")[-1]
    assert_fits(recall, payloads.CallEvent)
    assert recall["recall"] is True


def test_a_counter_s_state_and_an_officer_change(hub: Any, events: Events) -> None:
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    assert_fits(hub.counter_state("1"), payloads.CounterPayload)
    assert_fits(hub.counter_state("2"), payloads.CounterPayload)  # idle: no ticket
    hub.set_officer("2", "siti")
    counter = events.of("counter")[-1]
    assert_fits(counter, payloads.CounterEvent)
    assert "actor" not in counter


def test_the_queue_payload_and_event(hub: Any, events: Events) -> None:
    hub.issue_ticket("B")
    assert_fits(hub.queue_payload(), payloads.QueuePayload)
    assert wait_until(lambda: events.of("queue"), timeout=5)
    for queue in events.of("queue"):
        assert_fits(queue, payloads.QueuePayload)


def test_the_snapshot_and_its_parts(hub: Any) -> None:
    hub.issue_ticket("A", priority=True)
    hub.issue_ticket("C")
    hub.counter_action("1", "next")
    hub.counter_action("1", "recall")
    hub.counter_action("5", "next")
    hub.counter_action("2", "break")
    for zone in (None, "lantai-1"):
        snapshot = hub.snapshot(zone=zone)
        assert_fits(snapshot, payloads.Snapshot)
        assert snapshot["services"] and snapshot["counters"] and snapshot["calls"]
    assert_fits(hub.service_state("A"), payloads.ServiceState)


def test_settings_and_hall_events(hub: Any, events: Events) -> None:
    hub.set_setting("running_text", "Selamat datang", actor="user:admin")
    hub.set_setting("paused_services", ["B"], actor="user:admin")
    for settings in events.of("settings"):
        assert_fits(settings, payloads.SettingsEvent)
    hub.hall_changed()
    (hall,) = events.of("hall")
    assert_fits(hall, payloads.HallEvent)


def test_every_field_of_every_payload_is_documented() -> None:
    source = Path(payloads.__file__).read_text(encoding="utf-8")
    undocumented = []
    fields = 0
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for i, member in enumerate(body):
            if not isinstance(member, ast.AnnAssign):
                continue
            fields += 1
            after = body[i + 1] if i + 1 < len(body) else None
            documented = (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                          and isinstance(after.value.value, str))
            if not documented:
                undocumented.append(f"{node.name}.{ast.unparse(member.target)}")
    assert not undocumented, f"fields without a docstring: {undocumented}"
    assert fields > 50  # the walk above did reach the classes' fields


def test_the_status_namespace_s_ticket_event_is_the_public_ticket(hub: Any,
                                                                  events: Events) -> None:
    hub.issue_ticket("C")
    (ticket,) = events.of("ticket")
    public = {k: v for k, v in ticket.items() if k not in ("token_hash", "id")}  # as realtime
    assert_fits(public, payloads.TicketPublic)
