"""NEXT's candidate query (one ``LIMIT`` query per line and order, walking the ticket indexes)
against its reference (one ORM query per line and order, ``_candidates_per_line``), through
the real Hub on real SQLite (and PostgreSQL, marked ``services``): hypothesis drives walk-ins
and booked check-ins (bursts longer than a line's eight heads, equal times and slots), NEXT,
CALL of a given number, SKIP, BRING_BACK, TRANSFER, DONE, breaks, closing and paused services
under each booked policy and priority policy; after every step every counter must see exactly
the candidates of the reference. The query plans are checked on SQLite: every line walks an
index in its order, none sorts or scans."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text

from loket.server import queue_rules
from loket.server.config import load_config
from loket.server.counter_actions import CLAIM_ROUNDS
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.hub import Hub
from loket.server.line_heads import statement as line_heads_statement
from loket.server.models import Ticket, TicketStatus
from tests.support.hall import SMALL_HALL
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)

# Wednesday 2026-11-25, 08:00 WIB; every example runs on a Wednesday of its own (a new day:
# new lines), so one hub per policy serves all the examples of a test.
OPEN = datetime(2026, 11, 25, 1, 0, tzinfo=UTC).timestamp()
WEEK = 7 * 86400.0
COUNTERS = ("1", "2", "5")
"""SMALL_HALL's counters: 1 serves A and B, 2 serves B, 5 serves C and A."""
POLICIES = [(booked, priority) for booked in ("first", "slot_time", "every_n")
            for priority in ("first", "interleave")]


