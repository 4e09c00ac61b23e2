"""A loaded row's columns written with one Core UPDATE (server.row_writes), as NEXT writes the
counter's row and the finished ticket: the values reach the database in the same
transaction, the object reads them, and the flush writes nothing more for them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from loket.server.models import Counter, Ticket, TicketStatus
from loket.server.row_writes import write_columns


@pytest.fixture
def statements(hub: Any) -> list[str]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(hub.db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(hub.db.engine, "before_cursor_execute", note)


def test_columns_are_written_at_once_and_the_object_is_left_clean(
    hub: Any, statements: list[str]
) -> None:
    with hub.write() as w:
        row = w.session.get(Counter, "1")
        statements.clear()
        write_columns(w.session, row, {"status": "break", "officer": "sari", "updated_ts": 5.0})
        assert [s.split()[0] for s in statements] == ["UPDATE"]
        assert (row.status, row.officer, row.updated_ts) == ("break", "sari", 5.0)
        # In the same transaction, the database already has them; the object is not dirty.
        assert w.session.connection().execute(
            select(Counter.status, Counter.officer).where(Counter.id == "1")).one() == (
            "break", "sari")
        assert row not in w.session.dirty
        statements.clear()
        w.session.flush()
        assert statements == []  # nothing left for the unit of work
    with hub.db.read() as s:
        stored = s.get(Counter, "1")
        assert (stored.status, stored.officer, stored.updated_ts) == ("break", "sari", 5.0)


def test_other_changes_of_the_object_are_still_flushed(hub: Any) -> None:
    hub.issue_ticket("A")
    with hub.write() as w:
        ticket = w.session.scalars(select(Ticket)).one()
        ticket.recalls = 3  # changed the ORM way, before and after the Core write
        write_columns(w.session, ticket, {"status": TicketStatus.DONE, "finished_ts": 9.0})
        ticket.transfers = 1
    with hub.db.read() as s:
        stored = s.scalars(select(Ticket)).one()
        assert (stored.status, stored.finished_ts, stored.recalls, stored.transfers) == (
            TicketStatus.DONE, 9.0, 3, 1)


def test_a_failed_transaction_writes_none_of_them(hub: Any) -> None:
    with pytest.raises(RuntimeError), hub.write() as w:
        write_columns(w.session, w.session.get(Counter, "1"), {"status": "closed"})
        raise RuntimeError("the handler refused")
    with hub.db.read() as s:
        assert s.get(Counter, "1").status == "open"


def test_a_next_reads_and_writes_each_row_once(hub: Any, statements: list[str]) -> None:
    for _ in range(3):
        hub.issue_ticket("A")
    hub.counter_action("1", "next")
    statements.clear()
    assert hub.counter_action("1", "next")["called"] == "A-002"
    inside = [" ".join(s.split()[:3]) for s in statements][:7]
    assert inside == [
        "SELECT counters.id, counters.status,",  # the counter's row (FOR UPDATE on PostgreSQL)
        "UPDATE tickets SET",  # A-001 done
        "SELECT * FROM",  # the heads of its lines
        "UPDATE tickets SET",  # the claim of A-002
        "INSERT INTO calls",
        "UPDATE counters SET",
        "SELECT count(*) AS",  # its waiting count
    ]
    with hub.db.read() as s:
        done = s.scalars(select(Ticket).where(Ticket.label == "A-001")).one()
        called = s.scalars(select(Ticket).where(Ticket.label == "A-002")).one()
        assert (done.status, called.status, called.counter_id) == (
            TicketStatus.DONE, TicketStatus.CALLED, "1")
        assert s.get(Counter, "1").current_ticket_id == called.id
