"""Load test of the hub: call latency to every display, ticket throughput, hub memory.

Starts a real ``loket serve`` (gevent) on a generated hall with M counters, then

1. latency: N display clients on ``/display`` plus idle Socket.IO connections (citizens' phones
   on ``/status``) up to a total of C connections; the server's CPU with all of them connected
   and idle (``--idle-seconds``: their pings, part of every NEXT's CPU figure); the counters
   press NEXT at R calls/s in total, the server's CPU per NEXT (and its kernel part: the
   sends); for every call the time from sending
   ``POST /api/counters/<id>/next`` to the ``call`` event arriving at each display (p50, p99,
   max; and per call, at the last display);
2. throughput: several client processes issue tickets as fast as the hub answers (a device
   token bypasses the kiosk rate limit) for D seconds; tickets/s, and no duplicate number in
   the database;
3. memory: the hub's peak RSS while all this runs.

    python bench/hub_load.py [--displays 200] [--connections 500] [--counters 100]
                             [--rate 20] [--seconds 20] [--issue-seconds 10]
                             [--legacy-displays] [--deflate] [--commit-off-loop] [--no-floor]
                             [--idle-seconds 10] [--py-spy PATH]

Every phase runs first against the floor (bench/floor_server.py: a bare python-socketio
server on the same async mode sending the same messages, one durable SQLite insert per
ticket), then against the hub; the table shows both, the ratio loket/floor and issue 13's
targets (last-display p99 <= 20 ms, CPU per NEXT with its pushes <= 6 ms, >= 700 tickets/s
with no duplicate, peak RSS <= 130 MB) with the ratio at which each would be met. Clients run
on the same machine as the servers, so their CPU competes with them: compare ratios, and
note the load average printed with each run (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    # A quota of 9,999 a day: the ticket phase issues over 7,000 tickets, past the 999 numbers
    # a service a day of eight services without one.
    for prefix, name, agency in SERVICES:
        parts.append(f'[[services]]\nprefix = "{prefix}"\nname = "{name}"\nagency = "{agency}"\n'
                     "quota = 9999\n")
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
    """Process ``pid``'s CPU time so far (user and kernel), in seconds."""
    return sum(cpu_split(pid))


def cpu_split(pid: int) -> tuple[float, float]:
    """Process ``pid``'s user and kernel CPU time so far, in seconds (clock ticks: 10 ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def start_py_spy(binary: str | None, pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    """Sample ``pid`` with py-spy (raw collapsed stacks into ``out``) until stopped."""
    if not binary:
        return None
    return subprocess.Popen([binary, "record", "--pid", str(pid), "--format", "raw",
                             "--rate", "200", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_py_spy(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is not None:
        import signal

        spy.send_signal(signal.SIGINT)
        spy.wait(30)


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
        # --deflate: offer permessage-deflate as every browser does (the environment reaches
        # the spawned client processes)
        compress = 15 if os.environ.get("LOKET_BENCH_DEFLATE") else 0
        async with session.ws_connect(ws_url, max_msg_size=0, autoping=True,
                                      compress=compress) as ws:
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


DISPLAY_AUTH = {"counter_events": "none"}
"""What a hall display (display/static/hall.js) sends when it connects: it shows calls and
waiting counts, not counters' states, so it asks the hub for no ``counter`` events."""


def display_worker(url: str, count: int, ready: Any, done: Any, out: Any,
                   auth: dict[str, Any] | None = None) -> None:
    arrivals: list[tuple[str, float]] = []

    def on_call(data: dict[str, Any], at: float) -> None:
        arrivals.append((data["ticket"], at))

    clients = [RawClient("/display", auth, on_call) for _ in range(count)]
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

    from loket.server.config import load_config
    from loket.server.context import database_url
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


