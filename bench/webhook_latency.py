"""Does a hanging webhook receiver slow a NEXT? Latency of ``POST /api/counters/<id>/next``
on a real ``loket serve`` (gevent, which starts `loket notify worker` as its child when
there are webhooks), in three cases:

* ``none``: no webhook subscription (the triggers find none and write nothing);
* ``ok``: a subscription to every event, receiver answering 204 at once;
* ``hanging``: the same, receiver accepting connections and never answering (every sending
  thread of the worker waits its ``timeout_s``, the backlog grows).

Prints p50/p99/max in milliseconds, the backlog of events left, and the load average.

    python bench/webhook_latency.py [--presses 300] [--counters 4]
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Hanging:
    """Accepts connections, reads what comes, never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


class Quick:
    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hall_toml(counters: int, hook_port: int | None) -> str:
    text = ('[hall]\nname = "MPP Uji Webhook"\ntimezone = "Asia/Jakarta"\n'
            '[[services]]\nprefix = "A"\nname = "KTP-el"\nagency = "Dukcapil"\n'
            '[[services]]\nprefix = "B"\nname = "Paspor"\nagency = "Imigrasi"\n'
            '[audio]\nenabled = false\n[realtime]\nasync_mode = "gevent"\n')
    for i in range(1, counters + 1):
        text += f'[[counters]]\nid = "{i}"\nname = "Loket {i}"\nservices = ["A", "B"]\n'
    if hook_port is not None:
        text += ('[integrations]\nretry_base_s = 1\nretry_max_s = 10\n'
                 '[[integrations.webhooks]]\n'
                 f'url = "http://127.0.0.1:{hook_port}/hook"\nevents = ["*"]\n'
                 'secret = "env:BENCH_WEBHOOK_SECRET"\ntimeout_s = 5\n')
    return text


def run(case: str, presses: int, counters: int) -> dict[str, Any]:
    receiver: Hanging | Quick | None = None
    if case == "ok":
        receiver = Quick()
    elif case == "hanging":
        receiver = Hanging()
    folder = Path(tempfile.mkdtemp(prefix=f"loket-webhook-{case}-"))
    config = folder / "loket.toml"
    config.write_text(hall_toml(counters, receiver.port if receiver else None))
    env = dict(os.environ, BENCH_WEBHOOK_SECRET="bench-secret-0123456789abcdef",
               PYTHONUNBUFFERED="1")
    port = free_port()
    log = (folder / "hub.log").open("ab")
    hub = subprocess.Popen([sys.executable, "-m", "loket", "serve", "--config", str(config),
                            "--host", "127.0.0.1", "--port", str(port), "--no-devices",
                            "--log-level", "warning"],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=0.5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or hub.poll() is not None:
                raise RuntimeError((folder / "hub.log").read_text()[-2000:])
            time.sleep(0.1)
        token = subprocess.run(
            [sys.executable, "-m", "loket", "token", "create", "--config", str(config),
             "--role", "device", "--name", "bench"], cwd=ROOT, env=env, capture_output=True,
            text=True, check=True).stdout.strip().splitlines()[-1]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        for i in range(presses + 40):
            http.post(url + "/api/tickets", json={"service": "AB"[i % 2]}).raise_for_status()
        time.sleep(2.0)  # let the worker pick the first events up (and hang on them)
        times = []
        for i in range(presses + 20):
            start = time.perf_counter()
            answer = http.post(f"{url}/api/counters/{i % counters + 1}/next")
            elapsed = time.perf_counter() - start
            answer.raise_for_status()
            if i >= 20:
                times.append(elapsed * 1000)
        load = os.getloadavg()
        with sqlite3.connect(folder / "loket.db") as db:
            backlog = db.execute("SELECT count(*) FROM notify_outbox WHERE kind = 'webhook' "
                                 "AND state IN ('queued', 'sending')").fetchone()[0]
            written = db.execute("SELECT count(*) FROM notify_outbox WHERE kind = 'webhook'"
                                 ).fetchone()[0]
    finally:
        hub.terminate()
        hub.wait(20)
        if receiver is not None:
            receiver.close()
    times.sort()
    return {"case": case, "p50": times[len(times) // 2],
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))], "max": times[-1],
            "events": written, "backlog": backlog, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--counters", type=int, default=4)
    args = parser.parse_args()
    print(f"{'case':<8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'events':>7} "
          f"{'backlog':>7}  load average (1, 5, 15 min)")
    for case in ("none", "ok", "hanging"):
        r = run(case, args.presses, args.counters)
        print(f"{r['case']:<8} {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} "
              f"{r['events']:7d} {r['backlog']:7d}  "
              f"{r['load'][0]:.2f} {r['load'][1]:.2f} {r['load'][2]:.2f}", flush=True)


if __name__ == "__main__":
    main()
