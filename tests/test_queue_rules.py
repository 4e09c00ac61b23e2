"""The pure queue rules: unit tests and hypothesis properties of their invariants."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
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
    booked_queued_at,
    booked_turn,
    calls_since_booked_after,
    calls_since_priority_after,
    choose_next,
    position_in_line,
    priority_turn,
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
@given(st.integers(2, 8), st.integers(4, 60), st.integers(1, 60))
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
    # at least 8 regular tickets: the windows below are never an empty loop
    assert len(pattern) >= every, (every, pattern)
    # the first priority call comes at call N (calls_since_priority starts at 0)
    assert pattern[: every - 1] == [False] * (every - 1)
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


# ------------------------------------------------------------------ booked tickets

SLOT_TIME = Policy("first", booked_policy="slot_time")
BOOKED_FIRST = Policy("first", booked_policy="first")
EVERY3 = Policy("first", booked_policy="every_n", booked_every=3)


def b(tid: int, slot: float, service: str = "A", priority: bool = False,
      at: float | None = None) -> Candidate:
    """A booked ticket with its slot starting at ``slot`` (queued at ``at``, default the
    slot: the "slot_time" key)."""
    return Candidate(tid, service, priority, slot if at is None else at, True, slot)


def ids(ranked: list[Candidate]) -> list[int]:
    return [x.ticket_id for x in ranked]


def test_booked_queued_at_per_policy() -> None:
    assert booked_queued_at(SLOT_TIME, now=1000.0, slot_ts=1800.0) == 1800.0
    assert booked_queued_at(SLOT_TIME, now=1000.0, slot_ts=400.0) == 400.0
    assert booked_queued_at(BOOKED_FIRST, now=1000.0, slot_ts=1800.0) == 1000.0
    assert booked_queued_at(EVERY3, now=1000.0, slot_ts=400.0) == 1000.0
    assert Policy().booked_policy == "slot_time"


def test_slot_time_places_booked_ticket_at_its_slot() -> None:
    """Checked in early for a 100 s slot: after the walk-ins of 50 and 90, before 120's."""
    counter = CounterView("1", ("A",))
    waiting = [c(1, at=50), c(2, at=90), b(3, slot=100), c(4, at=120)]
    assert ids(rank(counter, waiting, SLOT_TIME, now=130)) == [1, 2, 3, 4]


def test_not_called_before_its_slot_while_others_wait() -> None:
    """Under every policy a booked ticket whose slot starts at 200 is not called at 150 while
    a walk-in waits (even one issued later, even under "first"), but is when nobody else
    waits."""
    counter = CounterView("1", ("A",), calls_since_booked=5)
    for policy in (SLOT_TIME, BOOKED_FIRST, EVERY3):
        early = b(1, slot=200, at=100 if policy is not SLOT_TIME else None)
        assert ids(rank(counter, [early, c(2, at=140)], policy, now=150)) == [2, 1]
        assert choose_next(counter, [early], policy, now=150) == early
        assert choose_next(counter, [early, c(2, at=140)], policy, now=200) == (
            c(2, at=140) if policy is SLOT_TIME else early
        )
        # now None: no slot constraint
        assert choose_next(counter, [early, c(2, at=140)], policy) == (
            c(2, at=140) if policy is SLOT_TIME else early
        )


def test_not_due_booked_ticket_of_a_preferred_service_waits() -> None:
    """Service preference does not call a booked ticket before its slot either."""
    counter = CounterView("5", ("C", "A"))
    waiting = [b(1, slot=500, service="C"), c(2, "A", at=10)]
    assert choose_next(counter, waiting, SLOT_TIME, now=100).ticket_id == 2


def test_not_due_booked_priority_ticket_waits_too() -> None:
    counter = CounterView("1", ("A",))
    waiting = [b(1, slot=500, priority=True), c(2, at=10)]
    assert choose_next(counter, waiting, SLOT_TIME, now=100).ticket_id == 2
    assert choose_next(counter, waiting, SLOT_TIME, now=500).ticket_id == 1


