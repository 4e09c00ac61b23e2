"""Does a WhatsApp/SMS gateway that hangs slow down the hall? NEXT latency on a real
`loket serve` process, with `loket notify worker` delivering notices for every ticket:

* ``off``: no citizen opted in (no notices at all);
* ``ok``: every ticket opted in, the gateway answers 200 at once;
* ``hanging``: every ticket opted in, the gateway accepts connections and never answers (each
  attempt waits ``timeout_s`` = 5 s, then retries with backoff).

For each, ``--tickets`` tickets are issued (with a phone number where notices are on), then
``--calls`` NEXTs are pressed one after another through ``POST /api/counters/<id>/next``;
printed: p50/p99 of NEXT and of issuing, the ratios against ``off``, and the load average
before and after (the machine's other work shows up there).

Run: ``python bench/notify_latency.py [--tickets 300] [--calls 300]``. Traffic stays on
127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.hall import LiveHub, free_port  # noqa: E402

HALL = """
[hall]
name = "MPP Bench"
timezone = "Asia/Jakarta"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"
quota = 9999

[[services]]
prefix = "B"
name = "Paspor"
agency = "Imigrasi"
quota = 9999

[[counters]]
id = "1"
name = "Loket 1"
zone = "lantai-1"
services = ["A", "B"]

[[counters]]
id = "2"
name = "Loket 2"
zone = "lantai-1"
services = ["A", "B"]

[audio]
enabled = false

[kiosk]
public_url = "http://antrean.bench"

[notify]
workers = 4
run_worker = false

[[notify.channels]]
name = "gw"
kind = "webhook"
url = "{url}/send"
timeout_s = 5
body = {{ to = "{{phone}}", message = "{{text}}" }}
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(folder: Path, mode: str, tickets: int, calls: int) -> dict[str, Any]:
    # The gateway runs in its own process: its threads must not slow the measuring one.
    gateway = subprocess.Popen(
        [sys.executable, "-m", "tests.support.gateways", "hang" if mode == "hanging" else "ok",
         str(10**9 if mode == "hanging" else 0)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert gateway.stdout is not None and gateway.stdin is not None
    url = gateway.stdout.readline().strip()
    config = folder / f"{mode}.toml"
    config.write_text(HALL.format(url=url))
    hub = LiveHub(config, free_port()).start()
    log = (folder / f"worker-{mode}.log").open("ab")
    worker = subprocess.Popen([sys.executable, "-m", "loket", "notify", "worker", "--config",
                               str(config)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        token = hub.token("device", "bench")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        issue: list[float] = []
        for i in range(tickets):
            body: dict[str, Any] = {"service": "AB"[i % 2]}
            if mode != "off":
                body["phone"] = f"0812{i:08d}"
            started = time.perf_counter()
            response = session.post(f"{hub.url}/api/tickets", json=body, timeout=30)
            issue.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
        time.sleep(2)  # the worker is now busy sending (or hanging on) the "issued" notices
        nexts: list[float] = []
        for i in range(calls):
            started = time.perf_counter()
            response = session.post(f"{hub.url}/api/counters/{1 + i % 2}/next", timeout=30)
            nexts.append(time.perf_counter() - started)
            assert response.status_code in (200, 409), response.text
        worker.terminate()
        gateway.stdin.close()
        counts = json.loads(gateway.stdout.readline())
        return {"issue": issue, "next": nexts, "gateway_requests": counts["requests"],
                "acked": counts["acked"]}
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
        hub.stop()
        if gateway.poll() is None:
            gateway.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="loket-notify-bench-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    results: dict[str, dict[str, Any]] = {}
    try:
        for mode in ("off", "ok", "hanging"):
            results[mode] = run(folder, mode, args.tickets, args.calls)
            r = results[mode]
            print(f"{mode:8} NEXT p50 {pct(r['next'], 50) * 1000:6.1f} ms  p99 "
                  f"{pct(r['next'], 99) * 1000:6.1f} ms | issue p50 "
                  f"{pct(r['issue'], 50) * 1000:6.1f} ms  p99 {pct(r['issue'], 99) * 1000:6.1f} ms"
                  f" | gateway requests {r['gateway_requests']}, delivered {r['acked']}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = results["off"]
    for mode in ("ok", "hanging"):
        r = results[mode]
        print(f"{mode} / off: NEXT p50 {pct(r['next'], 50) / pct(base['next'], 50):.2f}x, "
              f"p99 {pct(r['next'], 99) / pct(base['next'], 99):.2f}x; mean "
              f"{statistics.mean(r['next']) / statistics.mean(base['next']):.2f}x")
    hang, ok = results["hanging"], results["ok"]
    print(f"hanging / ok: NEXT p99 {pct(hang['next'], 99) / pct(ok['next'], 99):.2f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
