"""The Hub on a fake clock: daily numbering in the hall's time zone, the ticket lifecycle,
priority policies, quotas, opening hours and paused services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from loket.server import queue_rules
from loket.server.config import LoketConfig, load_config
from loket.server.db import Database
from loket.server.errors import HubError
from loket.server.events import Event
from loket.server.hub import Hub
from loket.server.models import CallRecord, Counter, ServiceDay, Ticket
from tests.support.hall import SMALL_HALL


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, moment: datetime) -> None:
        self.now = moment.timestamp()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Wednesday 2026-11-25, 10:00 UTC = 17:00 WIB
START = utc(2026, 11, 25, 3, 0)


@pytest.fixture
def make_hub(tmp_path: Path) -> Iterator[Callable[..., tuple[Hub, FakeClock]]]:
    opened: list[Database] = []

    def make(text: str = SMALL_HALL, extra: str = "", start: datetime = START):
        path = tmp_path / f"hall{len(opened)}.toml"
        path.write_text(text + "\n" + extra, encoding="utf-8")
        config: LoketConfig = load_config(path)
        db = Database(f"sqlite:///{tmp_path / f'hub{len(opened)}.db'}")
        db.upgrade()
        opened.append(db)
        clock = FakeClock(start)
        hub = Hub(config, db, clock=clock)
        hub.start()
        return hub, clock

    yield make
    for db in opened:
        db.dispose()


@pytest.fixture
def hub_clock(make_hub) -> tuple[Hub, FakeClock]:
    return make_hub()


def _events(hub: Hub) -> list[Event]:
    seen: list[Event] = []
    hub.events.subscribe(seen.append)
    return seen


def _ticket(hub: Hub, label: str, day: str | None = None) -> Ticket:
    with hub.db.session() as s:
        query = select(Ticket).where(Ticket.label == label)
        if day:
            query = query.where(Ticket.day == day)
        return s.scalars(query).one()


# ------------------------------------------------------------------ numbering and days


def test_numbers_per_service_format(hub_clock) -> None:
    hub, clock = hub_clock
    labels = []
    for service in ("A", "A", "B", "A", "C"):
        labels.append(hub.issue_ticket(service)["ticket"])
        clock.advance(1)
    assert labels == ["A-001", "A-002", "B-001", "A-003", "C-001"]


def test_numbers_restart_at_local_midnight_not_utc(hub_clock) -> None:
    hub, clock = hub_clock
    clock.set(utc(2026, 11, 25, 16, 59, 0))  # 23:59 WIB, 25 Nov
    assert hub.issue_ticket("A")["ticket"] == "A-001"
    assert hub.issue_ticket("A")["ticket"] == "A-002"
    assert hub.day() == "2026-11-25"
    clock.set(utc(2026, 11, 25, 17, 0, 1))  # 00:00:01 WIB, 26 Nov; still 25 Nov in UTC
    assert hub.day() == "2026-11-26"
    first = hub.issue_ticket("A")
    assert first["ticket"] == "A-001"
    assert first["issued_at"].startswith("2026-11-26T00:00:01+07:00")
    # history stays: both days' A-001 exist
    with hub.db.session() as s:
        rows = s.execute(select(Ticket.day, Ticket.label).order_by(Ticket.id)).all()
        assert rows == [("2026-11-25", "A-001"), ("2026-11-25", "A-002"),
                        ("2026-11-26", "A-001")]
        days = s.execute(select(ServiceDay.day, ServiceDay.last_number)).all()
        assert sorted(days) == [("2026-11-25", 2), ("2026-11-26", 1)]


def test_utc_hall_restarts_at_utc_midnight(make_hub) -> None:
    hub, clock = make_hub(SMALL_HALL.replace("Asia/Jakarta", "UTC"))
    clock.set(utc(2026, 11, 25, 17, 30))
    assert hub.issue_ticket("A")["ticket"] == "A-001"
    clock.set(utc(2026, 11, 25, 23, 59))
    assert hub.issue_ticket("A")["ticket"] == "A-002"  # same UTC day
    clock.set(utc(2026, 11, 26, 0, 0, 1))
    assert hub.issue_ticket("A")["ticket"] == "A-001"


def test_yesterdays_waiting_tickets_are_not_called_today(hub_clock) -> None:
    hub, clock = hub_clock
    hub.issue_ticket("A")
    clock.advance(24 * 3600)
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "next")
    assert info.value.code == "empty"
    assert hub.waiting_counts()["A"] == 0


# ------------------------------------------------------------------ lifecycle


def test_lifecycle_called_serving_done(hub_clock) -> None:
    hub, clock = hub_clock
    events = _events(hub)
    hub.issue_ticket("A")
    clock.advance(60)
    state = hub.counter_action("1", "next", actor="test")
    assert state["ticket"] == "A-001" and state["called"] == "A-001"
    assert state["ticket_status"] == "called" and state["status"] == "serving"
    assert state["waited_s"] == 60
    calls = [e for e in events if e.kind == "call"]
    assert len(calls) == 1 and calls[0].data["recall"] is False
    assert set(calls[0].data) >= {"ticket", "service", "counter", "counter_name", "zone",
                                  "recall", "at"}
    assert calls[0].data["zone"] == "lantai-1" and calls[0].data["counter_name"] == "Loket 1"
    clock.advance(5)
    state = hub.counter_action("1", "start")
    assert state["ticket_status"] == "serving"
    clock.advance(300)
    state = hub.counter_action("1", "done")
    assert state["ticket"] is None and state["status"] == "idle"
    ticket = _ticket(hub, "A-001")
    assert ticket.status == "done"
    assert ticket.called_ts - ticket.issued_ts == 60
    assert ticket.finished_ts - ticket.served_ts == 300


def test_next_finishes_current_ticket(hub_clock) -> None:
    hub, clock = hub_clock
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    clock.advance(30)
    state = hub.counter_action("1", "next")
    assert state["ticket"] == "A-002"
    assert _ticket(hub, "A-001").status == "done"
    assert _ticket(hub, "A-001").finished_ts == clock.now


def test_next_when_empty_finishes_current_and_says_empty(hub_clock) -> None:
    hub, _ = hub_clock
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "next")
    assert (info.value.code, info.value.status) == ("empty", 409)
    assert _ticket(hub, "A-001").status == "done"
    assert hub.counter_state("1")["ticket"] is None


def test_skip_marks_no_show(hub_clock) -> None:
    hub, _ = hub_clock
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    hub.counter_action("1", "skip")
    assert _ticket(hub, "A-001").status == "no_show"
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "skip")
    assert info.value.code == "no_current"


def test_recall_reannounces_same_ticket(hub_clock) -> None:
    hub, clock = hub_clock
    events = _events(hub)
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    first_called = _ticket(hub, "A-001").called_ts
    clock.advance(20)
    state = hub.counter_action("1", "recall")
    assert state["ticket"] == "A-001"
    calls = [e.data for e in events if e.kind == "call"]
    assert [(c["ticket"], c["recall"]) for c in calls] == [("A-001", False), ("A-001", True)]
    ticket = _ticket(hub, "A-001")
    assert ticket.recalls == 1 and ticket.called_ts == first_called
    with hub.db.session() as s:
        assert len(s.scalars(select(CallRecord)).all()) == 2


def test_recall_without_current_is_refused(hub_clock) -> None:
    hub, _ = hub_clock
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "recall")
    assert (info.value.code, info.value.status) == ("no_current", 409)


def test_transfer_keeps_queued_ts_and_note(hub_clock) -> None:
    hub, clock = hub_clock
    hub.issue_ticket("A")  # A-001 at t0
    t0 = clock.now
    clock.advance(10)
    hub.issue_ticket("B")  # B-001 at t0+10, issued after A-001
    clock.advance(10)
    hub.counter_action("1", "next")  # counter 1 prefers A: calls A-001
    clock.advance(10)
    state = hub.counter_action("1", "transfer", service="B")
    assert state["ticket"] is None
    moved = _ticket(hub, "A-001")
    assert (moved.status, moved.service, moved.issued_service) == ("waiting", "B", "A")
    assert moved.queued_ts == t0 and moved.transfers == 1
    assert moved.transferred_from == "A @ Loket 1"
    assert moved.counter_id is None
    # counter 2 serves only B: the transferred ticket goes first (it was issued first)
    assert hub.counter_action("2", "next")["ticket"] == "A-001"
    assert hub.counter_action("2", "next")["ticket"] == "B-001"


def test_transfer_errors(hub_clock) -> None:
    hub, _ = hub_clock
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    for service, code in (("A", "same_service"), ("Z", "unknown_service"), (None, "bad_request")):
        with pytest.raises(HubError) as info:
            hub.counter_action("1", "transfer", service=service)
        assert info.value.code == code
    ticket = _ticket(hub, "A-001")
    assert (ticket.status, ticket.service, ticket.transfers) == ("called", "A", 0)


def test_unknown_counter_and_action(hub_clock) -> None:
    hub, _ = hub_clock
    with pytest.raises(HubError) as info:
        hub.counter_action("99", "next")
    assert (info.value.code, info.value.status) == ("unknown_counter", 404)
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "explode")
    assert info.value.code == "unknown_action"


def test_counters_only_call_their_services(hub_clock) -> None:
    hub, _ = hub_clock
    hub.issue_ticket("C")
    with pytest.raises(HubError):
        hub.counter_action("2", "next")  # serves B only
    assert hub.counter_action("5", "next")["ticket"] == "C-001"


def test_break_and_close(hub_clock) -> None:
    hub, _ = hub_clock
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    state = hub.counter_action("1", "break")
    assert state["status"] == "break" and _ticket(hub, "A-001").status == "done"
    state = hub.counter_action("1", "resume")
    assert state["status"] == "idle"
    hub.counter_action("1", "close")
    with pytest.raises(HubError) as info:
        hub.counter_action("1", "next")
    assert info.value.code == "counter_closed"
    assert _ticket(hub, "A-002").status == "waiting"
    hub.counter_action("1", "open")
    assert hub.counter_action("1", "next")["ticket"] == "A-002"


# ------------------------------------------------------------------ priority


def test_priority_first_policy(hub_clock) -> None:
    hub, clock = hub_clock
    for priority in (False, False, True, False, True):
        hub.issue_ticket("A", priority=priority)
        clock.advance(1)
    called = [hub.counter_action("1", "next")["ticket"] for _ in range(5)]
    assert called == ["A-003", "A-005", "A-001", "A-002", "A-004"]


def test_priority_interleave_policy(make_hub) -> None:
    hub, clock = make_hub(SMALL_HALL.replace(
        'priority_policy = "first"', 'priority_policy = "interleave"\npriority_every = 3'))
    for i in range(9):
        hub.issue_ticket("A", priority=i >= 6)  # A-001..A-006 regular, A-007..A-009 priority
        clock.advance(1)
    pattern = [hub.counter_action("1", "next")["priority"] for _ in range(9)]
    assert pattern == [False, False, True, False, False, True, False, False, True]


def test_priority_position_and_estimate(hub_clock) -> None:
    hub, clock = hub_clock
    hub.issue_ticket("A")
    clock.advance(1)
    hub.issue_ticket("A")
    clock.advance(1)
    result = hub.issue_ticket("A", priority=True)
    assert result["position"] == 1 and result["priority"] is True
    clock.advance(1)
    regular = hub.issue_ticket("A")
    assert regular["position"] == 4
    assert regular["estimated_wait_s"] > 0


def test_priority_flag_only_no_reason_stored() -> None:
    columns = {c.name for c in Ticket.__table__.columns}
    assert "priority" in columns
    assert not any("reason" in c or c == "name" or "nik" in c or "phone" in c for c in columns)


# ------------------------------------------------------------------ quota, hours, pause


def test_quota_full_is_409_and_does_not_use_a_number(make_hub) -> None:
    hub, _ = make_hub(SMALL_HALL.replace("quota = 50", "quota = 2"))
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    for _ in range(2):
        with pytest.raises(HubError) as info:
            hub.issue_ticket("A")
        assert (info.value.code, info.value.status) == ("quota_full", 409)
        assert "2" in info.value.message("en")
    with hub.db.session() as s:
        assert len(s.scalars(select(Ticket)).all()) == 2
        assert s.scalar(select(ServiceDay.last_number).where(ServiceDay.service == "A")) == 2
    assert hub.issue_ticket("B")["ticket"] == "B-001"


def test_quota_resets_next_day(make_hub) -> None:
    hub, clock = make_hub(SMALL_HALL.replace("quota = 50", "quota = 1"))
    hub.issue_ticket("A")
    with pytest.raises(HubError):
        hub.issue_ticket("A")
    clock.advance(24 * 3600)
    assert hub.issue_ticket("A")["ticket"] == "A-001"


HOURS = SMALL_HALL.replace(
    "quota = 50", 'quota = 50\nopening_hours = ["mon-fri 07:30-15:00", "sat 08:00-12:00"]'
)


def test_closed_outside_opening_hours_names_next_opening(make_hub) -> None:
    # Wednesday 2026-11-25 16:00 WIB (09:00 UTC): closed, opens tomorrow 07:30
    hub, clock = make_hub(HOURS, start=utc(2026, 11, 25, 9, 0))
    with pytest.raises(HubError) as info:
        hub.issue_ticket("A", lang="id")
    assert (info.value.code, info.value.status) == ("closed", 409)
    message = info.value.message("id")
    assert "besok" in message and "07.30" in message, message
    state = hub.service_state("A")
    assert state["open"] is False and state["next_opening"] == "2026-11-26T07:30:00+07:00"
    assert hub.issue_ticket("B")["ticket"] == "B-001"  # B has no hours: always open
    clock.set(utc(2026, 11, 26, 0, 30))  # Thursday 07:30 WIB
    assert hub.issue_ticket("A")["ticket"] == "A-001"
    with hub.db.session() as s:
        assert s.scalars(select(Ticket.label).where(Ticket.service == "A")).all() == ["A-001"]


def test_closed_on_weekend_opens_monday(make_hub) -> None:
    hub, clock = make_hub(HOURS, start=utc(2026, 11, 28, 6, 0))  # Saturday 13:00 WIB
    with pytest.raises(HubError) as info:
        hub.issue_ticket("A")
    assert hub.service_state("A")["next_opening"] == "2026-11-30T07:30:00+07:00"
    assert "30-11-2026" in info.value.message("id")  # not tomorrow: the date is given
    clock.set(utc(2026, 11, 29, 3, 0))  # Sunday 10:00 WIB: opens "tomorrow"
    with pytest.raises(HubError) as info:
        hub.issue_ticket("A")
    assert "besok pukul 07.30" in info.value.message("id")


def test_saturday_hours(make_hub) -> None:
    hub, clock = make_hub(HOURS, start=utc(2026, 11, 28, 1, 0))  # Saturday 08:00 WIB
    assert hub.issue_ticket("A")["ticket"] == "A-001"
    clock.set(utc(2026, 11, 28, 5, 0))  # 12:00 WIB: closed (end is exclusive)
    with pytest.raises(HubError):
        hub.issue_ticket("A")


def test_paused_service_refused_then_resumed(hub_clock) -> None:
    hub, _ = hub_clock
    events = _events(hub)
    hub.set_setting("paused_services", ["A"], actor="user:sup")
    with pytest.raises(HubError) as info:
        hub.issue_ticket("A")
    assert (info.value.code, info.value.status) == ("paused", 409)
    assert any(e.kind == "settings" for e in events)
    assert hub.snapshot()["services"][0]["paused"] is True
    hub.set_setting("paused_services", [], actor="user:sup")
    assert hub.issue_ticket("A")["ticket"] == "A-001"


def test_unknown_service(hub_clock) -> None:
    hub, _ = hub_clock
    with pytest.raises(HubError) as info:
        hub.issue_ticket("Z")
    assert (info.value.code, info.value.status) == ("unknown_service", 404)


# ------------------------------------------------------------------ state and events


def test_snapshot_shape_and_zone(hub_clock) -> None:
    hub, _clock = hub_clock
    hub.issue_ticket("A")
    hub.issue_ticket("C")
    hub.counter_action("5", "next")
    snap = hub.snapshot()
    assert {s["prefix"] for s in snap["services"]} == {"A", "B", "C"}
    assert {c["counter"] for c in snap["counters"]} == {"1", "2", "5"}
    assert snap["calls"][0]["ticket"] == "C-001"
    assert snap["at"].endswith("+07:00")
    upstairs = hub.snapshot(zone="lantai-2")
    assert [c["counter"] for c in upstairs["counters"]] == ["5"]
    assert [c["counter"] for c in upstairs["calls"]] == ["5"]
    downstairs = hub.snapshot(zone="lantai-1")
    assert downstairs["calls"] == []


def test_snapshot_keeps_the_last_calls(hub_clock) -> None:
    """At least the last 10 calls (issue 2); the display asks for 2 x recent_calls."""
    hub, clock = hub_clock
    for _ in range(25):
        hub.issue_ticket("B")
    for _ in range(25):
        hub.counter_action("2", "next")
        clock.advance(1)
    calls = hub.snapshot()["calls"]
    assert len(calls) == max(10, 2 * hub.config.display.recent_calls)
    assert [c["ticket"] for c in calls[:3]] == ["B-025", "B-024", "B-023"]


def test_queue_events_follow_waiting_counts(hub_clock) -> None:
    hub, _ = hub_clock
    events = _events(hub)
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    hub.counter_action("1", "next")
    queues = [e.data for e in events if e.kind == "queue"]
    waiting_a = [next(s["waiting"] for s in q["services"] if s["prefix"] == "A") for q in queues]
    assert waiting_a == [1, 2, 1]


def test_counter_rows_created_on_start(hub_clock) -> None:
    hub, _ = hub_clock
    with hub.db.session() as s:
        assert sorted(s.scalars(select(Counter.id))) == ["1", "2", "5"]


def test_ticket_by_token(hub_clock) -> None:
    hub, _ = hub_clock
    issued = hub.issue_ticket("A")
    status = hub.ticket_by_token(issued["status_token"])
    assert status["ticket"] == "A-001" and status["ahead"] == 0
    assert "token_hash" not in status
    assert hub.ticket_by_token("nope") is None
    with hub.db.session() as s:
        stored = s.scalars(select(Ticket.status_token_hash)).one()
    assert issued["status_token"] not in stored


@pytest.mark.parametrize("booked_policy", ["slot_time", "first", "every_n"])
@pytest.mark.parametrize("policy", ["first", "interleave"])
def test_ahead_sql_matches_expression(make_hub, policy: str, booked_policy: str) -> None:
    """The plain-SQL count of tickets ahead (hot path) equals the SQLAlchemy expression and
    the pure rules' position_in_line, with priority and booked tickets in the queues."""
    hub, clock = make_hub(SMALL_HALL.replace(
        'priority_policy = "first"',
        f'priority_policy = "{policy}"\nbooked_policy = "{booked_policy}"'))
    for i in range(30):
        service = "AB"[i % 2]
        if i % 3 == 0:
            slot = clock() + 600 * (i % 4)
            with hub.write() as w:
                hub.issue_in(w, service, priority=i % 5 == 0, booked=True, slot_ts=slot,
                             queued_ts=queue_rules.booked_queued_at(hub.policy, w.now, slot))
        else:
            hub.issue_ticket(service, priority=i % 5 == 0)
        if i % 7 == 0:
            clock.advance(0)  # equal queued_ts: ties broken by id
        else:
            clock.advance(1)
    for _ in range(4):
        hub.counter_action("1", "next")
    with hub.db.session() as s:
        waiting = list(s.scalars(select(Ticket).where(Ticket.status == "waiting")))
        assert len(waiting) == 26
        assert any(t.booked for t in waiting) and any(t.priority for t in waiting)
        candidates = [queue_rules.Candidate(t.id, t.service, bool(t.priority), t.queued_ts,
                                            booked=bool(t.booked), slot_at=t.slot_ts)
                      for t in waiting]
        for ticket, candidate in zip(waiting, candidates, strict=True):
            expected = queue_rules.position_in_line(candidate, candidates, hub.policy)
            issuer = hub.issuer
            assert issuer.ahead(s, ticket) == issuer.ahead_expression(s, ticket) == expected