def test_only_not_due_tickets_wait_earliest_slot_first() -> None:
    counter = CounterView("1", ("A",))
    waiting = [b(1, slot=900, at=10), b(2, slot=600, at=20)]
    assert ids(rank(counter, waiting, BOOKED_FIRST, now=100)) == [2, 1]


def test_first_calls_due_booked_before_walk_ins_but_after_priority() -> None:
    counter = CounterView("1", ("A",))
    waiting = [c(1, at=10), b(2, slot=50, at=40), c(3, priority=True, at=60),
               b(4, slot=100, at=45)]
    assert ids(rank(counter, waiting, BOOKED_FIRST, now=70)) == [3, 2, 1, 4]


def test_every_n_one_booked_call_in_n() -> None:
    waiting = [c(1, at=1), c(2, at=2), b(3, slot=0, at=3)]
    for since, expected in ((0, 1), (1, 1), (2, 3), (7, 3)):
        counter = CounterView("1", ("A",), calls_since_booked=since)
        assert choose_next(counter, waiting, EVERY3, now=10).ticket_id == expected
    assert booked_turn(CounterView("1", ("A",)), SLOT_TIME) is None


def test_calls_since_booked_bookkeeping() -> None:
    counter = CounterView("1", ("A",), calls_since_booked=2)
    assert calls_since_booked_after(counter, c(1)) == 3
    assert calls_since_booked_after(counter, c(1, priority=True)) == 3
    assert calls_since_booked_after(counter, b(2, slot=0)) == 0


def test_position_in_line_with_booked_tickets() -> None:
    waiting = [c(1, at=10), b(2, slot=30, at=20), c(3, at=40), b(4, slot=90, at=50)]
    # booked first: both booked tickets ahead of a walk-in; no walk-in ahead of a booked one
    assert position_in_line(c(3, at=40), waiting, BOOKED_FIRST) == 3
    assert position_in_line(b(4, slot=90, at=50), waiting, BOOKED_FIRST) == 1
    # slot time / every_n: the older ones by queued_at
    slots = [c(1, at=10), b(2, slot=30), c(3, at=40), b(4, slot=90)]
    assert position_in_line(c(3, at=40), slots, SLOT_TIME) == 2
    assert position_in_line(b(4, slot=90), slots, SLOT_TIME) == 3
    assert position_in_line(c(3, at=40), waiting, EVERY3) == 2


@dataclass
class BookedSim:
    """The hub's NEXT loop with booked tickets and a clock: walk-ins are queued now, booked
    tickets are checked in inside the window (30 min before to 15 min after the slot's start)
    and queued at :func:`booked_queued_at`."""

    policy: Policy
    services_of: dict[str, tuple[str, ...]]
    now: float = 0.0
    waiting: dict[int, Candidate] = field(default_factory=dict)
    issued: list[Candidate] = field(default_factory=list)
    since_priority: dict[str, int] = field(default_factory=dict)
    since_booked: dict[str, int] = field(default_factory=dict)
    called: list[tuple[str, Candidate, float]] = field(default_factory=list)

    def walk_in(self, service: str, priority: bool) -> Candidate:
        return self._add(Candidate(len(self.issued) + 1, service, priority, self.now))

    def check_in(self, service: str, priority: bool, slot_offset: float) -> Candidate:
        slot = self.now + slot_offset
        queued = booked_queued_at(self.policy, self.now, slot)
        return self._add(Candidate(len(self.issued) + 1, service, priority, queued, True, slot))

    def _add(self, ticket: Candidate) -> Candidate:
        self.issued.append(ticket)
        self.waiting[ticket.ticket_id] = ticket
        return ticket

    def view(self, counter_id: str) -> CounterView:
        return CounterView(counter_id, self.services_of[counter_id],
                           self.since_priority.get(counter_id, 0),
                           self.since_booked.get(counter_id, 0))

    def eligible(self, counter_id: str) -> list[Candidate]:
        return [t for t in self.waiting.values() if t.service in self.services_of[counter_id]]

    def next(self, counter_id: str) -> Candidate | None:
        view = self.view(counter_id)
        chosen = choose_next(view, list(self.waiting.values()), self.policy, now=self.now)
        if chosen is None:
            return None
        del self.waiting[chosen.ticket_id]
        self.since_priority[counter_id] = calls_since_priority_after(view, chosen)
        self.since_booked[counter_id] = calls_since_booked_after(view, chosen)
        self.called.append((counter_id, chosen, self.now))
        return chosen


