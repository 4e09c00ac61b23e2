"""The booked policies through the real Hub: walk-ins issued with ``hub.issue_ticket``, booked
tickets issued as booking's check-in does (``hub.issue_in`` in ``hub.write()`` with
``queue_rules.booked_queued_at``), a fake clock, and the order in which NEXT calls them, on
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from loket.server import queue_rules
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.hub import Hub
from loket.server.models import Counter
from tests.support.hall import SMALL_HALL
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)

# Wednesday 2026-11-25, 08:00 WIB
OPEN = datetime(2026, 11, 25, 1, 0, tzinfo=UTC).timestamp()
MIN = 60.0


class Clock:
    """The hub's clock, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def at(self, minutes: float) -> None:
        """Set the time to ``minutes`` after 08:00."""
        self.now = OPEN + minutes * MIN


MakeHub = Callable[..., tuple[Hub, Clock]]


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.services, pytest.mark.slow]),
])
def make_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeHub]:
    opened: list[Database] = []

    def make(booked_policy: str, every: int = 2) -> tuple[Hub, Clock]:
        path = tmp_path / f"hall{len(opened)}.toml"
        path.write_text(SMALL_HALL.replace(
            'priority_policy = "first"',
            f'priority_policy = "first"\nbooked_policy = "{booked_policy}"\n'
            f"booked_every = {every}",
        ), encoding="utf-8")
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'hub{len(opened)}.db'}"
        else:
            url = request.getfixturevalue("pg_url")  # one hub per test: a fresh database
        db = Database(url)
        db.upgrade()
        opened.append(db)
        clock = Clock(OPEN)
        hub = Hub(load_config(path), db, clock=clock)
        hub.start()
        return hub, clock

    yield make
    for db in opened:
        db.dispose()


def walk_in(hub: Hub, service: str = "B", priority: bool = False) -> str:
    return str(hub.issue_ticket(service, priority=priority)["ticket"])


def check_in(hub: Hub, slot_minutes: float, service: str = "B") -> str:
    """What a booking's check-in does: a booked ticket for the slot starting ``slot_minutes``
    after 08:00, queued where the hall's booked policy puts it."""
    slot = OPEN + slot_minutes * MIN
    with hub.write() as w:
        answer = hub.issue_in(
            w, service, booked=True, slot_ts=slot,
            queued_ts=queue_rules.booked_queued_at(hub.policy, w.now, slot),
        )
    assert answer["booked"] is True
    return str(answer["ticket"])


def calls(hub: Hub, counter: str = "2") -> list[str]:
    """Press NEXT at ``counter`` until nobody waits for it; the tickets called, in order."""
    called = []
    while True:
        try:
            called.append(hub.counter_action(counter, "next")["called"])
        except HubError as refused:
            assert refused.code == "empty"
            return called


def morning(hub: Hub, clock: Clock) -> dict[str, str]:
    """08:00 walk-in W1; 08:01 and 08:05 two citizens booked for 08:30 check in early;
    08:02, 08:03 walk-ins W2, W3; NEXT at 08:10 (nobody booked is due yet); at 08:31 a walk-in
    W4 and a priority walk-in P arrive."""
    t = {}
    clock.at(0)
    t["W1"] = walk_in(hub)
    clock.at(1)
    t["K1"] = check_in(hub, 30)
    clock.at(2)
    t["W2"] = walk_in(hub)
    clock.at(3)
    t["W3"] = walk_in(hub)
    clock.at(5)
    t["K2"] = check_in(hub, 30)
    clock.at(10)
    assert hub.counter_action("2", "next")["called"] == t["W1"]
    clock.at(31)
    t["W4"] = walk_in(hub)
    t["P"] = walk_in(hub, priority=True)
    return t


@pytest.mark.parametrize(("policy", "expected"), [
    # booked tickets at their slot's start (08:30): after W2 and W3, before W4 (08:31)
    ("slot_time", ["P", "W2", "W3", "K1", "K2", "W4"]),
    # due booked tickets before every walk-in, after the priority ticket
    ("first", ["P", "K1", "K2", "W2", "W3", "W4"]),
    # one call in two goes to a booked ticket (W1 and P were calls without one)
    ("every_n", ["P", "K1", "W2", "K2", "W3", "W4"]),
])
def test_calling_order_per_policy(make_hub: MakeHub, policy: str, expected: list[str]) -> None:
    hub, clock = make_hub(policy)
    tickets = morning(hub, clock)
    assert calls(hub) == [tickets[name] for name in expected]


@pytest.mark.parametrize("policy", ["slot_time", "first", "every_n"])
def test_booked_ticket_not_called_before_its_slot_unless_nobody_else_waits(
    make_hub: MakeHub, policy: str
) -> None:
    """At 08:10 a citizen booked for 08:30 waits behind a walk-in who came after them; once
    nobody else waits, they are called before their slot."""
    hub, clock = make_hub(policy)
    clock.at(5)
    booked = check_in(hub, 30)
    clock.at(8)
    later = walk_in(hub)
    clock.at(10)
    assert hub.counter_action("2", "next")["called"] == later
    assert hub.counter_action("2", "next")["called"] == booked


def test_every_n_count_is_kept_per_counter_in_the_database(make_hub: MakeHub) -> None:
    """Counter 1 (A and B) and counter 2 (B) count their calls since a booked one apiece, in
    the counters table (every call is its own transaction)."""
    hub, clock = make_hub("every_n", every=3)
    walk_ins = [walk_in(hub) for _ in range(6)]
    clock.at(40)
    booked = [check_in(hub, 30) for _ in range(2)]
    assert hub.counter_action("1", "next")["called"] == walk_ins[0]
    assert hub.counter_action("2", "next")["called"] == walk_ins[1]
    assert hub.counter_action("1", "next")["called"] == walk_ins[2]
    with hub.db.session() as s:
        since = {cid: n for cid, n in s.execute(select(Counter.id, Counter.calls_since_booked))}
    assert since == {"1": 2, "2": 1, "5": 0}
    assert hub.counter_action("1", "next")["called"] == booked[0]  # counter 1's third call
    assert hub.counter_action("2", "next")["called"] == walk_ins[3]
    assert hub.counter_action("2", "next")["called"] == booked[1]  # counter 2's third call
    with hub.db.session() as s:
        since = {cid: n for cid, n in s.execute(select(Counter.id, Counter.calls_since_booked))}
    assert since == {"1": 0, "2": 0, "5": 0}


def test_line_heads_include_booked_tickets_due_first(make_hub: MakeHub) -> None:
    """Under "first" a booked ticket's queued_ts is its check-in: ten citizens checked in early
    for 09:00, then one late for 08:00. NEXT's windowed query still loads the late one (heads
    by slot start too), finds the same candidates as the per-line queries, and calls it."""
    hub, clock = make_hub("first")
    clock.at(20)
    early = [check_in(hub, 60) for _ in range(10)]
    clock.at(25)
    walk = walk_in(hub)
    late = check_in(hub, 0)
    counter = hub.counters["2"]
    with hub.db.session() as s:
        fast = sorted(hub._candidates(s, counter), key=lambda c: c.ticket_id)
        slow = sorted(hub._candidates_per_line(s, counter), key=lambda c: c.ticket_id)
    assert fast == slow
    assert sum(c.booked for c in fast) == 9  # 8 by check-in + the late one by slot
    assert [c.slot_at for c in fast if c.booked].count(OPEN) == 1
    assert hub.counter_action("2", "next")["called"] == late
    # then the walk-in; the 09:00 bookings only because nobody else waits
    assert calls(hub) == [walk, *early]
