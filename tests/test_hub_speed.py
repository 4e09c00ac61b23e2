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