booked_ops = st.lists(
    st.one_of(
        st.tuples(st.just("walk_in"), st.sampled_from(SERVICES), st.booleans(), st.none()),
        # check-in window: 30 min before to 15 min after the slot's start
        st.tuples(st.just("check_in"), st.sampled_from(SERVICES), st.booleans(),
                  st.integers(-15, 30).map(lambda m: m * 60.0)),
        st.tuples(st.just("next"), st.sampled_from(sorted(COUNTERS)), st.none(), st.none()),
        st.tuples(st.just("wait"), st.integers(1, 20).map(lambda m: m * 60.0), st.none(),
                  st.none()),
    ),
    max_size=80,
)
booked_policies = st.builds(
    Policy,
    priority_policy=st.sampled_from(["first", "interleave"]),
    priority_every=st.integers(2, 6),
    service_order=st.sampled_from(["preference", "oldest"]),
    booked_policy=st.sampled_from(["slot_time", "first", "every_n"]),
    booked_every=st.integers(2, 6),
)
Check = Callable[[BookedSim, str, list[Candidate], Candidate | None], None]


def run_booked(policy: Policy, script: list, check: Check | None = None) -> BookedSim:
    """Replay ``script``; ``check(sim, counter, eligible before, chosen)`` after each NEXT."""
    sim = BookedSim(policy, COUNTERS)
    for op, arg, flag, offset in script:
        if op == "walk_in":
            sim.walk_in(arg, flag)
        elif op == "check_in":
            sim.check_in(arg, flag, offset)
        elif op == "wait":
            sim.now += arg
        else:
            before = sim.eligible(arg)
            chosen = sim.next(arg)
            if check is not None:
                check(sim, arg, before, chosen)
    return sim


@settings(max_examples=300, deadline=None)
@given(booked_policies, booked_ops)
def test_no_ticket_starves(policy: Policy, script: list) -> None:
    """With finite arrivals, counters that keep pressing NEXT (a minute apart) call every
    ticket, booked or not, within a bounded time, each once."""
    sim = run_booked(policy, script)
    for _ in range(len(sim.issued) + 60):
        if not sim.waiting:
            break
        for counter_id in sorted(COUNTERS):
            sim.next(counter_id)
        sim.now += 60
    assert not sim.waiting
    called = sorted(t.ticket_id for _, t, _ in sim.called)
    assert called == [t.ticket_id for t in sim.issued]


def _never_before_slot(sim: BookedSim, counter: str, before: list[Candidate],
                       chosen: Candidate | None) -> None:
    assert (chosen is None) == (not before)
    if chosen is not None and not chosen.due(sim.now):
        # called before its slot: only tickets not yet due waited for this counter
        assert all(not t.due(sim.now) for t in before), (chosen, before)


@settings(max_examples=300, deadline=None)
@given(booked_policies, booked_ops)
def test_booked_never_called_before_its_slot_unless_nobody_else_waits(
    policy: Policy, script: list
) -> None:
    run_booked(policy, script, _never_before_slot)


def test_never_before_slot_check_can_fail() -> None:
    """The check above fails on a call it must refuse."""
    sim = BookedSim(SLOT_TIME, COUNTERS, now=100.0)
    early, walk_in = b(1, slot=500), c(2, at=50)
    with pytest.raises(AssertionError):
        _never_before_slot(sim, "1", [early, walk_in], early)
    _never_before_slot(sim, "1", [early], early)


