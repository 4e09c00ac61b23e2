"""``loket simulate``: virtual keypads on pseudo-terminals, pressed from the terminal, with a
real bridge (in-process hub) on the devices it prints."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from loket.counter_panel.backends import InProcessBackend
from loket.counter_panel.bridge import KeypadBridge
from tests.support.wait import Lines

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.hardware


def test_simulate_prints_devices_and_presses_keys(hub: Any, config: Any) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "loket", "simulate", "--config", str(config.source)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    output = Lines()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=read, daemon=True).start()
    bridge = KeypadBridge(InProcessBackend(hub))
    try:
        output.wait_for("Type <counter>", 15)
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
        output.wait_for("D C-001", 10)
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


class Simulator:
    """A `loket simulate` process whose output is collected line by line."""

    def __init__(self, config_path: Path) -> None:
        self.output = Lines()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "loket", "simulate", "--config", str(config_path)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for(self, text: str, timeout: float = 15) -> None:
        assert self.output.wait_for(text, timeout), self.output

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def quit(self) -> None:
        if self.process.poll() is None:
            self.type("q")
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def test_simulated_keypads_keep_a_stable_name_across_restarts(hub: Any, config: Any) -> None:
    """`loket simulate` names each counter's pty ``keypads/<counter>`` in the hall's state
    folder: a bridge configured with that name finds the keypads again after a restart."""
    link = Path(config.base_dir) / "keypads" / "5"
    first = Simulator(config.source)
    bridge = KeypadBridge(InProcessBackend(hub), retry_min_s=0.05, retry_max_s=0.3)
    second: Simulator | None = None
    try:
        first.wait_for("Type <counter>")
        assert link.is_symlink(), first.output
        old_target = str(link.resolve())
        assert old_target.startswith("/dev/pts/")
        assert any(f"{link} -> {old_target}" in o for o in first.output)
        assert any(f'port = "{link}"' in o for o in first.output)  # the snippet uses the name
        bridge.add_port(str(link), addresses={1: "5"}, double_press_s=0)
        bridge.start()
        assert bridge.links[0].wait_connected(5)
        hub.issue_ticket("C")
        hub.issue_ticket("C")
        first.type("5 n")
        first.wait_for("counter 5 (address 1) <- D C-001")
        first.quit()
        assert not link.exists()  # a stopped simulator leaves no dangling name

        second = Simulator(config.source)
        second.wait_for("Type <counter>")
        assert link.is_symlink() and str(link.resolve()).startswith("/dev/pts/")
        second.output.wait_for("<- D C-001", 10)  # the bridge reopens the same name by itself
        second.type("5 d")
        second.type("5 n")
        second.wait_for("counter 5 (address 1) <- D C-002")
        assert hub.counter_state("5")["ticket"] == "C-002"
    finally:
        bridge.stop()
        first.quit()
        if second is not None:
            second.quit()
