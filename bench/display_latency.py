"""Display benchmarks against a real `loket serve` process on this machine.

1. API call -> DOM update: a counter's NEXT through ``POST /api/counters/<id>/next`` until the
   called ticket is drawn on the hall screen in headless Chromium (the page's own performance
   mark ``window.__loketRenders``), median and p99 over ``--calls`` calls.
2. Reconnect storm: ``--displays`` python-socketio clients on ``/display`` (the browser page's
   reconnect settings); the hub is killed and restarted on the same port; time until every
   display has its fresh snapshot.

Run: ``python bench/display_latency.py [--calls 100] [--displays 50]``. Traffic stays on
127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.display import token  # noqa: E402
from tests.support.hall import LiveHub, free_port  # noqa: E402

BENCH_HALL = """
[hall]
name = "MPP Bench"
timezone = "Asia/Jakarta"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"

[[services]]
prefix = "C"
name = "Paspor"
agency = "Imigrasi"

[[counters]]
id = "1"
name = "Loket 1"
zone = "lantai-1"
services = ["A"]

[[counters]]
id = "5"
name = "Loket 5"
zone = "lantai-2"
services = ["C"]

[audio]
enabled = false

[display]
flash_seconds = 1.0

[realtime]
queue_event_interval_s = 0.05

[security]
# Every display of the storm comes from this one machine (docs/security.md).
max_connections_per_address = 100000
"""

# The same reconnect settings as display/static/display-core.js.
RECONNECT = {"reconnection_delay": 0.4, "reconnection_delay_max": 2.0,
             "randomization_factor": 0.5}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms, "
            f"min {min(values):.1f} ms, max {max(values):.1f} ms")


def call_latency(hub: LiveHub, calls: int) -> dict[str, list[float]]:
    """API call -> DOM update, and the API call's own response time, in milliseconds."""
    from playwright.sync_api import sync_playwright

    headers = {"Authorization": f"Bearer {token(hub.config_path)}"}
    for _ in range(calls):
        requests.post(hub.url + "/api/tickets", json={"service": "A"}, headers=headers,
                      timeout=5).raise_for_status()
    to_dom: list[float] = []
    api: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(hub.url + "/display")
            page.wait_for_function("() => (window.__loketSnapshots || 0) >= 1", timeout=15_000)
            page.wait_for_timeout(500)  # let the transport upgrade to a websocket settle
            for _ in range(calls):
                started = time.time()
                response = requests.post(hub.url + "/api/counters/1/next", headers=headers,
                                         timeout=5)
                answered = time.time()
                response.raise_for_status()
                ticket = response.json()["ticket"]
                drawn = page.wait_for_function(
                    "t => (window.__loketRenders || {})[t] || null", arg=ticket, timeout=5000
                ).json_value()
                to_dom.append(float(drawn) - started * 1000)
                api.append((answered - started) * 1000)
                time.sleep(0.02)
        finally:
            browser.close()
    return {"to_dom": to_dom, "api": api}


class Display:
    """One python-socketio client on /display, counting the snapshots it receives."""

    def __init__(self, url: str, zone: str | None) -> None:
        self.snapshots = 0
        self.last_snapshot = 0.0
        self.client = socketio.Client(reconnection=True, **RECONNECT)
        self.client.on("snapshot", self._on_snapshot, namespace="/display")
        self.url = url
        self.auth = {"zone": zone} if zone else {}

    def _on_snapshot(self, data: Any) -> None:
        self.snapshots += 1
        self.last_snapshot = time.monotonic()

    def connect(self) -> None:
        self.client.connect(self.url, namespaces=["/display"], auth=self.auth,
                            wait_timeout=15)

    def close(self) -> None:
        self.client.disconnect()


def reconnect_storm(config_path: Path, port: int, displays: int,
                    timeout: float = 20.0) -> dict[str, Any]:
    """Connect ``displays`` clients, kill and restart the hub, wait until all resync.

    Returns per-display resync times (ms after the restarted hub answered /healthz), how many
    resynced, and the restarted hub (still running: the caller stops it)."""
    first = LiveHub(config_path, port).start()
    clients = [Display(first.url, "lantai-2" if i % 3 == 0 else None) for i in range(displays)]
    second = LiveHub(config_path, port)
    try:
        threads = [threading.Thread(target=c.connect) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(c.snapshots < 1 for c in clients):
            time.sleep(0.05)
        connected = sum(1 for c in clients if c.snapshots >= 1)
        first.kill()
        time.sleep(1.0)  # every display notices and starts backing off
        second.start()
        back = time.monotonic()
        deadline = back + timeout
        while time.monotonic() < deadline and any(c.snapshots < 2 for c in clients):
            time.sleep(0.02)
        resync = [(c.last_snapshot - back) * 1000 for c in clients if c.snapshots >= 2]
        healthy = requests.get(second.url + "/healthz", timeout=5).status_code == 200
        return {"connected": connected, "resynced": len(resync), "resync_ms": resync,
                "healthy_after": healthy, "hub": second}
    finally:
        for client in clients:
            with contextlib.suppress(Exception):  # one still reconnecting: nothing to close
                client.close()
        first.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--displays", type=int, default=50)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loket-display-bench-"))
    try:
        config_path = workdir / "loket.toml"
        config_path.write_text(BENCH_HALL, encoding="utf-8")
        hub = LiveHub(config_path, free_port()).start()
        try:
            result = call_latency(hub, args.calls)
        finally:
            hub.stop()
        print(f"API call -> DOM update, {args.calls} calls: {summary(result['to_dom'])}")
        print(f"  of which the API call itself: {summary(result['api'])}")

        storm = reconnect_storm(config_path, free_port(), args.displays)
        storm["hub"].stop()
        resync = storm["resync_ms"]
        print(f"Reconnect storm, {args.displays} displays: {storm['connected']} connected, "
              f"{storm['resynced']} resynced after the restart; hub healthy: "
              f"{storm['healthy_after']}")
        if resync:
            print(f"  resync after the hub was back: {summary(resync)}")
        return 0 if storm["resynced"] == args.displays else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