@dataclass
class Result:
    """What one server measured in the bench's phases."""

    name: str
    to_last: list[float] = field(default_factory=list)
    per_display: list[float] = field(default_factory=list)
    http_ms: list[float] = field(default_factory=list)
    calls: int = 0
    missing: int = 0
    cpu_per_call_ms: float = float("nan")
    kernel_per_call_ms: float = float("nan")
    """The kernel's part of ``cpu_per_call_ms``: mostly the sends (on the loopback, the
    receiving side's TCP work is done in the sender's system call)."""
    cpu_share: float = float("nan")
    call_seconds: float = float("nan")
    idle_ms_per_s: float = float("nan")
    """The server's CPU with every client connected and nothing happening (their pings)."""
    tickets_per_s: float = float("nan")
    cpu_per_ticket_ms: float = float("nan")
    ticket_errors: int = 0
    duplicates: int = 0
    rss_start: float = float("nan")
    peak_rss: float = float("nan")
    load: list[str] = field(default_factory=list)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    import requests

    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz")


def idle_cpu(pid: int, seconds: float) -> float:
    """The CPU (ms a second) of process ``pid`` over ``seconds`` of the bench doing nothing;
    NaN for 0 s. Ten seconds see one ping round of every connection (``ping_interval`` 10)."""
    if seconds <= 0:
        return float("nan")
    cpu0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - cpu0) / seconds * 1000


def measure(result: Result, url: str, pid: int, token: str, tokens: list[str],
            args: argparse.Namespace, workdir: Path) -> None:
    """The three phases against one server (its process ``pid``)."""
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Event()
    result.rss_start = rss_mb(pid)
    result.load.append(load_average())
    idle = max(0, args.connections - args.displays)
    ready = ctx.Semaphore(0)
    arrivals_q = ctx.Queue()
    workers = []
    per = [args.displays // args.display_processes] * args.display_processes
    per[0] += args.displays - sum(per)
    auth = None if args.legacy_displays else DISPLAY_AUTH
    for count in per:
        workers.append(ctx.Process(target=display_worker,
                                   args=(url, count, ready, done, arrivals_q, auth)))
    if idle:
        workers.append(ctx.Process(target=idle_worker, args=(url, idle, tokens, ready, done)))
    try:
        for w in workers:
            w.start()
        for _ in workers:
            if not ready.acquire(timeout=300):
                raise RuntimeError("clients did not connect")
        time.sleep(1.0)
        peak_rss = rss_mb(pid)
        result.idle_ms_per_s = idle_cpu(pid, args.idle_seconds)
        spy = start_py_spy(args.py_spy, pid, workdir / f"{result.name}-calls.txt")
        (user0, kernel0), wall0 = cpu_split(pid), time.time()
        sent = asyncio.run(drive_counters(url, token, args.counters, args.rate, args.seconds))
        user1, kernel1 = cpu_split(pid)
        cpu_used = user1 - user0 + kernel1 - kernel0
        kernel_used = kernel1 - kernel0
        stop_py_spy(spy)
        result.call_seconds = time.time() - wall0
        result.cpu_share = cpu_used / result.call_seconds
        result.load.append(load_average())
        peak_rss = max(peak_rss, rss_mb(pid))
        time.sleep(2.0)  # let the last events arrive (a server far behind is reported missing)
        done.set()
        arrivals: dict[str, list[float]] = {}
        for _ in range(args.display_processes):
            for ticket, at in arrivals_q.get(timeout=120):
                arrivals.setdefault(ticket, []).append(at)
    finally:
        done.set()
        for w in workers:
            w.join(60)
            if w.is_alive():
                w.terminate()
    for ticket, t0, answered in sent:
        times = arrivals.get(ticket, [])
        result.missing += args.displays - len(times)
        result.per_display += [(t - t0) * 1000 for t in times]
        if times:
            result.to_last.append((max(times) - t0) * 1000)
        result.http_ms.append((answered - t0) * 1000)
    result.calls = len(sent)
    result.cpu_per_call_ms = cpu_used / max(1, len(sent)) * 1000
    result.kernel_per_call_ms = kernel_used / max(1, len(sent)) * 1000

    spy = start_py_spy(args.py_spy, pid, workdir / f"{result.name}-issue.txt")
    cpu0 = cpu_seconds(pid)
    labels, result.ticket_errors, seconds = issue_tickets(
        url, token, args.issue_processes, args.issue_concurrency, args.issue_seconds)
    issue_cpu = cpu_seconds(pid) - cpu0
    stop_py_spy(spy)
    result.load.append(load_average())
    result.peak_rss = max(peak_rss, rss_mb(pid))
    result.tickets_per_s = len(labels) / seconds
    result.cpu_per_ticket_ms = issue_cpu / max(1, len(labels)) * 1000
    result.duplicates = len(labels) - len(set(labels))


def run_floor(args: argparse.Namespace, workdir: Path) -> Result:
    """The bare python-socketio server (bench/floor_server.py) through the same phases."""
    result = Result("floor")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    interval = 0.5 if args.queue_interval is None else args.queue_interval
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "floor_server.py"), "--port", str(port),
         "--db", str(workdir / "floor.db"), "--queue-interval", str(interval),
         "--counters", str(args.counters)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(workdir / "floor.log").open("wb"))
    try:
        wait_healthy(url, proc)
        tokens = [f"floor{i}" for i in range(max(1, args.connections - args.displays))]
        measure(result, url, proc.pid, "floor", tokens, args, workdir)
    finally:
        proc.terminate()
        proc.wait(10)
    return result