class Clock:
    """The hub's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = OPEN

    def __call__(self) -> float:
        return self.now


class Hall:
    """A hub under one booked and priority policy, and the labels issued in this example."""

    def __init__(self, hub: Hub, clock: Clock) -> None:
        self.hub, self.clock = hub, clock
        self.labels: list[str] = []
        self.weeks = count(1)

    def new_day(self) -> None:
        self.clock.now = OPEN + next(self.weeks) * WEEK
        self.labels = []
        self.hub.set_setting("paused_services", [], "test")


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.services, pytest.mark.slow]),
])
def halls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Hall]]:
    """One hub per (booked policy, priority policy), on one fresh database each."""
    opened: list[Database] = []
    made: dict[str, Hall] = {}
    for booked, priority in POLICIES:
        name = f"{booked}-{priority}"
        path = tmp_path / f"{name}.toml"
        path.write_text(SMALL_HALL.replace(
            'priority_policy = "first"',
            f'priority_policy = "{priority}"\npriority_every = 2\n'
            f'booked_policy = "{booked}"\nbooked_every = 2',
        ), encoding="utf-8")
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'{name}.db'}"
            db = Database(url)
        else:
            db = Database(request.getfixturevalue("pg_url"))
            # one database for all six hubs: keep them apart by day (each its own weeks)
        db.upgrade()
        opened.append(db)
        clock = Clock()
        hub = Hub(load_config(path), db, clock=clock)
        hub.start()
        made[name] = Hall(hub, clock)
        if request.param != "sqlite":
            break  # PostgreSQL: one database per test, so the first policy only
    yield made
    for db in opened:
        db.dispose()


def issue(hall: Hall, service: str, priority: bool, n: int, slot: float | None,
          spread: float) -> None:
    """``n`` walk-ins (``slot`` None) or check-ins for slots from ``slot`` minutes after 08:00,
    ``spread`` minutes apart (0: all the same slot), at the current time (equal queue times)."""
    hub = hall.hub
    for i in range(n):
        try:
            if slot is None:
                hall.labels.append(str(hub.issue_ticket(service, priority=priority)["ticket"]))
                continue
            start = hall.clock.now - (hall.clock.now - OPEN) % 86400 + (slot + i * spread) * 60
            with hub.write() as w:
                answer = hub.issue_in(
                    w, service, priority=priority, booked=True, slot_ts=start,
                    queued_ts=queue_rules.booked_queued_at(hub.policy, w.now, start),
                )
            hall.labels.append(str(answer["ticket"]))
        except HubError as refused:
            assert refused.code in ("paused", "quota_full", "closed"), refused.code


def press(hall: Hall, counter: str, action: str, service: str | None = None,
          pick: int = 0) -> None:
    """A counter action; refusals (empty, on break, nothing current...) are part of the game."""
    ticket = hall.labels[pick % len(hall.labels)] if hall.labels else "A-001"
    with contextlib.suppress(HubError):
        hall.hub.counter_action(counter, action, service=service, ticket=ticket)


def same_candidates(hub: Hub) -> None:
    for counter_id in COUNTERS:
        counter = hub.counters[counter_id]
        with hub.db.session() as s:
            fast = sorted(hub._candidates(s, counter), key=lambda c: c.ticket_id)
            slow = sorted(hub._candidates_per_line(s, counter), key=lambda c: c.ticket_id)
        assert fast == slow, counter_id


SERVICES = st.sampled_from("AABBC")
ACTIONS = st.sampled_from(
    ["next", "next", "next", "skip", "done", "start", "recall", "break", "resume", "open",
     "close"])
STEPS = st.one_of(
    st.tuples(st.just("walk"), SERVICES, st.booleans(), st.integers(1, 11)),
    st.tuples(st.just("book"), SERVICES, st.booleans(), st.integers(1, 11),
              st.integers(-60, 240), st.sampled_from([0.0, 0.0, 5.0, 30.0, -15.0])),
    st.tuples(st.just("tick"), st.sampled_from([0.0, 1.0, 7.0, 45.0])),
    st.tuples(st.just("press"), st.sampled_from(COUNTERS), ACTIONS),
    st.tuples(st.just("transfer"), st.sampled_from(COUNTERS), SERVICES),
    st.tuples(st.just("call"), st.sampled_from(COUNTERS), st.integers(0, 500)),
    st.tuples(st.just("bring_back"), st.sampled_from(COUNTERS), st.integers(0, 500)),
    st.tuples(st.just("pause"), st.sets(st.sampled_from("ABC"), max_size=2)),
)


def run_step(hall: Hall, step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind == "walk":
        issue(hall, step[1], step[2], step[3], None, 0.0)
    elif kind == "book":
        issue(hall, step[1], step[2], step[3], float(step[4]), step[5])
    elif kind == "tick":
        hall.clock.now += step[1] * 60
    elif kind == "press":
        press(hall, step[1], step[2])
    elif kind == "transfer":
        press(hall, step[1], "transfer", service=step[2])
    elif kind in ("call", "bring_back"):
        press(hall, step[1], kind, pick=step[2])
    else:
        hall.hub.set_setting("paused_services", sorted(step[1]), "test")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=st.sampled_from(range(len(POLICIES))),
       steps=st.lists(STEPS, min_size=1, max_size=40))
def test_line_heads_are_the_reference_heads(
    halls: dict[str, Hall], policy: int, steps: list[tuple[Any, ...]]
) -> None:
    hall = list(halls.values())[policy % len(halls)]
    hall.new_day()
    for step in steps:
        run_step(hall, step)
        same_candidates(hall.hub)


def test_a_long_booked_line_keeps_eight_heads_by_check_in_and_eight_by_slot(
    halls: dict[str, Hall],
) -> None:
    """Twenty booked tickets of B checked in one by one for slots in the reverse order, behind
    twelve walk-ins: counter 2 (B) loads the first walk-in (a walk-in is always due: only a
    line's first can be first), the first eight booked by check-in and the eight with the
    earliest slots (the last eight to check in), as the reference."""
    hall = halls["first-first"]  # queue time = check-in time
    hall.new_day()
    issue(hall, "B", False, 12, None, 0.0)
    for i in range(20):
        hall.clock.now += 60
        issue(hall, "B", False, 1, float(200 - 5 * i), 0.0)
    counter = hall.hub.counters["2"]
    with hall.hub.db.session() as s:
        fast = hall.hub._candidates(s, counter)
        slow = hall.hub._candidates_per_line(s, counter)
    assert sorted(fast, key=lambda c: c.ticket_id) == sorted(slow, key=lambda c: c.ticket_id)
    assert sum(not c.booked for c in fast) == 1
    assert sum(c.booked for c in fast) == 16


class Thief:
    """Before each of the next ``times`` claims of a NEXT runs, another counter ("9") takes the
    ticket it is about to claim, in the same transaction: to the claim, exactly what a claim
    committed first by another hub process looks like."""

    def __init__(self, hub: Hub, times: int) -> None:
        self.hub, self.left, self.stolen = hub, times, []
        self.heads_read = 0

    def __enter__(self) -> Thief:
        event.listen(self.hub.db.engine, "before_cursor_execute", self.before)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.hub.db.engine, "before_cursor_execute", self.before)

    def before(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("SELECT * FROM (SELECT id, service"):
            self.heads_read += 1
        if not statement.startswith("UPDATE tickets SET status") or self.left == 0:
            return
        if "RETURNING" not in statement:  # the finish of the counter's ticket, not a claim
            return
        values = parameters.values() if isinstance(parameters, dict) else parameters
        claim_id = next(v for v in values if isinstance(v, int) and not isinstance(v, bool))
        cursor.connection.cursor().execute(
            f"UPDATE tickets SET status = 'called', counter_id = '9' WHERE id = {claim_id:d}")
        self.left -= 1
        self.stolen.append(claim_id)


def test_a_lost_claim_reads_the_heads_again_and_keeps_the_order(halls: dict[str, Hall]) -> None:
    hall = halls["first-first"]
    hall.new_day()
    issue(hall, "A", False, 3, None, 0.0)
    with Thief(hall.hub, times=2) as thief:
        answer = hall.hub.counter_action("1", "next")
    # A-001 and then A-002 went to another counter first: the next in line is A-003, and the
    # heads were read once per lost claim and once more.
    assert answer["called"] == "A-003"
    assert len(thief.stolen) == 2 and thief.heads_read == 3
    with hall.hub.db.read() as s:
        by_counter = dict(s.execute(select(Ticket.label, Ticket.counter_id)
                                    .where(Ticket.day == hall.hub.day())).all())
    assert by_counter == {"A-001": "9", "A-002": "9", "A-003": "1"}


def test_a_next_that_loses_every_claim_is_busy_and_writes_nothing(
    halls: dict[str, Hall],
) -> None:
    hall = halls["first-first"]
    hall.new_day()
    issue(hall, "A", False, CLAIM_ROUNDS + 5, None, 0.0)
    with Thief(hall.hub, times=CLAIM_ROUNDS) as thief, pytest.raises(HubError) as refused:
        hall.hub.counter_action("1", "next")
    assert refused.value.code == "busy" and refused.value.status == 503
    assert len(thief.stolen) == CLAIM_ROUNDS
    with hall.hub.db.read() as s:  # the thefts were in the rolled-back transaction too
        statuses = set(s.scalars(select(Ticket.status).where(Ticket.day == hall.hub.day())))
    assert statuses == {TicketStatus.WAITING}
    assert hall.hub.counter_state("1")["ticket"] is None


def test_every_line_walks_an_index_in_its_order(tmp_path: Path) -> None:
    """EXPLAIN QUERY PLAN on SQLite: each of the six queries of a service searches an index
    (the walk-ins ``ix_tickets_queue``, the booked lines the partial indexes 0015 adds) on
    day, status, service and priority, and none sorts (no temporary B-tree) or scans tickets."""
    db = Database(f"sqlite:///{tmp_path / 'plan.db'}")
    db.upgrade()
    try:
        with db.engine.connect() as c:
            params = {"s0": "A", "s1": "B", "day": "2026-11-25", "status": "waiting",
                      "yes": True, "no": False}
            plan = [row[3] for row in c.execute(
                text(f"EXPLAIN QUERY PLAN {line_heads_statement(2)}"), params)]
    finally:
        db.dispose()
    searches = [line for line in plan if "tickets" in line and "SCAN h" not in line]
    suffix = " (day=? AND status=? AND service=? AND priority=?)"
    assert searches == [f"SEARCH tickets USING INDEX {index}{suffix}" for index in (
        "ix_tickets_queue", "ix_tickets_booked_queue", "ix_tickets_booked_slot") * 4]
    assert not [line for line in plan if "TEMP B-TREE" in line]
