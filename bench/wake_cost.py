"""CPU of one request back to back and at the call rate: what a request costs this machine
when the server has slept in between.

``bench/hub_load.py`` calls at 20 a second: the hub sleeps about 50 ms between two NEXTs,
and the display clients and other processes run on its cores meanwhile. This bench asks the
same server for the same request with nothing else connected, first back to back on one
keep-alive connection and then with ``--pause`` seconds of sleep between requests, and prints
the server's CPU per request both ways (every thread's run time from the scheduler,
``/proc/<pid>/task/*/schedstat``, in nanoseconds; the kernel's share from ``/proc/<pid>/stat``,
in 10 ms ticks), with the server's own idle CPU over the paced run taken off. Requests
(alternating back to back and paced, ``--rounds`` times each; medians):

* ``loket serve`` on the bench's hall (100 counters, eight services): ``POST
  /api/counters/<n>/next`` with tickets waiting, and ``GET /api/nothing`` (a 404: Flask and
  pywsgi with no view);
* the floor (``bench/floor_server.py``): its ``POST /api/counters/<n>/next``, a bare WSGI
  answer with nobody to push to.

The paced/back-to-back ratio is the machine's price of waking up (caches and TLBs that other
work used while the server slept); it grows with the code and data a request touches, so it
is part of any CPU-per-NEXT figure taken at the call rate.

    python bench/wake_cost.py [--requests 200] [--pause 0.05] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from hub_load import (  # noqa: E402
    PREFIXES,
    cpu_split,
    free_port,
    hall_toml,
    load_average,
    served_hub,
    wait_healthy,
)


def run_time(pid: int) -> float:
    """Seconds that every thread of ``pid`` has run so far (the scheduler's own count)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # a thread ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


Request = Callable[[int], tuple[str, str, bytes | None]]
"""Request number i -> (method, path, body)."""


class Server:
    """A server process under test and one keep-alive connection to it."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, headers: dict[str, str]):
        self.proc = proc
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.headers = headers

    def ask(self, method: str, path: str, body: bytes | None = None) -> int:
        """Send one request and read its whole answer; its HTTP status."""
        self.connection.request(method, path, body=body, headers=self.headers)
        answer = self.connection.getresponse()
        answer.read()
        return answer.status

    def cpu_per_request(self, request: Request, n: int, pause: float, idle_ms_per_s: float,
                        expect: int) -> tuple[float, float]:
        """Server CPU (ms) per request over ``n`` requests with ``pause`` s between them, the
        server's idle rate over the run taken off, and the kernel's part of it (ms)."""
        cpu0, kernel0, t0 = run_time(self.proc.pid), cpu_split(self.proc.pid)[1], time.monotonic()
        for i in range(n):
            status = self.ask(*request(i))
            if status != expect:
                raise SystemExit(f"{request(i)[1]} answered {status}, expected {expect}")
            if pause:
                time.sleep(pause)
        cpu_ms = (run_time(self.proc.pid) - cpu0) * 1000
        kernel_ms = (cpu_split(self.proc.pid)[1] - kernel0) * 1000
        idle_ms = idle_ms_per_s * (time.monotonic() - t0)
        return max(0.0, cpu_ms - idle_ms) / n, kernel_ms / n

    def idle_ms_per_s(self, seconds: float) -> float:
        """The server's CPU (ms a second) with this connection open and nothing asked."""
        cpu0 = run_time(self.proc.pid)
        time.sleep(seconds)
        # A thread that ended meanwhile takes its run time out of the sum: never below 0.
        return max(0.0, (run_time(self.proc.pid) - cpu0) * 1000 / seconds)


def hub_server(workdir: Path, stack: contextlib.ExitStack) -> Server:
    """``loket serve`` on the bench hall with a device token, stopped when ``stack`` closes
    (bench/hub_load.py's :func:`served_hub`)."""
    config = workdir / "loket.toml"
    config.write_text(hall_toml(100), encoding="utf-8")
    proc, url, token = stack.enter_context(served_hub(config, workdir / "hub.log", "wake-cost"))
    return Server(proc, urlsplit(url).port or 80,
                  {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})


def start_floor(workdir: Path) -> tuple[Server, Callable[[], None]]:
    """The floor server; the server and its stopper."""
    port = free_port()
    log = (workdir / "floor.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "floor_server.py"), "--port", str(port),
         "--db", str(workdir / "floor.db"), "--counters", "100"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)

    def stop() -> None:
        _stop(proc)
        log.close()

    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
    except BaseException:
        stop()
        raise
    return Server(proc, port, {"Content-Type": "application/json"}), stop


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@dataclass
class Row:
    """One request's figures (ms; idle in ms a second)."""

    name: str
    hot: float
    hot_kernel: float
    paced: float
    paced_kernel: float
    idle: float


def next_request(i: int) -> tuple[str, str, bytes | None]:
    return "POST", f"/api/counters/{i % 100 + 1}/next", None


def not_found(i: int) -> tuple[str, str, bytes | None]:
    return "GET", "/api/nothing", None


def ticket(i: int) -> tuple[str, str, bytes | None]:
    return "POST", "/api/tickets", json.dumps({"service": PREFIXES[i % len(PREFIXES)]}).encode()


def measure(server: Server, request: Request, expect: int, args: argparse.Namespace,
            refill: Callable[[int], None] | None = None) -> Row:
    """Median CPU per request back to back and paced (ms), alternating, ``args.rounds`` each,
    with the kernel's part of each and the server's idle CPU."""
    idle = server.idle_ms_per_s(args.idle_seconds)
    runs: dict[float, list[tuple[float, float]]] = {0.0: [], args.pause: []}
    for _ in range(args.rounds):
        for pause, into in runs.items():
            if refill is not None:
                refill(args.requests)
            into.append(server.cpu_per_request(request, args.requests, pause,
                                               idle if pause else 0.0, expect))
    hot, paced = runs[0.0], runs[args.pause]
    return Row("", statistics.median(c for c, _ in hot), statistics.median(k for _, k in hot),
               statistics.median(c for c, _ in paced), statistics.median(k for _, k in paced),
               idle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per run")
    parser.add_argument("--pause", type=float, default=0.05,
                        help="seconds between paced requests (0.05: 20 a second)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=5.0,
                        help="how long the server's idle CPU is measured")
    args = parser.parse_args()
    print(f"load average (1/5 min) before: {load_average()}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="loket-wake-") as tmp:
        workdir = Path(tmp)
        floor, stop_floor = start_floor(workdir)
        try:
            rows.append(replace(measure(floor, next_request, 200, args),
                                name="floor: POST next (no one to push to)"))
        finally:
            stop_floor()
        with contextlib.ExitStack() as stack:
            hub = hub_server(workdir, stack)

            def refill(n: int) -> None:
                for i in range(n):
                    hub.ask(*ticket(i))

            rows.append(replace(measure(hub, not_found, 404, args),
                                name="loket: GET /api/nothing (404)"))
            rows.append(replace(measure(hub, next_request, 200, args, refill),
                                name="loket: POST next (a ticket called)"))
    print(f"load average (1/5 min) after: {load_average()}\n")
    print(f"CPU per request, ms (median of {args.rounds} runs of {args.requests}; paced: "
          f"{args.pause * 1000:.0f} ms of sleep between requests, the server's idle CPU taken "
          "off; in brackets the kernel's part, from 10 ms ticks)\n")
    print(f"| {'request':<38} | back to back | paced        | paced/back to back | "
          "paced - back to back | idle, ms/s |")
    print(f"|{'-' * 40}|--------------|--------------|--------------------|"
          "----------------------|------------|")
    for r in rows:
        print(f"| {r.name:<38} | {r.hot:5.2f} ({r.hot_kernel:4.2f}) | "
              f"{r.paced:5.2f} ({r.paced_kernel:4.2f}) | {r.paced / r.hot:18.2f} | "
              f"{r.paced - r.hot:20.2f} | {r.idle:10.2f} |")


if __name__ == "__main__":
    main()