@settings(max_examples=300, deadline=None)
@given(booked_policies, booked_ops)
def test_priority_rule_is_kept_beside_booked_tickets(policy: Policy, script: list) -> None:
    """Whenever tickets of both priority classes may be called, the class the priority rule
    picks is called (every waiting priority ticket first under "first"; one call in
    ``priority_every`` under "interleave"), whatever the booked policy."""
    sim = BookedSim(policy, COUNTERS)
    for op, arg, flag, offset in script:
        if op == "walk_in":
            sim.walk_in(arg, flag)
        elif op == "check_in":
            sim.check_in(arg, flag, offset)
        elif op == "wait":
            sim.now += arg
        else:
            due = [t for t in sim.eligible(arg) if t.due(sim.now)]
            turn = priority_turn(sim.view(arg), policy)
            chosen = sim.next(arg)
            if {t.priority for t in due} == {True, False}:
                assert chosen is not None and chosen.priority == turn


@settings(max_examples=300, deadline=None)
@given(booked_policies.filter(lambda p: p.booked_policy == "slot_time"), booked_ops)
def test_slot_time_never_calls_booked_before_an_earlier_walk_in(
    policy: Policy, script: list
) -> None:
    """Under "slot_time" a booked ticket is never called while a walk-in of its service and
    priority class who came before its slot's start still waits."""

    def check(sim: BookedSim, counter: str, before: list[Candidate],
              chosen: Candidate | None) -> None:
        if chosen is None or not chosen.booked:
            return
        assert chosen.queued_at == chosen.slot_at
        for other in before:
            if (not other.booked and other.service == chosen.service
                    and other.priority == chosen.priority):
                assert other.queued_at >= chosen.queued_at, (chosen, other)

    run_booked(policy, script, check)


@settings(max_examples=300, deadline=None)
@given(booked_policies.filter(lambda p: p.booked_policy == "first"), booked_ops)
def test_first_calls_no_walk_in_while_a_due_booked_ticket_of_its_class_waits(
    policy: Policy, script: list
) -> None:
    def check(sim: BookedSim, counter: str, before: list[Candidate],
              chosen: Candidate | None) -> None:
        if chosen is None or chosen.booked:
            return
        assert not [t for t in before if t.booked and t.due(sim.now)
                    and t.priority == chosen.priority], (chosen, before)

    run_booked(policy, script, check)


@settings(max_examples=300, deadline=None)
@given(booked_policies, booked_ops)
def test_fifo_within_each_line_among_due_tickets(policy: Policy, script: list) -> None:
    """A called ticket that was due had no older due ticket of its service, priority class
    and kind (booked or walk-in) still waiting."""

    def check(sim: BookedSim, counter: str, before: list[Candidate],
              chosen: Candidate | None) -> None:
        if chosen is None or not chosen.due(sim.now):
            return
        for other in before:
            if (other.due(sim.now) and other.service == chosen.service
                    and other.priority == chosen.priority and other.booked == chosen.booked):
                assert (other.queued_at, other.ticket_id) >= (
                    chosen.queued_at, chosen.ticket_id)

    run_booked(policy, script, check)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 8), st.integers(4, 60), st.integers(1, 60), st.booleans())
def test_every_n_exactly_one_booked_per_n_calls(
    every: int, walk_ins: int, booked: int, interleave: bool
) -> None:
    """While due booked tickets and walk-ins (one priority class) wait, every window of N
    consecutive calls of a counter holds exactly one booked ticket."""
    policy = Policy("interleave" if interleave else "first", booked_policy="every_n",
                    booked_every=every)
    sim = BookedSim(policy, {"1": ("A",)}, now=10_000.0)
    for i in range(max(walk_ins, booked) * 2):
        if i < walk_ins * 2:
            sim.walk_in("A", False)
        if i < booked * 2:
            sim.check_in("A", False, -60.0 * (i % 15))  # slots already started
        sim.now += 1
    pattern = []
    while (any(not t.booked for t in sim.waiting.values())
           and any(t.booked for t in sim.waiting.values())):
        pattern.append(sim.next("1").booked)
    assert len(pattern) >= every, (every, pattern)
    assert pattern[: every - 1] == [False] * (every - 1)
    for start in range(0, len(pattern) - every + 1):
        assert sum(pattern[start : start + every]) == 1, (every, pattern)
