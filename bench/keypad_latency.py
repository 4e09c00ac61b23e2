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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.counter_panel.simulator import VirtualKeypadPort, pty_pair  # noqa: E402

PORTS, PER_PORT = 10, 10
SERVICES = "ABCDEFGHIJ"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hall(paths: list[str]) -> str:
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
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="presses per second")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    lines = [pty_pair() for _ in range(PORTS)]
    keypads = [VirtualKeypadPort(master) for master, _ in lines]
    config = workdir / "loket.toml"
    config.write_text(hall([path for _, path in lines]), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "hub.log").open("wb")
    hub = subprocess.Popen(
        [sys.executable, "-m", "loket", "serve", "--config", str(config), "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=0.5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or hub.poll() is not None:
                raise SystemExit((workdir / "hub.log").read_text()[-2000:])
            time.sleep(0.1)
        token = subprocess.run(
            [sys.executable, "-m", "loket", "token", "create", "--config", str(config),
             "--role", "supervisor", "--name", "bench"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        per_service = args.presses // len(SERVICES) + PER_PORT
        print(f"issuing {per_service * len(SERVICES)} tickets ...", flush=True)
        for prefix in SERVICES:
            for _ in range(per_service):
                response = http.post(url + "/api/tickets", json={"service": prefix}, timeout=5)
                response.raise_for_status()
        for keypad in keypads:  # greetings and waiting-count updates so far
            time.sleep(0.05)
            keypad.drain()

        in_flight: dict[str, float] = {}
        written: dict[tuple[int, int, int], float] = {}
        latencies: list[float] = []
        lock = threading.Lock()
        done = threading.Event()
        display = socketio.Client()

        def on_call(data: dict) -> None:
            now = time.monotonic()
            with lock:
                started = in_flight.pop(str(data["counter"]), None)
                if started is not None:
                    latencies.append((now - started) * 1000)
                    if len(latencies) >= args.presses:
                        done.set()

        display.on("call", on_call, namespace="/display")
        display.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
        print(f"{args.presses} NEXT presses on {PORTS * PER_PORT} keypads / {PORTS} ports "
              f"at {args.rate:g}/s ...", flush=True)
        interval = 1.0 / args.rate
        cpu_before, wall_before = cpu_seconds(hub.pid), time.monotonic()
        next_at = time.monotonic()
        sent = 0
        keypad_index = 0
        while sent < args.presses:
            counter = str(keypad_index % (PORTS * PER_PORT) + 1)
            keypad_index += 1
            with lock:
                if counter in in_flight:
                    continue
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            number = int(counter) - 1
            line, address = number // PER_PORT, number % PER_PORT + 1
            seq = (keypads[line].seq.get(address, -1) + 1) % 256
            with lock:
                in_flight[counter] = written[(line, address, seq)] = time.monotonic()
            keypads[line].press(address, "NEXT", seq=seq)
            sent += 1
        done.wait(30)
        hub_cpu = cpu_seconds(hub.pid) - cpu_before
        wall = time.monotonic() - wall_before
        display.disconnect()
        missing = args.presses - len(latencies)
        print(f"frame written -> call event at a display, ms (n={len(latencies)}, "
              f"lost={missing}):")
        print(f"  p50 {pct(latencies, 50):.1f}  p90 {pct(latencies, 90):.1f}  "
              f"p99 {pct(latencies, 99):.1f}  max {max(latencies):.1f}  "
              f"mean {statistics.fmean(latencies):.1f}")
        print(f"  target p99 < 50 ms: {'met' if pct(latencies, 99) < 50 else 'NOT met'}")
        print(f"hub process CPU: {hub_cpu / args.presses * 1000:.1f} ms per press "
              f"({hub_cpu / wall * 100:.0f} % of a core); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        acks = []
        for line, keypad in enumerate(keypads):
            while not keypad.received.empty():
                item = keypad.received.get()
                frame = item.frame
                if frame.kind == "A" and (line, frame.address, frame.seq) in written:
                    acks.append((item.at - written.pop((line, frame.address, frame.seq))) * 1000)
        if acks:
            print(f"frame written -> A ack back on the keypad's line, ms (n={len(acks)}):")
            print(f"  p50 {pct(acks, 50):.1f}  p90 {pct(acks, 90):.1f}  p99 {pct(acks, 99):.1f}"
                  f"  max {max(acks):.1f}")
    finally:
        hub.terminate()
        hub.wait(10)
        for keypad in keypads:
            keypad.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
