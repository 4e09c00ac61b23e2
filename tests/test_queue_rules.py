"""The pure queue rules: unit tests and hypothesis properties of their invariants."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.server import queue_rules
from loket.server.queue_rules import (
    Candidate,
    CounterView,
    Policy,
    calls_since_priority_after,
    choose_next,
    position_in_line,
    rank,
)

FIRST = Policy("first")
INTERLEAVE3 = Policy("interleave", priority_every=3)


def c(tid: int, service: str = "A", priority: bool = False, at: float | None = None) -> Candidate:
    return Candidate(tid, service, priority, float(tid if at is None else at))


ALLOWED_IMPORTS = {"__future__", "collections", "dataclasses", "typing"}
BANNED = ("flask", "sqlalchemy", "serial", "pygame", "gtts")


def imported_roots(source: str) -> set[str]:
    """Top-level names a module's source imports: ``import x.y``, ``from x import y``, a
    relative import (as ``"."``: some project module) and ``__import__``/``import_module``
    calls with a literal name."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." if node.level else (node.module or "").split(".")[0])
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Name) and node.func.id == "__import__")
                   or (isinstance(node.func, ast.Attribute)
                       and node.func.attr == "import_module"))):
            imported.add(node.args[0].value.split(".")[0])
    return imported


def test_module_has_no_io_imports() -> None:
    imported = imported_roots(Path(queue_rules.__file__).read_text(encoding="utf-8"))
    assert "dataclasses" in imported, "the walk found the module's imports"
    assert imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS


@pytest.mark.parametrize("source", [
    "import flask", "import serial.tools.list_ports", "from sqlalchemy.orm import Session",
    "from . import hub", "from .db import Database", "gtts = __import__('gtts')",
    "import importlib\nimportlib.import_module('pygame')",
])
def test_import_check_catches_io_imports(source: str) -> None:
    """The check above can fail: each way of importing I/O code is caught."""
    assert not imported_roots(source) <= ALLOWED_IMPORTS, source


