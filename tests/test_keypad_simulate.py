"""``loket simulate``: virtual keypads on pseudo-terminals, pressed from the terminal, with a
real bridge (in-process hub) on the devices it prints."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from counter_panel.backends import InProcessBackend
from counter_panel.bridge import KeypadBridge

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.hardware


def test_simulate_prints_devices_and_presses_keys(hub: Any, config: Any) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "simulate", "--config", str(config.source)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=read, daemon=True).start()
    bridge = KeypadBridge(InProcessBackend(hub))
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any("Type <counter>" in o for o in output):
            time.sleep(0.05)
        devices = dict(
            (m.group(2), m.group(1)) for o in output
            if (m := re.match(r"keypads \(loket\) on (\S+): address 1 = counter (\S+)", o))
        )
        assert set(devices) == {"1", "2", "5"}, output  # one keypad per counter
        assert any('[[keypads]]' in o for o in output)
        for counter, device in devices.items():
            bridge.add_port(device, addresses={1: counter})
        bridge.start()
        for link in bridge.links:
            assert link.wait_connected(5)
        hub.issue_ticket("C")
        assert process.stdin is not None
        process.stdin.write("5 n\n")
        process.stdin.flush()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("D C-001" in o for o in output):
            time.sleep(0.05)
        assert any("counter 5 (address 1) <- D C-001" in o for o in output), output
        assert hub.counter_state("5")["ticket"] == "C-001"
        process.stdin.write("q\n")
        process.stdin.flush()
        assert process.wait(10) == 0
    finally:
        bridge.stop()
        if process.poll() is None:
            process.kill()
            process.wait(5)