@contextlib.contextmanager
def served_hub(
    config_path: Path, log_path: Path, token_name: str
) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """``loket serve`` on ``config_path`` (its output into ``log_path``) with a device token
    named ``token_name``, stopped on leaving: (the process, its URL, the token)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        hub = subprocess.Popen(
            [sys.executable, "-m", "loket", "serve", "--config", str(config_path), "--host",
             "127.0.0.1", "--port", str(port), "--no-devices", "--log-level", "warning"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(url, hub)
            token = subprocess.run(
                [sys.executable, "-m", "loket", "token", "create", "--config",
                 str(config_path), "--role", "device", "--name", token_name], cwd=ROOT,
                capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            yield hub, url, token
        finally:
            hub.terminate()
            try:
                hub.wait(10)
            except subprocess.TimeoutExpired:
                hub.kill()


def run_hub(args: argparse.Namespace, workdir: Path) -> Result:
    """``loket serve`` on the generated hall through the phases; checks the database."""
    result = Result("loket")
    config_path = workdir / "loket.toml"
    config = hall_toml(args.counters, args.queue_interval)
    if args.commit_off_loop:
        config += "\n[storage]\ncommit_off_loop = true\n"
    config_path.write_text(config, encoding="utf-8")
    with served_hub(config_path, workdir / "hub.log", "bench") as (hub, url, token):
        import requests

        # tickets to call, and status tokens for the idle phones
        calls_needed = int(args.rate * args.seconds) + 50
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        tokens = []
        for i in range(calls_needed):
            body = session.post(url + "/api/tickets",
                                json={"service": PREFIXES[i % len(PREFIXES)]}, timeout=10).json()
            tokens.append(body["status_token"])
        measure(result, url, hub.pid, token, tokens, args, workdir)
        _total, in_db = check_unique(config_path)
        result.duplicates += in_db
    return result


TARGETS = {"p99": 20.0, "cpu": 6.0, "tickets": 700.0, "rss": 130.0}
"""Issue 13's targets: last-display p99 (ms), hub CPU per NEXT with its pushes (ms),
tickets/s, peak RSS (MB)."""


def idle_share(result: Result) -> float:
    """What a NEXT's CPU figure holds of the server's idle CPU (the connections' pings, which
    go on whether anyone is called or not): the idle rate over the call phase, per call."""
    return result.idle_ms_per_s * result.call_seconds / max(1, result.calls)


def report(floor: Result, hub: Result, args: argparse.Namespace) -> bool:
    """Print both runs side by side with the ratio hub/floor; True when the targets are met."""
    print(f"\n{args.displays} displays + {args.connections - args.displays} idle connections, "
          f"{args.counters} counters, {hub.calls} calls at {args.rate:g}/s; "
          f"{args.issue_processes} x {args.issue_concurrency} concurrent ticket requests for "
          f"{args.issue_seconds:g} s; display clients "
          f"{'legacy (every event)' if args.legacy_displays else 'as hall.js (no counter events)'}"
          f"{', offering permessage-deflate' if args.deflate else ''}")
    print(f"load average (1/5 min) floor {' -> '.join(floor.load)}; "
          f"loket {' -> '.join(hub.load)} (2 cores)")
    rows = [
        ("last display p50 (ms)", pct(floor.to_last, 50), pct(hub.to_last, 50), None, "<"),
        ("last display p99 (ms)", pct(floor.to_last, 99), pct(hub.to_last, 99),
         TARGETS["p99"], "<"),
        ("every display p99 (ms)", pct(floor.per_display, 99), pct(hub.per_display, 99),
         None, "<"),
        ("HTTP answer p50 (ms)", pct(floor.http_ms, 50), pct(hub.http_ms, 50), None, "<"),
        ("CPU per NEXT + pushes (ms)", floor.cpu_per_call_ms, hub.cpu_per_call_ms,
         TARGETS["cpu"], "<"),
        ("  of which idle (ms)", idle_share(floor), idle_share(hub), None, "<"),
        ("  of which kernel (ms)", floor.kernel_per_call_ms, hub.kernel_per_call_ms, None,
         "<"),
        ("server CPU in call phase (%)", floor.cpu_share * 100, hub.cpu_share * 100, None, "<"),
        ("idle CPU, clients on (ms/s)", floor.idle_ms_per_s, hub.idle_ms_per_s, None, "<"),
        ("tickets/s", floor.tickets_per_s, hub.tickets_per_s, TARGETS["tickets"], ">"),
        ("CPU per ticket (ms)", floor.cpu_per_ticket_ms, hub.cpu_per_ticket_ms, None, "<"),
        ("RSS at start (MB)", floor.rss_start, hub.rss_start, None, "<"),
        ("peak RSS (MB)", floor.peak_rss, hub.peak_rss, TARGETS["rss"], "<"),
    ]
    print(f"\n| {'':30} | {'floor':>8} | {'loket':>8} | {'ratio':>6} | {'target':>8} | "
          f"{'target/floor':>12} | met |")
    print(f"|{'-' * 32}|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 10}|{'-' * 14}|-----|")
    ok = True
    for name, f, h, target, sense in rows:
        ratio = h / f if f else float("nan")
        if target is None:
            print(f"| {name:30} | {f:8.1f} | {h:8.1f} | {ratio:6.2f} | {'':8} | {'':12} |     |")
            continue
        met = h <= target if sense == "<" else h >= target
        ok = ok and met
        print(f"| {name:30} | {f:8.1f} | {h:8.1f} | {ratio:6.2f} | {sense}{'=':1}{target:6g} | "
              f"{target / f if f else float('nan'):12.2f} | {'yes' if met else 'NO':3} |")
    print(f"\ncalls: {hub.missing} of {hub.calls * args.displays} deliveries missing 2 s after "
          f"the last call (floor {floor.missing}); tickets: {hub.ticket_errors} errors, "
          f"{hub.duplicates} duplicate numbers in answers and database (floor "
          f"{floor.ticket_errors} errors)")
    ok = ok and hub.missing == 0 and hub.duplicates == 0 and hub.ticket_errors == 0
    print(f"issue 13 targets: {'met' if ok else 'NOT met'} (ratio = loket / floor; "
          f"target/floor = the ratio at which loket would just meet the target)")
    return ok


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
    parser.add_argument("--legacy-displays", action="store_true",
                        help="display clients connect without auth, as before hall.js asked for "
                             "no counter events (they get every event)")
    parser.add_argument("--deflate", action="store_true",
                        help="clients offer permessage-deflate, as browsers do")
    parser.add_argument("--commit-off-loop", action="store_true",
                        help="[storage] commit_off_loop = true: SQLite's COMMIT waits for the "
                             "disk in gevent's threadpool (default: on the event loop)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor server")
    parser.add_argument("--idle-seconds", type=float, default=10.0,
                        help="measure each server's CPU with every client connected and idle "
                             "for this long before the calls (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the hall folder")
    parser.add_argument("--py-spy", default=None, metavar="PATH",
                        help="py-spy binary: record the servers during the call and issue "
                             "phases (raw stacks into the hall folder; implies --keep)")
    args = parser.parse_args()
    args.keep = args.keep or bool(args.py_spy)
    if args.deflate:
        os.environ["LOKET_BENCH_DEFLATE"] = "1"

    workdir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    print(f"load average before: {load_average()}", flush=True)
    try:
        floor = Result("floor") if args.no_floor else run_floor(args, workdir)
        hub = run_hub(args, workdir)
        report(floor, hub, args)
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"hall folder kept: {workdir}")


if __name__ == "__main__":
    main()