def test_loading_the_rules_loads_no_io_library() -> None:
    """Loaded on its own in a fresh interpreter, the module pulls in none of the I/O libraries
    (also through what it imports)."""
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('rules', {queue_rules.__file__!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['rules'] = module\n"
        "spec.loader.exec_module(module)\n"
        "assert module.choose_next\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {BANNED!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]", out


def test_empty_and_foreign_services() -> None:
    counter = CounterView("1", ("A",))
    assert choose_next(counter, [], FIRST) is None
    assert choose_next(counter, [c(1, "B"), c(2, "C")], FIRST) is None


def test_fifo_within_a_service() -> None:
    counter = CounterView("1", ("A",))
    waiting = [c(3, at=30), c(1, at=10), c(2, at=20)]
    assert [x.ticket_id for x in rank(counter, waiting, FIRST)] == [1, 2, 3]


def test_equal_times_break_ties_by_id() -> None:
    counter = CounterView("1", ("A",))
    assert choose_next(counter, [c(7, at=5), c(4, at=5)], FIRST).ticket_id == 4


def test_priority_first() -> None:
    counter = CounterView("1", ("A",))
    waiting = [c(1), c(2), c(3, priority=True), c(4, priority=True)]
    assert [x.ticket_id for x in rank(counter, waiting, FIRST)] == [3, 4, 1, 2]


def test_interleave_one_priority_every_n_calls() -> None:
    counter = CounterView("1", ("A",), calls_since_priority=0)
    waiting = [c(1), c(2), c(3), c(10, priority=True)]
    assert choose_next(counter, waiting, INTERLEAVE3).ticket_id == 1
    counter = CounterView("1", ("A",), calls_since_priority=1)
    assert choose_next(counter, waiting, INTERLEAVE3).ticket_id == 1
    counter = CounterView("1", ("A",), calls_since_priority=2)
    assert choose_next(counter, waiting, INTERLEAVE3).ticket_id == 10


def test_interleave_calls_priority_when_no_regular_waits() -> None:
    counter = CounterView("1", ("A",), calls_since_priority=0)
    assert choose_next(counter, [c(10, priority=True)], INTERLEAVE3).ticket_id == 10


def test_preference_order_across_services() -> None:
    counter = CounterView("5", ("C", "A"))
    waiting = [c(1, "A", at=1), c(2, "C", at=50)]
    assert choose_next(counter, waiting, FIRST).ticket_id == 2
    oldest = Policy("first", service_order="oldest")
    assert choose_next(counter, waiting, oldest).ticket_id == 1


def test_priority_beats_preference_under_first() -> None:
    counter = CounterView("5", ("C", "A"))
    waiting = [c(1, "C"), c(2, "A", priority=True)]
    assert choose_next(counter, waiting, FIRST).ticket_id == 2


def test_calls_since_priority_bookkeeping() -> None:
    counter = CounterView("1", ("A",), calls_since_priority=4)
    assert calls_since_priority_after(counter, c(1)) == 5
    assert calls_since_priority_after(counter, c(2, priority=True)) == 0


def test_transfer_keeps_place_by_queued_at() -> None:
    """A ticket transferred to B keeps its original issue time and so goes before B's later
    tickets."""
    counter = CounterView("2", ("B",))
    transferred = Candidate(1, "B", False, 5.0)
    waiting = [c(2, "B", at=10), transferred, c(3, "B", at=20)]
    assert choose_next(counter, waiting, FIRST).ticket_id == 1


def test_position_in_line() -> None:
    waiting = [c(1), c(2), c(3, priority=True), c(4, "B")]
    assert position_in_line(c(2), waiting, FIRST) == 2  # ticket 1 and the priority one
    assert position_in_line(c(3, priority=True), waiting, FIRST) == 0
    assert position_in_line(c(2), waiting, INTERLEAVE3) == 1
    assert position_in_line(c(4, "B"), waiting, FIRST) == 0


# ------------------------------------------------------------------ a model queue for properties


@dataclass
class Sim:
    """Drives the rules as the hub does: rank, claim the first, remove it from waiting."""

    policy: Policy
    services_of: dict[str, tuple[str, ...]]
    waiting: dict[int, Candidate] = field(default_factory=dict)
    since: dict[str, int] = field(default_factory=dict)
    called: list[tuple[str, Candidate]] = field(default_factory=list)
    next_id: int = 1
    clock: float = 0.0

    def issue(self, service: str, priority: bool) -> Candidate:
        self.clock += 1
        ticket = Candidate(self.next_id, service, priority, self.clock)
        self.next_id += 1
        self.waiting[ticket.ticket_id] = ticket
        return ticket

    def next(self, counter_id: str) -> Candidate | None:
        view = CounterView(counter_id, self.services_of[counter_id], self.since.get(counter_id, 0))
        chosen = choose_next(view, list(self.waiting.values()), self.policy)
        if chosen is None:
            return None
        del self.waiting[chosen.ticket_id]
        self.since[counter_id] = calls_since_priority_after(view, chosen)
        self.called.append((counter_id, chosen))
        return chosen

    def transfer(self, ticket: Candidate, service: str) -> None:
        self.waiting[ticket.ticket_id] = Candidate(
            ticket.ticket_id, service, ticket.priority, ticket.queued_at
        )


SERVICES = ("A", "B", "C")
COUNTERS = {"1": ("A", "B"), "2": ("B",), "3": ("C", "A"), "4": ("A", "B", "C")}

ops = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from(SERVICES), st.booleans()),
        st.tuples(st.just("next"), st.sampled_from(sorted(COUNTERS)), st.none()),
        st.tuples(st.just("transfer"), st.sampled_from(SERVICES), st.none()),
    ),
    max_size=80,
)
policies = st.builds(
    Policy,
    priority_policy=st.sampled_from(["first", "interleave"]),
    priority_every=st.integers(2, 6),
    service_order=st.sampled_from(["preference", "oldest"]),
)


def run(policy: Policy, script: list) -> Sim:
    sim = Sim(policy, COUNTERS)
    for op, arg, flag in script:
        if op == "issue":
            sim.issue(arg, flag)
        elif op == "next":
            sim.next(arg)
        elif op == "transfer" and sim.called:
            # the most recent call is transferred back into a queue
            _, ticket = sim.called[-1]
            if ticket.ticket_id not in sim.waiting and ticket.service != arg:
                sim.transfer(ticket, arg)
    return sim


@settings(max_examples=300, deadline=None)
@given(policies, ops)
def test_no_ticket_called_twice_without_transfer(policy: Policy, script: list) -> None:
    script = [s for s in script if s[0] != "transfer"]
    sim = run(policy, script)
    ids = [t.ticket_id for _, t in sim.called]
    assert len(ids) == len(set(ids))


@settings(max_examples=300, deadline=None)
@given(policies, ops)
def test_counters_only_call_their_services(policy: Policy, script: list) -> None:
    sim = run(policy, script)
    for counter_id, ticket in sim.called:
        assert ticket.service in COUNTERS[counter_id]


@settings(max_examples=300, deadline=None)
@given(policies, ops)
def test_fifo_within_service_and_priority_class(policy: Policy, script: list) -> None:
    """Whenever a ticket is called, no older ticket of the same service and class was still
    waiting (a transfer keeps queued_at, so it counts by its original time)."""
    sim = Sim(policy, COUNTERS)
    for op, arg, flag in script:
        if op == "issue":
            sim.issue(arg, flag)
        elif op == "transfer" and sim.called:
            _, ticket = sim.called[-1]
            if ticket.ticket_id not in sim.waiting and ticket.service != arg:
                sim.transfer(ticket, arg)
        elif op == "next":
            before = dict(sim.waiting)
            chosen = sim.next(arg)
            if chosen is None:
                assert not [t for t in before.values() if t.service in COUNTERS[arg]]
                continue
            for other in before.values():
                if other.service == chosen.service and other.priority == chosen.priority:
                    assert (other.queued_at, other.ticket_id) >= (
                        chosen.queued_at, chosen.ticket_id
                    )


