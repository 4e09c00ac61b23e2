"""Fixtures and helpers of the notice tests: a hall with notices on an in-process hub and its
sender, gateways started per test, and the exactly-once-in-order check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loket.server.config import LoketConfig, load_config
from loket.server.notify.models import NotifyChannelStat
from tests.support.gateways import Gateway
from tests.support.outbox import OutboxHall, halls

PUBLIC = "https://antrean.example.go.id"


def webhook(name: str, url: str, timeout: float = 2.0, extra: str = "") -> str:
    return f"""
[[notify.channels]]
name = "{name}"
kind = "webhook"
url = "{url}/send"
timeout_s = {timeout}
body = {{ to = "{{phone}}", message = "{{text}}", ticket = "{{ticket}}" }}
{extra}
"""


@pytest.fixture
def gateways() -> Iterator[Callable[..., Gateway]]:
    started: list[Gateway] = []

    def make(mode: str = "ok", failures: int = 0, delay_s: float = 0.0) -> Gateway:
        gateway = Gateway(mode=mode, failures=failures, delay_s=delay_s).start()
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        gateway.stop()


@pytest.fixture
def notify_hall(write_config: Callable[..., Path]) -> Callable[..., LoketConfig]:
    def make(channels: str, settings: str = "") -> LoketConfig:
        return load_config(write_config(extra=f"""
[kiosk]
public_url = "{PUBLIC}"

[notify]
retry_base_s = 0.05
retry_max_s = 0.2
poll_s = 0.05
{settings if "max_attempts" in settings else "max_attempts = 30" + chr(10) + settings}
{channels}
"""))

    return make


class Hall(OutboxHall):
    """An in-process hub with notices (on the worker's clock), plus its sender."""

    clock_hub = True
    phone = "0812 3456 0001"


hall = halls(Hall)


def busy_day(h: Hall, tickets: int = 4) -> None:
    """Tickets with phones, called, recalled, skipped and finished at counter 1."""
    for i in range(tickets):
        h.ticket("A", phone=f"0812 3456 {i:04d}")
    for i in range(tickets):
        h.hub.counter_action("1", "next")
        h.hub.counter_action("1", "recall")
        if i % 2:
            h.hub.counter_action("1", "skip")


def assert_exactly_once_in_order(h: Hall, *gateways: Gateway) -> None:
    rows = h.outbox()
    assert rows and all(r.state == "sent" for r in rows), [(r.key, r.state) for r in rows]
    acked = [k for g in gateways for k in g.acked_keys()]
    assert sorted(acked) == sorted(r.key for r in rows), "each notice exactly once"
    order = {r.key: r.id for r in rows}
    for gateway in gateways:
        per_ticket: dict[str, list[int]] = {}
        for key in gateway.acked_keys():
            per_ticket.setdefault(key.split(":")[0], []).append(order[key])
        for ids in per_ticket.values():
            assert ids == sorted(ids), "notices of one ticket arrive in order"


def channel_stat(h: Hall, name: str) -> NotifyChannelStat:
    with h.hub.db.read() as s:
        stat = s.get(NotifyChannelStat, name)
    assert stat is not None
    return stat


