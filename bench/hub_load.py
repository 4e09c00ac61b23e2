"""Load test of the hub: call latency to every display, ticket throughput, hub memory.

Starts a real ``loket serve`` (gevent) on a generated hall with M counters, then

1. latency: N display clients on ``/display`` plus idle Socket.IO connections (citizens' phones
   on ``/status``) up to a total of C connections; the counters press NEXT at R calls/s in
   total; for every call the time from sending ``POST /api/counters/<id>/next`` to the ``call``
   event arriving at each display (p50, p99, max; and per call, at the last display);
2. throughput: several client processes issue tickets as fast as the hub answers (a device
   token bypasses the kiosk rate limit) for D seconds; tickets/s, and no duplicate number in
   the database;
3. memory: the hub's peak RSS while all this runs.

    python bench/hub_load.py [--displays 200] [--connections 500] [--counters 100]
                             [--rate 20] [--seconds 20] [--issue-seconds 10]

Targets (issue 2, 2-core machine): p99 < 50 ms to the last display, >= 300 tickets/s, RSS <
200 MB. Clients run on the same machine as the hub, so their CPU competes with it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


SERVICES = (
    ("A", "KTP-el", "Dukcapil"), ("B", "Kartu Keluarga", "Dukcapil"), ("C", "Paspor", "Imigrasi"),
    ("D", "BPJS", "BPJS Kesehatan"), ("E", "STNK", "Samsat"), ("F", "Izin Usaha", "DPMPTSP"),
    ("G", "Pajak Daerah", "Bapenda"), ("H", "Akta", "Dukcapil"),
)
PREFIXES = "".join(p for p, _, _ in SERVICES)


def hall_toml(counters: int, queue_interval: float | None = None) -> str:
    parts = [
        '[hall]\nname = "MPP Uji Beban"\ntimezone = "Asia/Jakarta"\n',
        '[queue]\npriority_policy = "first"\n',
    ]
    # Eight services so that a long run stays under 999 numbers a service a day.
    for prefix, name, agency in SERVICES:
        parts.append(f'[[services]]\nprefix = "{prefix}"\nname = "{name}"\nagency = "{agency}"\n')
    for i in range(1, counters + 1):
        zone = "lantai-1" if i <= counters // 2 else "lantai-2"
        first = SERVICES[i % len(SERVICES)][0]
        services = json.dumps([first] + [p for p, _, _ in SERVICES if p != first])
        parts.append(f'[[counters]]\nid = "{i}"\nname = "Loket {i}"\nzone = "{zone}"\n'
                     f"services = {services}\n")
    # All the load comes from this one machine: lift the per-address cap (docs/security.md).
    parts.append('[security]\nmax_connections_per_address = 100000\n')
    parts.append('[audio]\nenabled = false\n\n[realtime]\nasync_mode = "gevent"\n')
    if queue_interval is not None:
        parts.append(f"queue_event_interval_s = {queue_interval}\n")
    return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    try:
        import psutil

        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ client processes


class RawClient:
    """A Socket.IO client speaking Engine.IO v4 over one websocket with aiohttp, parsing only
    the events it measures. python-socketio's client costs so much CPU per message that 500 of
    them on this 2-core machine measured the clients, not the hub."""

    def __init__(self, namespace: str, auth: dict[str, Any] | None,
                 on_call: Any = None) -> None:
        self.namespace, self.auth, self.on_call = namespace, auth or {}, on_call
        self.connected = asyncio.Event()
        self.call_prefix = f'42{namespace},["call",'

    async def run(self, session: aiohttp.ClientSession, url: str, done: Any) -> None:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        async with session.ws_connect(ws_url, max_msg_size=0, autoping=True) as ws:
            opening = await ws.receive_str()
            assert opening.startswith("0"), opening
            await ws.send_str(f"40{self.namespace}," + json.dumps(self.auth))
            async for message in ws:
                at = time.time()
                data = message.data
                if data == "2":  # Engine.IO ping
                    await ws.send_str("3")
                elif data.startswith(self.call_prefix):
                    if self.on_call is not None:
                        self.on_call(json.loads(data[len(self.call_prefix):-1]), at)
                elif data.startswith(f"40{self.namespace}"):
                    self.connected.set()
                elif data.startswith(f"44{self.namespace}"):
                    raise RuntimeError(f"connection refused: {data}")
                if done.is_set():
                    break


async def _run_clients(url: str, clients: list[RawClient], ready: Any, done: Any) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = []
        for start in range(0, len(clients), 25):  # connect in waves, as screens power on
            wave = clients[start:start + 25]
            tasks += [asyncio.create_task(c.run(session, url, done)) for c in wave]
            await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in wave)), 60)
        ready.release()
        while not done.is_set():
            await asyncio.sleep(0.1)
            failed = [t for t in tasks if t.done() and t.exception()]
            if failed:
                raise failed[0].exception()  # type: ignore[misc]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def display_worker(url: str, count: int, ready: Any, done: Any, out: Any) -> None:
    arrivals: list[tuple[str, float]] = []

    def on_call(data: dict[str, Any], at: float) -> None:
        arrivals.append((data["ticket"], at))

    clients = [RawClient("/display", None, on_call) for _ in range(count)]
    asyncio.run(_run_clients(url, clients, ready, done))
    out.put(arrivals)


def idle_worker(url: str, count: int, tokens: list[str], ready: Any, done: Any) -> None:
    clients = [RawClient("/status", {"token": tokens[i % len(tokens)]}) for i in range(count)]
    asyncio.run(_run_clients(url, clients, ready, done))


def issue_worker(url: str, token: str, seconds: float, concurrency: int, start_at: float,
                 out: Any) -> None:
    async def main() -> tuple[list[str], int]:
        labels: list[str] = []
        errors = 0
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         headers=headers) as session:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            end = time.time() + seconds

            async def loop(i: int) -> None:
                nonlocal errors
                n = i
                while time.time() < end:
                    n += 1
                    body = {"service": PREFIXES[n % len(PREFIXES)]}
                    async with session.post(url + "/api/tickets", json=body) as response:
                        if response.status == 201:
                            labels.append((await response.json())["ticket"])
                        else:
                            errors += 1
                            if errors <= 3:
                                print(f"issue refused: {response.status} "
                                      f"{(await response.text())[:200]}", flush=True)

            await asyncio.gather(*(loop(i) for i in range(concurrency)))
        return labels, errors

    out.put(asyncio.run(main()))


# ------------------------------------------------------------------ phases


async def drive_counters(url: str, token: str, counters: int, rate: float,
                         seconds: float) -> list[tuple[str, float, float]]:
    """Press NEXT round the counters at ``rate`` per second; (ticket, sent, answered)."""
    sent: list[tuple[str, float, float]] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     headers=headers) as session:

        async def press(counter: int) -> None:
            t0 = time.time()
            async with session.post(f"{url}/api/counters/{counter}/next") as response:
                body = await response.json()
                if response.status == 200:
                    sent.append((body["called"], t0, time.time()))

        tasks = []
        start = time.monotonic()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(press(i % counters + 1)))
        await asyncio.gather(*tasks)
    return sent


def issue_tickets(url: str, token: str, processes: int, concurrency: int,
                  seconds: float) -> tuple[list[str], int, float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3.0
    procs = [ctx.Process(target=issue_worker, args=(url, token, seconds, concurrency, start_at,
                                                     out)) for _ in range(processes)]
    for p in procs:
        p.start()
    labels: list[str] = []
    errors = 0
    for _ in procs:
        got, err = out.get(timeout=seconds + 120)
        labels += got
        errors += err
    for p in procs:
        p.join(30)
    return labels, errors, seconds


def check_unique(config_path: Path) -> tuple[int, int]:
    from sqlalchemy import func, select

    from loket.server.app import database_url
    from loket.server.config import load_config
    from loket.server.db import Database
    from loket.server.models import Ticket

    db = Database(database_url(load_config(config_path)))
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Ticket)) or 0
        dupes = s.execute(
            select(Ticket.day, Ticket.issued_service, Ticket.number, func.count())
            .group_by(Ticket.day, Ticket.issued_service, Ticket.number)
            .having(func.count() > 1)
        ).all()
    db.dispose()
    return total, len(dupes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--displays", type=int, default=200)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--counters", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second in total")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the call phase")
    parser.add_argument("--issue-seconds", type=float, default=10.0)
    parser.add_argument("--issue-processes", type=int, default=2)
    parser.add_argument("--issue-concurrency", type=int, default=16)
    parser.add_argument("--display-processes", type=int, default=2)
    parser.add_argument("--queue-interval", type=float, default=None,
                        help="[realtime] queue_event_interval_s of the hall (default: its default)")
    parser.add_argument("--keep", action="store_true", help="keep the hall folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    config_path = workdir / "loket.toml"
    config_path.write_text(hall_toml(args.counters, args.queue_interval), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "hub.log").open("wb")
    hub = subprocess.Popen(
        [sys.executable, "-m", "loket", "serve", "--config", str(config_path), "--host",
         "127.0.0.1", "--port", str(port), "--no-devices", "--log-level", "warning"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Event()
    try:
        import requests

        for _ in range(300):
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        token = subprocess.run(
            [sys.executable, "-m", "loket", "token", "create", "--config", str(config_path),
             "--role", "device", "--name", "bench"], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.strip().splitlines()[-1]
        print(f"hub pid {hub.pid} on {url}; RSS at start {rss_mb(hub.pid):.0f} MB", flush=True)

        # tickets to call, and status tokens for the idle phones
        calls_needed = int(args.rate * args.seconds) + 50
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        tokens = []
        for i in range(calls_needed):
            body = session.post(url + "/api/tickets", json={"service": PREFIXES[i % len(PREFIXES)]},
                                timeout=10).json()
            tokens.append(body["status_token"])

        # connect displays and idle clients
        idle = max(0, args.connections - args.displays)
        ready = ctx.Semaphore(0)
        arrivals_q = ctx.Queue()
        workers = []
        per = [args.displays // args.display_processes] * args.display_processes
        per[0] += args.displays - sum(per)
        for count in per:
            workers.append(ctx.Process(target=display_worker,
                                       args=(url, count, ready, done, arrivals_q)))
        if idle:
            workers.append(ctx.Process(target=idle_worker,
                                       args=(url, idle, tokens, ready, done)))
        t_connect = time.time()
        for w in workers:
            w.start()
        for _ in workers:
            if not ready.acquire(timeout=300):
                raise RuntimeError("clients did not connect")
        print(f"{args.displays} displays + {idle} idle connections in "
              f"{time.time() - t_connect:.1f}s; hub RSS {rss_mb(hub.pid):.0f} MB", flush=True)
        time.sleep(1.0)

        peak_rss = rss_mb(hub.pid)
        cpu0, wall0 = cpu_seconds(hub.pid), time.time()
        sent = asyncio.run(drive_counters(url, token, args.counters, args.rate, args.seconds))
        cpu_used = cpu_seconds(hub.pid) - cpu0
        hub_cpu = cpu_used / (time.time() - wall0)
        peak_rss = max(peak_rss, rss_mb(hub.pid))
        time.sleep(2.0)  # let the last events arrive (a hub far behind is reported as missing)
        done.set()
        arrivals: dict[str, list[float]] = {}
        for _ in range(args.display_processes):
            for ticket, at in arrivals_q.get(timeout=120):
                arrivals.setdefault(ticket, []).append(at)
        for w in workers:
            w.join(60)

        per_display: list[float] = []
        to_last: list[float] = []
        missing = 0
        for ticket, t0, _answered in sent:
            times = arrivals.get(ticket, [])
            missing += args.displays - len(times)
            per_display += [(t - t0) * 1000 for t in times]
            if times:
                to_last.append((max(times) - t0) * 1000)
        http_ms = [(a - t0) * 1000 for _, t0, a in sent]
        print(f"\ncall latency, POST .../next -> `call` at the display ({len(sent)} calls at "
              f"{args.rate:g}/s, {args.counters} counters, {args.displays} displays, "
              f"{args.connections} connections):")
        print(f"  every display: p50 {pct(per_display, 50):.1f} ms, p99 "
              f"{pct(per_display, 99):.1f} ms, max {max(per_display, default=0):.1f} ms")
        print(f"  last display:  p50 {pct(to_last, 50):.1f} ms, p99 {pct(to_last, 99):.1f} ms, "
              f"max {max(to_last, default=0):.1f} ms")
        print(f"  HTTP answer:   p50 {pct(http_ms, 50):.1f} ms, p99 {pct(http_ms, 99):.1f} ms")
        load1 = os.getloadavg()[0]
        print(f"  events missing 2 s after the last call: {missing} of "
              f"{len(sent) * args.displays}; hub CPU {hub_cpu * 100:.0f}% of a core; "
              f"load average {load1:.1f} (2 cores)")

        print(f"  hub CPU per answered call (NEXT + its pushes): "
              f"{cpu_used / max(1, len(sent)) * 1000:.1f} ms", flush=True)
        cpu0 = cpu_seconds(hub.pid)
        labels, errors, seconds = issue_tickets(url, token, args.issue_processes,
                                                args.issue_concurrency, args.issue_seconds)
        issue_cpu = cpu_seconds(hub.pid) - cpu0
        peak_rss = max(peak_rss, rss_mb(hub.pid))
        total, dupes = check_unique(config_path)
        print(f"\nticket issue: {len(labels)} tickets in {seconds:g}s = "
              f"{len(labels) / seconds:.0f} tickets/s ({args.issue_processes} processes x "
              f"{args.issue_concurrency} concurrent), {errors} errors, "
              f"duplicates in answers {len(labels) - len(set(labels))}, "
              f"in the database {dupes} (of {total} tickets)")
        print(f"  hub CPU per ticket: {issue_cpu / max(1, len(labels)) * 1000:.1f} ms "
              f"(one free core: about {len(labels) / max(issue_cpu, 1e-9):.0f} tickets/s); "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"\nhub peak RSS: {peak_rss:.0f} MB")
        ok = (pct(to_last, 99) < 50 and len(labels) / seconds >= 300 and peak_rss < 200
              and dupes == 0 and missing == 0)
        print(f"targets (p99 < 50 ms to the last display, >= 300 tickets/s, < 200 MB): "
              f"{'met' if ok else 'NOT met'}")
    finally:
        done.set()
        hub.terminate()
        try:
            hub.wait(10)
        except subprocess.TimeoutExpired:
            hub.kill()
        log.close()
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"hall folder kept: {workdir}")


if __name__ == "__main__":
    main()
