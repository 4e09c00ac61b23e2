"""The keypad bridge against a real hub (in-process app), through real pseudo-terminals:
keypad frames are written on the pty master, the bridge reads the slave with pyserial."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.counter_panel import protocol
from loket.counter_panel.backends import InProcessBackend
from loket.counter_panel.bridge import KeypadBridge
from loket.counter_panel.dialects import ub485
from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair
from tests.support.wait import wait_for

pytestmark = pytest.mark.hardware  # pseudo-terminals
BridgeFactory = Callable[..., tuple[KeypadBridge, list[VirtualKeypadPort]]]


@pytest.fixture
def make_bridge(hub: Any) -> Iterator[BridgeFactory]:
    """``make_bridge({1: "1"}, {2: "2"}, dialect=...)``: one pty per address map."""
    made: list[tuple[KeypadBridge, list[VirtualKeypadPort]]] = []

    def make(*address_maps: dict[int, str], **port_options: Any) -> tuple[
            KeypadBridge, list[VirtualKeypadPort]]:
        bridge = KeypadBridge(InProcessBackend(hub), retry_min_s=0.05, retry_max_s=0.2)
        keypads = []
        for addresses in address_maps:
            master, path = pty_pair()
            bridge.add_port(path, addresses=addresses, **port_options)
            keypads.append(VirtualKeypadPort(master, dialect=port_options.get("dialect",
                                                                               "loket")))
        bridge.start()
        for link in bridge.links:
            assert link.wait_connected(5)
        for keypad in keypads:  # the greeting D frames on connect
            wait_for(lambda k=keypad: not k.received.empty())
            time.sleep(0.05)
            keypad.drain()
        made.append((bridge, keypads))
        return bridge, keypads

    yield make
    for bridge, keypads in made:
        bridge.stop()
        for keypad in keypads:
            keypad.close()


def calls(hub: Any) -> list[Any]:
    from sqlalchemy import select

    from loket.server.models import CallRecord

    with hub.db.session() as s:
        return [(r.label, r.counter_id, r.recall) for r in s.scalars(select(CallRecord))]


def test_next_press_acks_displays_and_calls(hub: Any, make_bridge: BridgeFactory) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    events: list[Any] = []
    hub.events.subscribe(events.append, {"call"})
    _bridge, (keypad,) = make_bridge({1: "1"})
    seq = keypad.press(1, "NEXT")
    ack = keypad.expect("A", 1)
    assert ack.seq == seq
    shown = keypad.expect("D", 1)
    assert (shown.ticket, shown.waiting) == ("A-001", 1)
    assert [e.data["ticket"] for e in events] == ["A-001"]
    assert calls(hub) == [("A-001", "1", False)]


def test_retransmission_is_acked_but_applied_once(hub: Any, make_bridge: BridgeFactory) -> None:
    for _ in range(3):
        hub.issue_ticket("B")
    bridge, (keypad,) = make_bridge({2: "2"}, double_press_s=0)
    keypad.press(2, "NEXT", seq=41)
    assert keypad.expect("A", 2).seq == 41
    assert keypad.expect("D", 2).ticket == "B-001"
    keypad.press(2, "NEXT", seq=41)  # the keypad missed our ack and sends again
    assert keypad.expect("A", 2).seq == 41
    assert keypad.expect("D", 2).ticket == "B-001"
    keypad.press(2, "NEXT", seq=42)
    assert keypad.expect("A", 2).seq == 42
    assert keypad.expect("D", 2).ticket == "B-002"
    assert [c[0] for c in calls(hub)] == ["B-001", "B-002"]
    assert bridge.stats["retransmissions"] == 1


def test_two_keypads_on_one_bus(hub: Any, make_bridge: BridgeFactory) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("B")
    hub.issue_ticket("C")
    bridge, (bus,) = make_bridge({1: "1", 5: "5"})
    bus.press(5, "NEXT", seq=0)
    assert bus.expect("A", 5).seq == 0
    assert bus.expect("D", 5).ticket == "C-001"
    bus.press(1, "NEXT", seq=0)  # same seq, other address: not a retransmission
    assert bus.expect("A", 1).seq == 0
    assert bus.expect("D", 1).ticket == "A-001"
    assert sorted(calls(hub)) == [("A-001", "1", False), ("C-001", "5", False)]
    # An address nobody configured is answered, counted and otherwise ignored.
    bus.press(9, "NEXT", seq=0)
    assert bus.expect("E", 9).code == "UNKNOWN"
    assert bridge.stats["unknown_address"] == 1


def test_refusals_and_other_keys(hub: Any, make_bridge: BridgeFactory) -> None:
    _bridge, (keypad,) = make_bridge({1: "1"}, double_press_s=0)
    keypad.press(1, "NEXT")
    keypad.expect("A", 1)
    assert keypad.expect("E", 1).code == "EMPTY"
    assert keypad.expect("D", 1).ticket is None
    keypad.write(protocol.frame("K,1,COFFEE,9"))
    keypad.expect("A", 1)
    assert keypad.expect("E", 1).code == "BADKEY"
    assert keypad.expect("D", 1).waiting == 0
    hub.issue_ticket("A")
    # the waiting count changed: the keypad is told without pressing anything
    assert keypad.expect("D", 1).waiting == 1
    keypad.press(1, "NEXT")
    assert keypad.expect("D", 1).ticket == "A-001"
    keypad.press(1, "TRANSFER", service="B")
    shown = keypad.expect("D", 1)
    assert (shown.ticket, shown.waiting) == (None, 1)
    keypad.press(1, "BREAK")
    keypad.expect("D", 1)
    keypad.press(1, "NEXT")  # NEXT never ends a break silently: a distinct answer
    keypad.expect("A", 1)
    assert keypad.expect("E", 1).code == "BREAK"
    assert hub.counter_state("1")["status"] == "break"
    keypad.press(1, "RESUME")
    keypad.expect("A", 1)
    keypad.press(1, "NEXT")
    keypad.expect("A", 1)  # the ack comes before the press is applied: wait for its D
    while (shown := keypad.expect("D", 1)).ticket is None:
        pass
    assert shown.ticket == "A-001"
    assert hub.counter_state("1")["status"] == "serving"
    keypad.press(1, "DONE")
    keypad.expect("D", 1)
    hub.counter_action("1", "close", actor="test")
    keypad.expect("D", 1)
    keypad.press(1, "NEXT")
    keypad.expect("A", 1)
    assert keypad.expect("E", 1).code == "CLOSED"


def test_double_press_is_ignored(hub: Any, make_bridge: BridgeFactory) -> None:
    for _ in range(3):
        hub.issue_ticket("A")
    bridge, (keypad,) = make_bridge({1: "1"}, double_press_s=2.0)
    keypad.press(1, "NEXT")
    assert keypad.expect("D", 1).ticket == "A-001"
    keypad.press(1, "NEXT")
    keypad.expect("A", 1)
    assert keypad.expect("D", 1).ticket == "A-001"
    assert bridge.stats["double_presses"] == 1
    assert len(calls(hub)) == 1


def test_display_follows_the_web_panel(hub: Any, make_bridge: BridgeFactory) -> None:
    """Another client (the web panel, the API) acting on the counter updates the keypad."""
    hub.issue_ticket("C")
    _bridge, (keypad,) = make_bridge({5: "5"})
    hub.counter_action("5", "next", actor="user:web")
    assert wait_for(lambda: [f for f in keypad.drain() if f.kind == "D" and f.ticket])[0] \
        .ticket == "C-001"


_SHARED: dict[int, tuple[KeypadBridge, list[VirtualKeypadPort]]] = {}


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.large_base_example, HealthCheck.data_too_large])
@given(seed=st.integers(0, 2**64 - 1), head=st.binary(max_size=200),
       cuts=st.lists(st.integers(1, 9_999), min_size=3, max_size=12, unique=True))
def test_random_bytes_between_frames(hub: Any, make_bridge: BridgeFactory, seed: int,
                                     head: bytes, cuts: list[int]) -> None:
    """10,000 random bytes scattered between valid frames: every valid frame is applied and
    the bridge stays alive. (Hypothesis draws a seed for the bulk of the noise: its own
    buffer is smaller than 10,000 bytes.)"""
    noise = (head + random.Random(seed).randbytes(10_000))[:10_000]
    if id(hub) not in _SHARED:  # one bridge for all examples of this run
        _SHARED.clear()
        _SHARED[id(hub)] = make_bridge({1: "1"}, double_press_s=0)
    bridge, (keypad,) = _SHARED[id(hub)]
    cuts = sorted(cuts)
    frames = len(cuts)
    for _ in range(frames):
        hub.issue_ticket("B")
    before = len(calls(hub))
    pieces = [noise[a:b] for a, b in zip([0, *cuts], [*cuts, len(noise)], strict=True)]
    for i, piece in enumerate(pieces):
        keypad.write(piece)
        if i < frames:
            keypad.press(1, "NEXT")
        time.sleep(0.002)
    wait_for(lambda: len(calls(hub)) == before + frames, timeout=10)
    assert all(link.connected for link in bridge.links)
    keypad.press(1, "RECALL")
    wait_for(lambda: len(calls(hub)) == before + frames + 1)


def test_ub485_end_to_end(hub: Any, make_bridge: BridgeFactory) -> None:
    hub.issue_ticket("A")
    hub.issue_ticket("A")
    _bridge, (keypad,) = make_bridge({7: "1"}, dialect="ub485", redirect={7: "B"},
                                    double_press_s=0)
    keypad.write(ub485.press_frame(7, ub485.KEY_CALL))
    assert keypad.expect() == b"\x01\x07\x21A01\x07"  # called: blinking
    assert hub.counter_state("1")["ticket"] == "A-001"
    keypad.write(ub485.press_frame(7, ub485.KEY_CALL))  # called again: a recall
    keypad.expect()
    assert calls(hub)[-1] == ("A-001", "1", True)
    keypad.write(ub485.press_frame(7, ub485.KEY_START))
    assert keypad.expect() == b"\x01\x07\x20A01\x07"  # serving: steady
    keypad.write(ub485.press_frame(7, ub485.KEY_REDIRECT))
    assert keypad.expect() == b"\x01\x07\x20CAL\x07"  # transferred; A-002 and B wait
    assert hub.counter_state("1")["ticket"] is None
    keypad.write(b"\xff\x00" + ub485.press_frame(7, ub485.KEY_CALL))
    keypad.expect()
    keypad.write(ub485.press_frame(7, ub485.KEY_FINISH))  # called, never came: no-show
    keypad.expect()
    from sqlalchemy import select

    from loket.server.models import Ticket

    with hub.db.session() as s:
        status = {t.label: t.status for t in s.scalars(select(Ticket))}
    assert status["A-001"] == "waiting"  # in service B now
    assert "no_show" in status.values()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
def test_break_answer(hub: Any, make_bridge: BridgeFactory) -> None:
    """NEXT on a counter that is on a break gets its own answer (``E,<addr>,BREAK``; UB485:
    ``BRK`` blinking, below), and the break and the queue stay as they were."""
    hub.issue_ticket("A")
    _bridge, (loket,) = make_bridge({1: "1"}, double_press_s=0)
    hub.counter_action("1", "break")
    loket.drain()
    loket.press(1, "NEXT")
    loket.expect("A", 1)
    assert loket.expect("E", 1).code == "BREAK"
    assert loket.expect("D", 1).ticket is None
    assert protocol.error_frame(1, "BREAK") == b"$E,1,BREAK*2B\r\n"
    assert protocol.parse_hub_frame("E,1,BREAK").code == "BREAK"
    assert hub.counter_state("1")["status"] == "break"
    assert hub.waiting_counts()["A"] == 1


def test_ub485_break_answer(hub: Any, make_bridge: BridgeFactory) -> None:
    hub.issue_ticket("A")
    _bridge, (keypad,) = make_bridge({7: "1"}, dialect="ub485", double_press_s=0)
    hub.counter_action("1", "break")
    time.sleep(0.1)
    keypad.drain()
    keypad.write(ub485.press_frame(7, ub485.KEY_CALL))
    assert keypad.expect() == ub485.screen_frame(7, "BRK", ub485.blink_times(3))
    assert hub.counter_state("1")["status"] == "break"
    assert hub.waiting_counts()["A"] == 1


def test_port_absent_then_unplugged_and_back(hub: Any, tmp_path: Path) -> None:
    """A port missing at start is picked up when it appears; closing the pseudo-terminal
    (a USB adapter pulled out) is survived and the keypad works again when it is back."""
    bridge_end, keypad_end = tmp_path / "bridge-end", tmp_path / "keypad-end"

    def plug() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            ["socat", f"pty,link={bridge_end},raw,echo=0", f"pty,link={keypad_end},raw,echo=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: bridge_end.exists() and keypad_end.exists())
        return process

    for _ in range(4):
        hub.issue_ticket("A")
    bridge = KeypadBridge(InProcessBackend(hub), retry_min_s=0.05, retry_max_s=0.3)
    link = bridge.add_port(str(bridge_end), addresses={1: "1"}, double_press_s=0)
    bridge.start()
    socat = None
    keypad = None
    try:
        time.sleep(0.5)
        assert not link.connected
        socat = plug()
        assert link.wait_connected(5)
        for round_ in range(2):
            keypad = VirtualKeypadPort(path=str(keypad_end))
            time.sleep(0.2)
            keypad.drain()  # what the bridge said when the port opened
            seq = keypad.press(1, "NEXT")
            assert keypad.expect("A", 1).seq == seq
            assert keypad.expect("D", 1, timeout=5).ticket == f"A-00{round_ + 1}"
            keypad.close()
            socat.terminate()  # unplugged
            socat.wait(5)
            wait_for(lambda: not link.connected)
            time.sleep(0.3)
            socat = plug()  # plugged in again
            assert link.wait_connected(5)
        assert link.opened == 3
    finally:
        bridge.stop()
        if socat is not None:
            socat.terminate()
            socat.wait(5)
