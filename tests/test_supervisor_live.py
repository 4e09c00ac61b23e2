"""The /supervisor Socket.IO namespace over real sockets: who may connect, and coalesced
dashboard pushes after hub events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
import socketio

from tests.support.wait import Collected

pytestmark = pytest.mark.slow


def connect(url: str, token: str | None) -> tuple[socketio.Client, Collected[dict[str, Any]]]:
    client = socketio.Client(reconnection=False)
    received: Collected[dict[str, Any]] = Collected()
    arrived = threading.Event()

    def on_dashboard(data: dict[str, Any]) -> None:
        received.append(data)
        arrived.set()

    client.on("dashboard", on_dashboard, namespace="/supervisor")
    client.connect(url, namespaces=["/supervisor"], transports=["websocket"],
                   auth={"token": token} if token else None, wait_timeout=5)
    assert arrived.wait(5), "no dashboard on connect"
    return client, received


def test_supervisor_namespace(live_hub: Callable[..., Any]) -> None:
    hub = live_hub()
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(hub.url, None)
    device_token = hub.token("device", "bridge")
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(hub.url, device_token)
    client, received = connect(hub.url, hub.token("supervisor", "wall"))
    try:
        first = received[0]
        assert {s["prefix"]: s["waiting"] for s in first["services"]} == {"A": 0, "B": 0, "C": 0}
        device = {"Authorization": f"Bearer {device_token}"}
        for _ in range(20):
            requests.post(f"{hub.url}/api/tickets", json={"service": "B"}, headers=device,
                          timeout=5)
        def waiting_b(push: dict[str, Any]) -> int:
            return {s["prefix"]: s["waiting"] for s in push["services"]}["B"]

        assert received.first(lambda push: waiting_b(push) == 20, 5), waiting_b(received[-1])
        # Forty-odd hub events (ticket + queue), coalesced into a few pushes.
        assert 2 <= len(received) <= 12, len(received)
    finally:
        client.disconnect()
