"""Issue 12 items 9 and 10: connection limits (per address, near the descriptor limit), the
snapshot throttle, the start-up warning for trusted proxies, and Socket.IO's same-origin
check."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import socketio
import websocket

from loket.server.config.security import SecuritySection
from loket.server.connections import ConnectionGuard, client_address
from loket.server.extensions import socketio as flask_socketio
from tests.support.wait import wait_until

# ------------------------------------------------------------------ unit level


def _environ(address: str = "10.0.0.7", path: str = "/socket.io/", xff: str = "") -> dict:
    environ = {"PATH_INFO": path, "REMOTE_ADDR": address, "REQUEST_METHOD": "GET"}
    if xff:
        environ["HTTP_X_FORWARDED_FOR"] = xff
    return environ


def _call(guard: ConnectionGuard, **kw: Any) -> tuple[str, Any]:
    status: list[str] = []
    body = guard(_environ(**kw), lambda s, h: status.append(s))
    return status[0], body


def _ok(environ: dict, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"ok"]


def test_guard_caps_connections_per_address_and_near_the_fd_limit() -> None:
    settings = SecuritySection(max_connections_per_address=2, connection_reserve=8)
    guard = ConnectionGuard(_ok, settings, nofile=12)  # room for 4 open connections
    held = [_call(guard, address="10.0.0.7") for _ in range(2)]
    assert [s for s, _ in held] == ["200 OK", "200 OK"]
    status, body = _call(guard, address="10.0.0.7")
    assert status.startswith("429") and b"too_many_connections" in b"".join(body)
    held += [_call(guard, address=a) for a in ("10.0.0.8", "10.0.0.9")]
    status, body = _call(guard, address="10.0.0.10")  # 4 open: the reserve is reached
    assert status.startswith("503") and b'"busy"' in b"".join(body)
    assert _call(guard, path="/healthz")[0] == "200 OK"  # short requests still served
    held[0][1].close()  # a connection ends
    assert _call(guard, address="10.0.0.10")[0] == "200 OK"
    assert guard.stats()["open"] == 4


def test_forwarded_address_only_behind_trusted_proxies() -> None:
    environ = _environ("127.0.0.1", xff="1.2.3.4, 10.0.0.5")
    assert client_address(environ, 0) == "127.0.0.1"
    assert client_address(environ, 1) == "10.0.0.5"


def test_snapshot_requests_are_throttled_per_connection(app: Any) -> None:
    display = flask_socketio.test_client(app, namespace="/display")
    first = display.emit("snapshot", {}, namespace="/display", callback=True)
    assert "services" in first
    second = display.emit("snapshot", {}, namespace="/display", callback=True)
    assert second["error"] == "rate_limited"
    other = flask_socketio.test_client(app, namespace="/display")
    assert "services" in other.emit("snapshot", {}, namespace="/display", callback=True)
    display.disconnect(namespace="/display")
    other.disconnect(namespace="/display")


# ------------------------------------------------------------------ a real hub


def _client(url: str) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    return sio


@pytest.mark.slow
def test_real_hub_caps_websockets_per_address(live_hub: Any, write_config: Any) -> None:
    from tests.support.hall import SMALL_HALL

    hub = live_hub(write_config(SMALL_HALL, "[security]\nmax_connections_per_address = 3\n"))
    clients = [_client(hub.url) for _ in range(3)]
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            _client(hub.url)
        health = requests.get(hub.url + "/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["connections"]["open"] == 3
        assert requests.get(hub.url + "/api/state", timeout=5).status_code == 200
        clients.pop().disconnect()
        assert wait_until(lambda: requests.get(
            hub.url + "/healthz", timeout=5).json()["connections"]["open"] <= 2, 5)
        clients.append(_client(hub.url))
    finally:
        for c in clients:
            c.disconnect()


@pytest.mark.slow
def test_real_hub_refuses_foreign_origins(live_hub: Any) -> None:
    hub = live_hub()
    handshake = hub.url + "/socket.io/?EIO=4&transport=polling"
    foreign = requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=5)
    assert foreign.status_code == 400
    own = requests.get(handshake, headers={"Origin": hub.url}, timeout=5)
    assert own.status_code == 200 and own.text.startswith("0{")
    none = requests.get(handshake, timeout=5)  # python-socketio clients send no Origin
    assert none.status_code == 200
    ws_url = hub.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url, origin="http://evil.example", timeout=5)
    ws = websocket.create_connection(ws_url, origin=hub.url, timeout=5)
    assert ws.recv().startswith("0{")
    ws.close()
    _client(hub.url).disconnect()  # the announcer's and bridges' client still connects


@pytest.mark.slow
def test_trusted_proxies_on_a_public_bind_warns(live_hub: Any, write_config: Any) -> None:
    from tests.support.hall import SMALL_HALL

    path = write_config(SMALL_HALL, "[server]\ntrusted_proxies = 1\nhost = \"0.0.0.0\"\n")
    hub = live_hub(path, ["--no-devices", "--host", "0.0.0.0"])
    log = hub.log_path.read_text()
    assert "trusted_proxies = 1 but the hub listens on 0.0.0.0" in log