@settings(max_examples=300, deadline=None)
@given(policies, ops)
def test_never_empty_while_someone_waits(policy: Policy, script: list) -> None:
    sim = Sim(policy, COUNTERS)
    for op, arg, flag in script:
        if op == "issue":
            sim.issue(arg, flag)
        elif op == "next":
            eligible = [t for t in sim.waiting.values() if t.service in COUNTERS[arg]]
            chosen = sim.next(arg)
            assert (chosen is None) == (not eligible)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(SERVICES), st.booleans()), min_size=1, max_size=40),
    st.sampled_from(SERVICES),
    st.integers(0, 39),
)
def test_transfer_keeps_fairness(issued: list, target: str, pick: int) -> None:
    """A transferred ticket is called in the new service before every ticket of its class that
    was issued after it, and after every one issued before it."""
    sim = Sim(FIRST, {"x": SERVICES, "t": (target,)})
    tickets = [sim.issue(service, priority) for service, priority in issued]
    moved = tickets[pick % len(tickets)]
    if moved.service == target:
        return
    del sim.waiting[moved.ticket_id]
    sim.transfer(moved, target)
    order = []
    while (chosen := sim.next("t")) is not None:
        order.append(chosen)
    assert moved.ticket_id in [t.ticket_id for t in order]
    same_class = [t for t in order if t.priority == moved.priority]
    times = [t.queued_at for t in same_class]
    assert times == sorted(times)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 8), st.integers(1, 60), st.integers(1, 60))
def test_interleave_exactly_one_priority_per_n_calls(every: int, regular: int, prio: int) -> None:
    """While both classes wait, every window of N consecutive calls of a counter holds exactly
    one priority ticket (starting from a counter that has just called one)."""
    policy = Policy("interleave", priority_every=every)
    sim = Sim(policy, {"1": ("A",)})
    for i in range(max(regular, prio) * 2):
        if i < regular * 2:
            sim.issue("A", False)
        if i < prio * 2:
            sim.issue("A", True)
    pattern = []
    while True:
        has_regular = any(not t.priority for t in sim.waiting.values())
        has_prio = any(t.priority for t in sim.waiting.values())
        if not (has_regular and has_prio):
            break
        pattern.append(sim.next("1").priority)
    assert pattern, "both classes waited at first"
    # the first priority call comes at call N (calls_since_priority starts at 0)
    assert pattern[: every - 1] == [False] * min(every - 1, len(pattern))
    for start in range(0, len(pattern) - every + 1):
        window = pattern[start : start + every]
        assert sum(window) == 1, (every, pattern)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("A", "B")), st.booleans()), max_size=40))
def test_priority_first_calls_every_priority_before_regular(issued: list) -> None:
    sim = Sim(FIRST, {"1": ("A", "B")})
    for service, priority in issued:
        sim.issue(service, priority)
    order = []
    while (chosen := sim.next("1")) is not None:
        order.append(chosen.priority)
    assert order == sorted(order, reverse=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("A", "B", "C")), st.booleans()), max_size=40))
def test_preference_empties_services_in_order(issued: list) -> None:
    sim = Sim(Policy("first", service_order="preference"), {"1": ("C", "A", "B")})
    for service, _ in issued:
        sim.issue(service, False)
    order = []
    while (chosen := sim.next("1")) is not None:
        order.append("CAB".index(chosen.service))
    assert order == sorted(order)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("A", "B", "C")), st.booleans()), max_size=40))
def test_oldest_calls_in_issue_order_across_services(issued: list) -> None:
    sim = Sim(Policy("first", service_order="oldest"), {"1": ("C", "A", "B")})
    for service, _ in issued:
        sim.issue(service, False)
    order = []
    while (chosen := sim.next("1")) is not None:
        order.append(chosen.queued_at)
    assert order == sorted(order)


@pytest.mark.parametrize("policy", [FIRST, INTERLEAVE3])
def test_rank_is_a_permutation_of_eligible(policy: Policy) -> None:
    counter = CounterView("1", ("A", "B"))
    waiting = [c(i, "ABC"[i % 3], i % 4 == 0) for i in range(1, 30)]
    ranked = rank(counter, waiting, policy)
    assert sorted(t.ticket_id for t in ranked) == sorted(
        t.ticket_id for t in waiting if t.service in ("A", "B")
    )
