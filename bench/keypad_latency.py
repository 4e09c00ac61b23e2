"""Keypad latency: from a keypad's NEXT frame written on its serial line to the ``call`` event
received by a display (a python-socketio client on ``/display``).

100 keypads on 10 ports (pseudo-terminals, 10 addresses each, Loket protocol v1) drive a real
``loket serve`` (gevent, SQLite, the keypad bridge in-process). Presses are spread over the
keypads at ``--rate`` per second; each keypad has at most one press in flight.

    python bench/keypad_latency.py [--presses 1000] [--rate 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair  # noqa: E402
from tests.support.hall import LiveHub, free_port  # noqa: E402

PORTS, PER_PORT = 10, 10
SERVICES = "ABCDEFGHIJ"


def hall(paths: list[str]) -> str:
    """The bench hall's config: ten services, 100 counters, one keypad line per pty path."""
    lines = ['[hall]\nname = "MPP Bench"\ntimezone = "Asia/Jakarta"\n',
             "[audio]\nenabled = false\n"]
    for prefix in SERVICES:
        lines.append(f'[[services]]\nprefix = "{prefix}"\nname = "Layanan {prefix}"\n'
                     f'agency = "Dinas {prefix}"\n')
    for i in range(PORTS * PER_PORT):
        lines.append(f'[[counters]]\nid = "{i + 1}"\nname = "Loket {i + 1}"\nzone = "lantai-1"\n'
                     f'services = ["{SERVICES[i % len(SERVICES)]}"]\n')
    for p, path in enumerate(paths):
        addresses = ", ".join(f'"{a}" = "{p * PER_PORT + a}"' for a in range(1, PER_PORT + 1))
        lines.append(f'[[keypads]]\nport = "{path}"\naddresses = {{ {addresses} }}\n'
                     "double_press_s = 0\n")
    return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class PressLog:
    """What the press loop and the display's ``call`` handler share: the presses in flight
    (counter id -> monotonic time written), every frame written ((line, address, seq) -> time)
    and the frame-to-call latencies in ms measured so far."""

    expected: int
    in_flight: dict[str, float] = field(default_factory=dict)
    written: dict[tuple[int, int, int], float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def busy(self, counter: str) -> bool:
        """Whether the keypad of ``counter`` has a press still waiting for its call."""
        with self.lock:
            return counter in self.in_flight

    def record_written(self, counter: str, frame: tuple[int, int, int]) -> None:
        """Note that the NEXT frame ``frame`` of ``counter``'s keypad is being written now."""
        with self.lock:
            self.in_flight[counter] = self.written[frame] = time.monotonic()

    def on_call(self, data: dict[str, Any]) -> None:
        """A display's ``call`` event: the latency of the press in flight at that counter."""
        now = time.monotonic()
        with self.lock:
            started = self.in_flight.pop(str(data["counter"]), None)
            if started is not None:
                self.latencies.append((now - started) * 1000)
                if len(self.latencies) >= self.expected:
                    self.done.set()


def parse_args() -> argparse.Namespace:
    """The command line: ``--presses`` and ``--rate``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="presses per second")
    return parser.parse_args()


def start_hub(config: Path) -> LiveHub:
    """Start ``loket serve`` on ``config`` (keypad bridge in-process) and wait until
    ``/healthz`` answers; exit with the tail of its log if it does not come up in 30 s."""
    hub = LiveHub(config, free_port(), ["--log-level", "warning"])
    try:
        return hub.start(timeout=30)
    except RuntimeError as error:
        hub.stop()
        raise SystemExit(str(error)) from None


def issue_tickets(url: str, token: str, presses: int) -> None:
    """Issue enough tickets in every service for ``presses`` NEXT presses."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    per_service = presses // len(SERVICES) + PER_PORT
    print(f"issuing {per_service * len(SERVICES)} tickets ...", flush=True)
    for prefix in SERVICES:
        for _ in range(per_service):
            response = http.post(url + "/api/tickets", json={"service": prefix}, timeout=5)
            response.raise_for_status()


def drain_keypads(keypads: list[VirtualKeypadPort]) -> None:
    """Drop what the hub sent the keypads so far (greetings and waiting-count updates)."""
    for keypad in keypads:
        time.sleep(0.05)
        keypad.drain()


def connect_display(url: str, log: PressLog) -> socketio.Client:
    """A display client on ``/display`` whose ``call`` events go to ``log``."""
    display = socketio.Client()
    display.on("call", log.on_call, namespace="/display")
    display.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
    return display


def press_loop(keypads: list[VirtualKeypadPort], log: PressLog, presses: int,
               rate: float) -> None:
    """Press NEXT ``presses`` times at ``rate`` a second, round the keypads, skipping a keypad
    whose last press is still in flight."""
    interval = 1.0 / rate
    next_at = time.monotonic()
    sent = 0
    keypad_index = 0
    while sent < presses:
        counter = str(keypad_index % (PORTS * PER_PORT) + 1)
        keypad_index += 1
        if log.busy(counter):
            continue
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_at += interval
        number = int(counter) - 1
        line, address = number // PER_PORT, number % PER_PORT + 1
        seq = (keypads[line].seq.get(address, -1) + 1) % 256
        log.record_written(counter, (line, address, seq))
        keypads[line].press(address, "NEXT", seq=seq)
        sent += 1


def ack_latencies(keypads: list[VirtualKeypadPort],
                  written: dict[tuple[int, int, int], float]) -> list[float]:
    """Frame written -> ``A`` ack received on the keypad's line, ms, for every acked press."""
    acks = []
    for line, keypad in enumerate(keypads):
        while not keypad.received.empty():
            item = keypad.received.get()
            frame = item.frame
            if frame.kind == "A" and (line, frame.address, frame.seq) in written:
                acks.append((item.at - written.pop((line, frame.address, frame.seq))) * 1000)
    return acks


def print_report(log: PressLog, presses: int, hub_cpu: float, wall: float,
                 acks: list[float]) -> None:
    """Print the call latencies, the hub's CPU per press and the ack latencies."""
    latencies = log.latencies
    missing = presses - len(latencies)
    print(f"frame written -> call event at a display, ms (n={len(latencies)}, "
          f"lost={missing}):")
    print(f"  p50 {pct(latencies, 50):.1f}  p90 {pct(latencies, 90):.1f}  "
          f"p99 {pct(latencies, 99):.1f}  max {max(latencies):.1f}  "
          f"mean {statistics.fmean(latencies):.1f}")
    print(f"  target p99 < 50 ms: {'met' if pct(latencies, 99) < 50 else 'NOT met'}")
    print(f"hub process CPU: {hub_cpu / presses * 1000:.1f} ms per press "
          f"({hub_cpu / wall * 100:.0f} % of a core); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if acks:
        print(f"frame written -> A ack back on the keypad's line, ms (n={len(acks)}):")
        print(f"  p50 {pct(acks, 50):.1f}  p90 {pct(acks, 90):.1f}  p99 {pct(acks, 99):.1f}"
              f"  max {max(acks):.1f}")


def measure(hub: LiveHub, keypads: list[VirtualKeypadPort], args: argparse.Namespace) -> None:
    """Issue the tickets, run the presses against the running ``hub`` and print the report."""
    token = hub.token("supervisor", "bench")
    issue_tickets(hub.url, token, args.presses)
    drain_keypads(keypads)
    log = PressLog(expected=args.presses)
    display = connect_display(hub.url, log)
    print(f"{args.presses} NEXT presses on {PORTS * PER_PORT} keypads / {PORTS} ports "
          f"at {args.rate:g}/s ...", flush=True)
    assert hub.process is not None
    cpu_before, wall_before = cpu_seconds(hub.process.pid), time.monotonic()
    press_loop(keypads, log, args.presses, args.rate)
    log.done.wait(30)
    hub_cpu = cpu_seconds(hub.process.pid) - cpu_before
    wall = time.monotonic() - wall_before
    display.disconnect()
    print_report(log, args.presses, hub_cpu, wall, ack_latencies(keypads, log.written))


def main() -> None:
    """Run the bench: hall on pseudo-terminals, one hub, the presses, the report."""
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    lines = [pty_pair() for _ in range(PORTS)]
    keypads = [VirtualKeypadPort(master) for master, _ in lines]
    config = workdir / "loket.toml"
    config.write_text(hall([path for _, path in lines]), encoding="utf-8")
    hub: LiveHub | None = None
    try:
        hub = start_hub(config)
        measure(hub, keypads, args)
    finally:
        if hub is not None:
            hub.stop()
        for keypad in keypads:
            keypad.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
