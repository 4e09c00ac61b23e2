"""The hub's speed-ups keep its promises: concurrent ticket issues committed together
(server.issue_batch) stay gap-free, unique and individually refusable; a broadcast's
WebSocket frame built once (server.broadcast) is the frame wsproto would build."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import TextMessage

from loket.server import service_times as observed
from loket.server.broadcast import frame_text
from loket.server.errors import HubError
from loket.server.issue_batch import batcher_for
from loket.server.models import ServiceDay, Ticket


@pytest.mark.parametrize("size", [0, 1, 125, 126, 300, 65535, 65536, 70000])
def test_frame_is_wsprotos_server_frame(size: int) -> None:
    text = "é" * (size // 2) + "x" * (size % 2)
    expected = Connection(ConnectionType.SERVER).send(TextMessage(data=text))
    assert frame_text(text.encode("utf-8")) == expected


def issue_together(hub: Any, services: list[str]) -> list[dict[str, Any] | HubError]:
    """Issue one ticket per entry of ``services`` from as many threads, released at once."""
    barrier = threading.Barrier(len(services))
    answers: list[dict[str, Any] | HubError] = [HubError("bad_request")] * len(services)

    def issue(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = hub.issue_ticket(services[i])
        except HubError as refusal:
            answers[i] = refusal

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(len(services))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


def test_concurrent_issues_share_transactions_without_gaps(hub: Any) -> None:
    answers = issue_together(hub, ["A", "B"] * 20)
    labels = [a["ticket"] for a in answers if isinstance(a, dict)]
    assert len(labels) == 40 and len(set(labels)) == 40
    for prefix in "AB":
        numbers = sorted(int(label[2:]) for label in labels if label[0] == prefix)
        assert numbers == list(range(1, 21))
    with hub.db.read() as s:
        stored = set(s.scalars(select(Ticket.label)))
        last = dict(s.execute(select(ServiceDay.service, ServiceDay.last_number)).all())
    assert stored == set(labels)
    assert last == {"A": 20, "B": 20}
    # every answer was committed in some transaction; batching took fewer than one each
    # (threads are not as tightly packed as a gevent loop's requests, so only "fewer")
    assert 1 <= batcher_for(hub).batches < 40
    positions = sorted(a["position"] for a in answers if isinstance(a, dict) and
                       a["service"] == "A")
    assert positions == list(range(1, 21))


def test_a_refusal_in_a_batch_undoes_only_its_ticket(hub: Any) -> None:
    # service A has a quota of 50 in the test hall: fill it to 48, then ask for 5 at once
    for _ in range(48):
        hub.issue_ticket("A")
    answers = issue_together(hub, ["A", "A", "A", "B", "A", "A"])
    issued = [a for a in answers if isinstance(a, dict)]
    refused = [a for a in answers if isinstance(a, HubError)]
    assert sorted(a["ticket"] for a in issued) == ["A-049", "A-050", "B-001"]
    assert len(refused) == 3 and {r.code for r in refused} == {"quota_full"}
    with hub.db.read() as s:
        last = dict(s.execute(select(ServiceDay.service, ServiceDay.last_number)).all())
        count = len(list(s.scalars(select(Ticket.id))))
    assert last == {"A": 50, "B": 1}  # the refused draws were rolled back
    assert count == 51


def test_paused_service_refused_inside_a_batch(hub: Any) -> None:
    hub.set_setting("paused_services", ["B"], actor="test")
    answers = issue_together(hub, ["A", "B", "A"])
    assert [a["ticket"] if isinstance(a, dict) else a.code for a in answers].count("paused") == 1
    assert sorted(a["ticket"] for a in answers if isinstance(a, dict)) == ["A-001", "A-002"]


def test_a_full_socket_gets_the_rest_of_the_frame_through_its_queue() -> None:
    """server.broadcast._direct on a real TCP connection whose buffers fill: a frame is
    written whole, or its rest goes to the client's own queue, or (no room at all) it is left
    to the ordinary path; nothing is written past a non-empty queue, and the bytes that
    arrive are whole frames in order."""
    import queue
    import socket
    from types import SimpleNamespace

    from loket.server.broadcast import _direct, _FramePacket

    listener = socket.create_server(("127.0.0.1", 0))
    client_end = socket.create_connection(listener.getsockname())
    client_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server_end, _ = listener.accept()
    server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    server_end.setblocking(False)
    try:
        pending: queue.Queue[Any] = queue.Queue()
        ws = SimpleNamespace(ws=SimpleNamespace(sock=SimpleNamespace(_sock=server_end)),
                             loket_plain=True, loket_busy=False)
        eio = SimpleNamespace(loket_ws=ws, closed=False, closing=False, upgraded=True,
                              queue=pending)
        frame = frame_text(b"x" * 3000)
        written = 0
        while pending.empty() and _direct(eio, frame):
            written += 1
            assert written < 100_000, "the socket never filled"
        rest = b""
        if not pending.empty():
            packet = pending.get_nowait()
            assert isinstance(packet, _FramePacket)
            rest = packet.encode()
            assert 0 < len(rest) < len(frame)
            pending.put(packet)
            assert not _direct(eio, frame)  # queued before it: the ordinary path, after it
        expected = frame * written
        received = b""
        client_end.settimeout(2)
        while len(received) < len(expected) - len(rest):
            received += client_end.recv(65536)
        assert received + rest == expected
    finally:
        for end in (server_end, client_end, listener):
            end.close()


def test_a_batchs_estimates_see_the_counters_as_they_are_when_it_runs(hub: Any) -> None:
    # A batch reads the counters' rows once (WriteMemo.counters); the next batch reads them
    # again. Service C is served by counter 5 only (open at the start of the day).
    def counters_open() -> list[float]:
        return [a["estimate"]["counters_open"] for a in issue_together(hub, ["C"] * 3)
                if isinstance(a, dict)]

    opened = counters_open()
    hub.counter_action("5", "close", actor="supervisor")
    closed = counters_open()
    hub.counter_action("5", "open", actor="supervisor")
    assert (opened, closed, counters_open()) == ([1.0] * 3, [0.0] * 3, [1.0] * 3)


def test_kept_capacity_answers_are_the_ones_found_afresh(hub: Any) -> None:
    # The estimate's capacity is kept per counters' rows (service_times.CapacityCache): as
    # lines fill, as a counter calls (its row changes) and closes, every answer must be the
    # one found from the database alone (one at a time: the waiting counts are those after it).
    def check(services: list[str]) -> None:
        for service in services:
            answer = hub.issue_ticket(service)
            with hub.db.read() as s:
                fresh = observed.estimate(hub, s, answer["service"], answer["ahead"],
                                          answer["priority"])
            assert answer["estimate"]["counters_open"] == fresh.public()["counters_open"]

    check(["A", "B", "C"])
    check(["A", "B", "C", "A"])
    hub.counter_action("1", "next", actor="officer")
    check(["B", "A", "C"])
    hub.counter_action("5", "close", actor="supervisor")
    check(["C", "A", "B"])
