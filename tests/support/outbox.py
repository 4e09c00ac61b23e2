"""An in-process hub with its notice outbox and sender (``Worker``): the hall the notice and
webhook tests drive through the API, and the fixture that makes and closes them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, Protocol

import pytest
from sqlalchemy import select

from loket.server.app import create_app, database_url
from loket.server.config import LoketConfig
from loket.server.db import Database
from loket.server.hub import Hub
from loket.server.notify.models import NotifyOutbox
from loket.server.notify.worker import Worker


class Advancing(Protocol):
    def advance(self, seconds: float) -> None: ...


class OutboxHall:
    """A hub, its Flask test client and a notice worker on one fresh database.

    ``kind`` limits ``outbox()`` to one kind of message; ``clock_hub`` gives the hub the
    worker's clock too (notices compute their times from it); ``phone`` is the default phone
    of ``ticket()``."""

    kind: str | None = None
    clock_hub = False
    phone: str | None = None

    def __init__(self, config: LoketConfig, clock: Callable[[], float] = time.time) -> None:
        db = Database(database_url(config))
        db.upgrade()
        self.hub = Hub(config, db, clock=clock) if self.clock_hub else Hub(config, db)
        self.app = create_app(config, async_mode="threading", testing=True, hub=self.hub)
        self.client = self.app.test_client()
        self.worker = Worker(config, db, clock=clock)

    def ticket(self, service: str = "A", phone: str | None = "", lang: str = "id",
               ) -> dict[str, Any]:
        """Take a ticket through the API (``phone=""`` means the hall's default phone)."""
        body: dict[str, Any] = {"service": service}
        phone = self.phone if phone == "" else phone
        if phone:
            body["phone"] = phone
        response = self.client.post(f"/api/tickets?lang={lang}", json=body)
        assert response.status_code == 201, response.json
        body = response.get_json()
        assert isinstance(body, dict)
        return body

    def outbox(self) -> list[NotifyOutbox]:
        query = select(NotifyOutbox).order_by(NotifyOutbox.id)
        if self.kind is not None:
            query = query.where(NotifyOutbox.kind == self.kind)
        with self.hub.db.read() as s:
            return list(s.scalars(query))

    def settle(self, clock: Advancing | None = None, rounds: int = 400) -> None:
        """Worker rounds (moving a fake clock on, else letting real time pass for the
        retries) until nothing is pending or in flight."""
        for _ in range(rounds):
            self.worker.run_once()
            futures.wait(tuple(self.worker.in_flight), timeout=5)
            if not any(r.state in ("queued", "sending") for r in self.outbox()):
                return
            if clock is not None:
                clock.advance(1.0)
            else:
                time.sleep(0.02)  # a retry's due time, in real time: nothing to await
        raise AssertionError("messages still pending")

    def close(self) -> None:
        self.worker.close()
        self.hub.db.dispose()


def halls(cls: type[OutboxHall]) -> Callable[[], Iterator[Callable[..., OutboxHall]]]:
    """A pytest fixture ``hall``: ``hall(config, clock)`` makes a ``cls``, closed after the
    test."""

    @pytest.fixture
    def hall() -> Iterator[Callable[..., OutboxHall]]:
        made: list[OutboxHall] = []

        def make(config: LoketConfig, clock: Callable[[], float] = time.time) -> OutboxHall:
            made.append(cls(config, clock))
            return made[-1]

        yield make
        for h in made:
            h.close()

    return hall
