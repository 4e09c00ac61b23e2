"""Keypads against a real ``loket serve`` process: a keypad frame on a pseudo-terminal becomes
a ``call`` event at a Socket.IO display client; simulated keypads when none are configured;
the network bridge (``loket keypads``) and what it tells keypads when the hub goes away."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair
from tests.support.keypads import DEVICES_ON, keypads_toml
from tests.support.wait import Collected, Lines

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.hardware]
class DisplayClient:
    """A python-socketio client on ``/display`` that records ``call`` events."""

    def __init__(self, url: str) -> None:
        self.calls: Collected[dict[str, Any]] = Collected()
        self.sio = socketio.Client()
        self.sio.on("call", self.calls.append, namespace="/display")
        self.sio.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)

    def wait_call(self, ticket: str, timeout: float = 5.0) -> dict[str, Any]:
        call = self.calls.first(lambda c: c["ticket"] == ticket, timeout)
        if call is not None:
            return call
        raise AssertionError(f"no call for {ticket}: {self.calls}")

    def close(self) -> None:
        self.sio.disconnect()


def issue(url: str, service: str) -> str:
    response = requests.post(f"{url}/api/tickets", json={"service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return str(response.json()["ticket"])


def test_keypad_next_reaches_a_display(write_config: Callable[..., Path], live_hub: Any) -> None:
    master, path = pty_pair()
    keypad = VirtualKeypadPort(master)
    config = write_config(extra=keypads_toml(path, '{ "1" = "1", "2" = "5" }'))
    hub = live_hub(config, extra_args=DEVICES_ON)
    display = DisplayClient(hub.url)
    try:
        keypad.expect("D", 1, timeout=10)  # the bridge greets its keypads when the port opens
        ticket = issue(hub.url, "C")
        seq = keypad.press(2, "NEXT")
        assert keypad.expect("A", 2).seq == seq
        assert keypad.expect("D", 2).ticket == ticket
        call = display.wait_call(ticket)
        assert call["counter"] == "5"
        state = requests.get(f"{hub.url}/api/state", timeout=5).json()
        assert {c["counter"]: c["ticket"] for c in state["counters"]}["5"] == ticket
    finally:
        display.close()
        keypad.close()


def test_serve_simulates_keypads_without_hardware(
    write_config: Callable[..., Path], live_hub: Any
) -> None:
    config = write_config()
    hub = live_hub(config, extra_args=DEVICES_ON)
    match = None
    for _ in range(50):
        match = re.search(r"loket simulate --attach ([^\s`]+)", hub.log_path.read_text())
        if match:
            break
        time.sleep(0.1)
    assert match, hub.log_path.read_text()
    device = match.group(1)
    ticket = issue(hub.url, "A")
    # `loket simulate --attach` is the keypad: counter 1 is address 1 on the simulated bus
    process = subprocess.Popen(
        [sys.executable, "-m", "loket", "simulate", "--config", str(config), "--attach", device],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    output = Lines()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        output.wait_for("keypads (loket)", 10)
        assert process.poll() is None, "".join(output)
        assert process.stdin is not None
        process.stdin.write("1 n\n")
        process.stdin.flush()
        output.wait_for(f"D {ticket}", 10)
        assert any(f"counter 1 (address 1) <- D {ticket}" in o for o in output), output
        process.stdin.write("q\n")
        process.stdin.flush()
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_network_bridge_survives_losing_the_hub(
    write_config: Callable[..., Path], live_hub: Any
) -> None:
    master, path = pty_pair()
    keypad = VirtualKeypadPort(master)
    config = write_config(extra=keypads_toml(path))
    hub = live_hub(config)  # --no-devices: the keypads belong to the network bridge
    token = hub.token("device", "bridge-lantai-1", counters="1")
    log_path = config.parent / "bridge.log"
    bridge = subprocess.Popen(
        [sys.executable, "-m", "loket", "keypads", "--hub", hub.url, "--token", token,
         "--config", str(config)],
        cwd=ROOT, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
    )
    display = DisplayClient(hub.url)
    try:
        keypad.expect("D", 1, timeout=15)
        time.sleep(0.5)
        keypad.drain()  # greetings while the bridge connects
        ticket = issue(hub.url, "A")
        # waiting counts follow the hub's events (past a greeting the bridge may still send:
        # it shows the counter when it connects and again when it has re-read it)
        keypad.expect("D", 1, where=lambda shown: shown.waiting == 1)
        seq = keypad.press(1, "NEXT")
        assert keypad.expect("A", 1).seq == seq
        keypad.expect("D", 1, where=lambda shown: shown.ticket == ticket)
        display.wait_call(ticket)
        display.close()

        hub.kill()
        assert keypad.expect("E", 1, timeout=15).code == "OFFLINE"
        keypad.press(1, "RECALL")
        keypad.expect("A", 1)
        assert keypad.expect("E", 1, timeout=10).code == "OFFLINE"

        hub.start()
        shown = keypad.expect("D", 1, timeout=20)  # back online: the keypad shows the state
        assert shown.ticket == ticket
        keypad.press(1, "DONE")
        keypad.expect("A", 1)
        assert keypad.expect("D", 1).ticket is None
        assert bridge.poll() is None
    finally:
        bridge.terminate()
        bridge.wait(10)
        keypad.close()