def test_without_quota_numbers_stop_at_999(hub_clock) -> None:
    """[[services]] quota: "Numbers never exceed 999 per day unless a quota above 999 is set"."""
    from sqlalchemy import update

    hub, clock = hub_clock
    hub.issue_ticket("B")
    with hub.db.session() as s:
        s.execute(update(ServiceDay).where(ServiceDay.service == "B").values(last_number=998))
    assert hub.issue_ticket("B")["ticket"] == "B-999"
    with pytest.raises(HubError) as info:
        hub.issue_ticket("B")
    assert (info.value.code, info.value.status) == ("quota_full", 409)
    assert "999" in info.value.message("en")
    clock.advance(24 * 3600)
    assert hub.issue_ticket("B")["ticket"] == "B-001"


def test_quota_above_999_gives_four_digits(make_hub) -> None:
    from sqlalchemy import update

    hub, _ = make_hub(SMALL_HALL.replace("quota = 50", "quota = 1200"))
    hub.issue_ticket("A")
    with hub.db.session() as s:
        s.execute(update(ServiceDay).where(ServiceDay.service == "A").values(last_number=999))
    assert hub.issue_ticket("A")["ticket"] == "A-1000"


def test_line_heads_query_matches_per_line_queries(make_hub) -> None:
    """NEXT's single windowed query finds the same candidates as one query per line."""
    hub, clock = make_hub()
    for i in range(40):
        hub.issue_ticket("ABC"[i % 3], priority=i % 4 == 0)
        clock.advance(0 if i % 6 == 0 else 1)
    hub.counter_action("1", "next")
    hub.counter_action("1", "transfer", service="C")
    for counter_id in ("1", "2", "5"):
        counter = hub.counters[counter_id]
        with hub.db.session() as s:
            fast = sorted(hub._candidates(s, counter), key=lambda c: c.ticket_id)
            slow = sorted(hub._candidates_per_line(s, counter), key=lambda c: c.ticket_id)
        assert fast == slow and fast
