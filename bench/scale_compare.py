"""Scale-out: one hub process on SQLite against three on PostgreSQL + Redis.

Runs the same hall (``--counters`` counters, eight services; every counter serves every
service) twice on this machine:

A. one ``loket serve`` (gevent) on the default SQLite file (WAL, ``synchronous=FULL``);
B. three ``loket serve`` processes sharing one PostgreSQL database (``[storage] url``) and one
   Redis server (``[realtime] message_queue``), both started here on loopback with
   ``tests/support/services.py`` (durable settings: fsync and synchronous commit on, like SQLite's).

In each scenario, tickets are issued in advance; ``--displays`` display clients on
``/display`` (Engine.IO over aiohttp websockets, ``RawClient`` from ``bench/hub_load.py``) are
spread evenly over the hub processes, and ``--press-processes`` client processes press NEXT
(``POST /api/counters/<id>/next``, device token), each counter always through the same hub
process (counter ``c`` on process ``c mod P``):

1. latency: NEXT at ``--rate`` calls/s in total for ``--seconds`` s; for every call, the time
   from sending the press to the ``call`` event arriving at each display (p50/p95/p99) and at
   the last display; every client runs on this machine, so all share one clock;
2. throughput: ``--concurrency`` presses in flight per client process, each as soon as the last
   one answered, for ``--flat-seconds`` s; answered calls per second (and the latency under
   that load).

It also reports the CPU per call of the hubs, PostgreSQL, Redis and the clients themselves.

    python bench/scale_compare.py [--counters 100] [--displays 50] [--rate 20] [--seconds 20]
                                  [--flat-seconds 15] [--scenarios A,B] [--json PATH]

Everything (servers, hubs, client processes, the temporary folder) is stopped and removed at
the end, also on Ctrl-C or an error. The hubs, the databases and the clients share this
machine's cores: on a 2-core box, B's three processes compete with PostgreSQL, Redis and the
clients for the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hub_load import PREFIXES, display_worker, free_port, hall_toml, pct  # noqa: E402

from tests.support.hall import LiveHub  # noqa: E402
from tests.support.services import PostgresServer, RedisServer, postgres_bin  # noqa: E402

HUB_ARGS = ["--no-devices", "--log-level", "warning"]
Press = tuple[str | None, int, float, float]  # (ticket called, HTTP status, sent, answered)


# ------------------------------------------------------------------ client processes


def press_worker(hub_urls: list[str], token: str, counters: int, mode: str, rate: float,
                 seconds: float, concurrency: int, index: int, workers: int, ready: Any,
                 start: Any, out: Any) -> None:
    """Press NEXT from one client process; puts a list of ``Press`` on ``out``.

    ``mode == "rate"``: this worker's share (every ``workers``-th press) of ``rate`` presses a
    second in total, round the counters. ``mode == "flat"``: ``concurrency`` closed loops, each
    owning its own counters, pressing again as soon as the last press answered. Starts at the
    time the parent puts in ``start`` once every worker has released ``ready``."""

    async def main() -> list[Press]:
        results: list[Press] = []
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         headers=headers) as session:

            async def press(counter: int) -> None:
                hub = hub_urls[counter % len(hub_urls)]
                t0 = time.time()
                try:
                    async with session.post(f"{hub}/api/counters/{counter}/next") as response:
                        body = await response.json(content_type=None)
                        status = response.status
                except (TimeoutError, aiohttp.ClientError, ValueError):
                    body, status = {}, 0
                called = body.get("called") if status == 200 else None
                results.append((called, status, t0, time.time()))

            ready.release()
            start_at = await asyncio.to_thread(start.get)
            await asyncio.sleep(max(0.0, start_at - time.time()))
            if mode == "rate":
                tasks = []
                for j in range(index, int(rate * seconds), workers):
                    await asyncio.sleep(max(0.0, start_at + j / rate - time.time()))
                    tasks.append(asyncio.create_task(press(j % counters + 1)))
                await asyncio.gather(*tasks)
            else:
                end = start_at + seconds
                slots = workers * concurrency

                async def loop(slot: int) -> None:
                    mine = [c for c in range(1, counters + 1) if (c - 1) % slots == slot]
                    n = 0
                    while mine and time.time() < end:
                        await press(mine[n % len(mine)])
                        n += 1

                await asyncio.gather(*(loop(index * concurrency + k)
                                       for k in range(concurrency)))
        return results

    with suppress(KeyboardInterrupt):
        out.put(asyncio.run(main()))


def quiet_display_worker(url: str, count: int, ready: Any, done: Any, out: Any) -> None:
    with suppress(KeyboardInterrupt):
        display_worker(url, count, ready, done, out)


# ------------------------------------------------------------------ measuring


@dataclass
class CpuGroups:
    """CPU seconds used by groups of processes (a group's children included)."""

    groups: dict[str, list[int]]
    with_children: set[str] = field(default_factory=set)

    def sample(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for name, pids in self.groups.items():
            total = 0.0
            for pid in pids:
                try:
                    proc = psutil.Process(pid)
                    procs = [proc] + (proc.children(recursive=True)
                                      if name in self.with_children else [])
                    for p in procs:
                        try:
                            times = p.cpu_times()
                            total += times.user + times.system
                            if p is proc and name in self.with_children:
                                # children that have exited and been waited for
                                total += times.children_user + times.children_system
                        except psutil.Error:
                            pass
                except psutil.Error:
                    pass
            totals[name] = total
        return totals


def latency_figures(presses: list[Press], arrivals: dict[str, list[float]],
                    displays: int) -> dict[str, Any]:
    every: list[float] = []
    last: list[float] = []
    missing = 0
    answered = [p for p in presses if p[1] == 200 and p[0]]
    for ticket, _status, t0, _t1 in answered:
        times = arrivals.get(str(ticket), [])
        missing += displays - len(times)
        every += [(t - t0) * 1000 for t in times]
        if times:
            last.append((max(times) - t0) * 1000)
    http = [(t1 - t0) * 1000 for _, status, t0, t1 in presses if status == 200]
    return {
        "calls": len(answered),
        "errors": sum(1 for p in presses if p[1] != 200),
        "every_p50": pct(every, 50), "every_p95": pct(every, 95), "every_p99": pct(every, 99),
        "every_max": max(every, default=float("nan")),
        "last_p50": pct(last, 50), "last_p99": pct(last, 99),
        "http_p50": pct(http, 50), "http_p99": pct(http, 99),
        "missing": missing, "expected": len(answered) * displays,
    }


# ------------------------------------------------------------------ one scenario


@contextmanager
def backing_services(workdir: Path, durable: bool) -> Iterator[tuple[str, str, dict[str, int]]]:
    """PostgreSQL and Redis on loopback: (database URL, Redis URL, pids), stopped afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None or shutil.which("redis-server") is None:
        raise SystemExit("scenario B needs PostgreSQL and redis-server (apt-get install "
                         "postgresql redis-server)")
    base = workdir / "pg"
    pg = PostgresServer(bin_dir, base, durable=durable)
    redis_server = RedisServer(workdir / "redis")
    try:
        pg.start()
        redis_server.start()
        postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
        assert redis_server.process is not None
        pids = {"postgres": postmaster, "redis": redis_server.process.pid}
        yield pg.url(pg.create_database("bench")), redis_server.url, pids
    finally:
        redis_server.stop()
        pg.stop()


def issue_tickets(hub_urls: list[str], token: str, count: int) -> float:
    """Issue ``count`` tickets through the hubs (8 threads); returns tickets per second."""
    def issue(batch: range) -> int:
        done = 0
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for n in batch:
                body = {"service": PREFIXES[n % len(PREFIXES)]}
                response = session.post(f"{hub_urls[n % len(hub_urls)]}/api/tickets", json=body,
                                        timeout=30)
                done += response.status_code == 201
        return done

    threads = 8
    started = time.time()
    with ThreadPoolExecutor(threads) as pool:
        issued = sum(pool.map(issue, (range(i, count, threads) for i in range(threads))))
    if issued != count:
        raise RuntimeError(f"only {issued} of {count} tickets issued")
    return count / (time.time() - started)


def run_presses(ctx: Any, hub_urls: list[str], token: str, args: argparse.Namespace,
                mode: str, seconds: float, procs: list[Any],
                cpu: CpuGroups) -> tuple[list[Press], dict[str, float], float]:
    """Run one phase; returns the presses, the CPU seconds each group used from the first
    press to the last answer, and that wall time."""
    out, start, ready = ctx.Queue(), ctx.Queue(), ctx.Semaphore(0)
    workers = [ctx.Process(target=press_worker, args=(
        hub_urls, token, args.counters, mode, args.rate, seconds, args.concurrency, i,
        args.press_processes, ready, start, out)) for i in range(args.press_processes)]
    procs += workers
    for w in workers:
        w.start()
    for _ in workers:  # spawning imports everything again: wait until every one is up
        if not ready.acquire(timeout=120):
            raise RuntimeError("press clients did not start")
    start_at = time.time() + 0.5
    for _ in workers:
        start.put(start_at)
    time.sleep(max(0.0, start_at - time.time()))
    before = cpu.sample()
    presses: list[Press] = []
    for _ in workers:
        presses += out.get(timeout=seconds + 120)
    wall = time.time() - start_at
    for w in workers:
        w.join(30)
    after = cpu.sample()  # joined workers count in this process's children's times
    used = {k: after[k] - before[k] for k in after}
    return presses, used, wall


def write_hall_config(folder: Path, args: argparse.Namespace, storage: str,
                      queue: str) -> Path:
    """Write the scenario's ``loket.toml`` in a new ``folder``: the bench hall, with the Redis
    message queue and the PostgreSQL storage URL when given; returns its path."""
    folder.mkdir()
    config = hall_toml(args.counters, args.queue_interval)
    if queue:
        config += f'message_queue = "{queue}"\n'  # hall_toml ends inside [realtime]
    if storage:
        config += f'\n[storage]\nurl = "{storage}"\n'
    config_path = folder / "loket.toml"
    config_path.write_text(config, encoding="utf-8")
    return config_path


def start_hubs(config_path: Path, processes: int, hubs: list[LiveHub]) -> None:
    """Start ``processes`` hub processes on ``config_path``, each answering ``/healthz`` before
    the next starts; every one is appended to ``hubs`` as it starts, so the caller can stop
    those already running if a later one fails."""
    for _ in range(processes):
        hubs.append(LiveHub(config_path, free_port(), HUB_ARGS))
        hubs[-1].start(timeout=60)


def scenario_label(name: str, processes: int, storage: str) -> str:
    """The scenario's title, e.g. ``B: 3 processes, PostgreSQL + Redis``."""
    return f"{name}: {processes} process{'es' if processes > 1 else ''}, " + (
        "PostgreSQL + Redis" if storage else "SQLite")


def start_displays(ctx: Any, urls: list[str], args: argparse.Namespace, done: Any,
                   procs: list[Any]) -> tuple[list[Any], Any]:
    """Start the display client processes (``--displays`` clients over
    ``--display-processes`` processes, spread evenly over the hubs) and wait until all are
    connected. Returns the processes (also appended to ``procs``) and the queue on which each
    puts its ``(ticket, arrival time)`` list once ``done`` is set."""
    ready = ctx.Semaphore(0)
    arrivals_q = ctx.Queue()
    per = [args.displays // args.display_processes] * args.display_processes
    for i in range(args.displays - sum(per)):
        per[i] += 1
    display_procs = [ctx.Process(target=quiet_display_worker,
                                 args=(urls[i % len(urls)], count, ready, done, arrivals_q))
                     for i, count in enumerate(per) if count]
    procs += display_procs
    for p in display_procs:
        p.start()
    for _ in display_procs:
        if not ready.acquire(timeout=120):
            raise RuntimeError("display clients did not connect")
    spread = [sum(c for i, c in enumerate(per) if i % len(urls) == h)
              for h in range(len(urls))]
    print(f"  {args.displays} displays connected ({' + '.join(map(str, spread))} per "
          f"process)", flush=True)
    return display_procs, arrivals_q


def cpu_groups(hubs: list[LiveHub], service_pids: dict[str, int] | None) -> CpuGroups:
    """The CPU groups to measure: the hubs, the clients (this process and its children) and
    the backing services (PostgreSQL with its children, Redis) when there are any."""
    groups = {"hubs": [h.process.pid for h in hubs if h.process], "clients": [os.getpid()]}
    with_children = {"clients", "postgres"}
    for key, pid in (service_pids or {}).items():
        groups[key] = [pid]
    return CpuGroups(groups, with_children)


def measure_idle(cpu: CpuGroups, seconds: float) -> dict[str, float]:
    """Each group's share of a core over ``seconds`` with every display connected and nobody
    pressing."""
    before, wall0 = cpu.sample(), time.time()
    time.sleep(seconds)
    idle = {k: (v - before[k]) / (time.time() - wall0) for k, v in cpu.sample().items()}
    print(f"  idle: hubs {idle['hubs'] * 100:.1f}% of a core", flush=True)
    return idle


def calls_per_second(presses: list[Press], mode: str, seconds: float) -> float:
    """Answered calls per second; flat out, only those answered within ``seconds`` of the
    first press."""
    answered = [p for p in presses if p[1] == 200]
    if mode != "flat":
        return len(answered) / seconds
    end = min(p[2] for p in presses) + seconds if presses else 0.0
    return len([p for p in answered if p[3] <= end]) / seconds


def run_phase(ctx: Any, urls: list[str], token: str, args: argparse.Namespace, mode: str,
              seconds: float, procs: list[Any], cpu: CpuGroups) -> dict[str, Any]:
    """Run one phase (``rate`` or ``flat``), print its summary and return its presses, calls
    per second, CPU seconds per group, wall time and load average."""
    presses, used, wall = run_presses(ctx, urls, token, args, mode, seconds, procs, cpu)
    # The clients' own CPU minus the hubs' (children of this process too).
    used["clients"] -= used["hubs"]
    for key in ("postgres", "redis"):
        used["clients"] -= used.get(key, 0.0)
    answered = [p for p in presses if p[1] == 200]
    rate = calls_per_second(presses, mode, seconds)
    refused = [p for p in presses if p[1] != 200]
    if refused:
        statuses = sorted({p[1] for p in refused})
        print(f"  {mode}: {len(refused)} presses not answered 200 (status {statuses})"
              + ("; tickets ran out, raise --flat-cap" if 409 in statuses else ""))
    phase = {"presses": presses, "calls_per_s": rate,
             "cpu_s": used, "wall_s": wall, "load1": os.getloadavg()[0]}
    print(f"  {mode}: {len(answered)} calls, {rate:.1f} calls/s; CPU "
          + ", ".join(f"{k} {v / wall * 100:.0f}%" for k, v in used.items())
          + f" of a core; load {os.getloadavg()[0]:.1f}", flush=True)
    time.sleep(3.0)  # let the last events arrive before the next phase
    return phase


def collect_arrivals(display_procs: list[Any], arrivals_q: Any) -> dict[str, list[float]]:
    """Every display process's arrivals, by ticket; waits for the processes to end."""
    arrivals: dict[str, list[float]] = {}
    for _ in display_procs:
        for ticket, at in arrivals_q.get(timeout=120):
            arrivals.setdefault(ticket, []).append(at)
    for p in display_procs:
        p.join(30)
    return arrivals


def phase_figures(phase: dict[str, Any], arrivals: dict[str, list[float]],
                  displays: int) -> dict[str, Any]:
    """A phase's figures for the report: latencies, calls per second, load, and CPU per call
    and share of a core per group."""
    figures = latency_figures(phase["presses"], arrivals, displays)
    calls = max(1, figures["calls"])
    figures.update(calls_per_s=phase["calls_per_s"], load1=phase["load1"],
                   cpu_ms_per_call={k: v / calls * 1000 for k, v in phase["cpu_s"].items()},
                   cpu_share={k: v / phase["wall_s"] for k, v in phase["cpu_s"].items()})
    return figures


def stop_everything(done: Any, procs: list[Any], hubs: list[LiveHub]) -> None:
    """Tell the display clients to finish, then stop every client process and every hub."""
    done.set()
    for p in procs:
        p.join(5)
        if p.is_alive():
            p.terminate()
            p.join(5)
    for hub in hubs:
        hub.stop()


def run_scenario(name: str, processes: int, workdir: Path, args: argparse.Namespace,
                 storage: str = "", queue: str = "",
                 service_pids: dict[str, int] | None = None) -> dict[str, Any]:
    """Run scenario ``name`` on ``processes`` hubs (SQLite, or ``storage`` and the Redis
    ``queue`` when given): tickets, displays, idle CPU, the latency and flat-out phases.
    Returns its figures; stops everything it started."""
    config_path = write_hall_config(workdir / name, args, storage, queue)
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Event()
    hubs: list[LiveHub] = []
    procs: list[Any] = []
    try:
        start_hubs(config_path, processes, hubs)
        urls = [h.url for h in hubs]
        token = hubs[0].token("device", "bench")
        label = scenario_label(name, processes, storage)
        print(f"\n== {label} (pids {', '.join(str(h.process.pid) for h in hubs if h.process)})",
              flush=True)

        tickets = int(args.rate * args.seconds) + int(args.flat_cap * args.flat_seconds)
        issue_rate = issue_tickets(urls, token, tickets)
        print(f"  {tickets} tickets issued in advance ({issue_rate:.0f}/s, 8 threads)", flush=True)

        display_procs, arrivals_q = start_displays(ctx, urls, args, done, procs)
        time.sleep(1.0)
        cpu = cpu_groups(hubs, service_pids)
        idle = measure_idle(cpu, args.idle_seconds)
        phases: dict[str, dict[str, Any]] = {}
        for mode, seconds in (("rate", args.seconds), ("flat", args.flat_seconds)):
            phases[mode] = run_phase(ctx, urls, token, args, mode, seconds, procs, cpu)

        done.set()
        arrivals = collect_arrivals(display_procs, arrivals_q)
        result: dict[str, Any] = {"scenario": name, "label": label, "processes": processes,
                                  "displays": args.displays, "counters": args.counters,
                                  "tickets_issued_per_s": issue_rate,
                                  "idle_cpu_share": idle}
        for mode, phase in phases.items():
            result[mode] = phase_figures(phase, arrivals, args.displays)
        return result
    finally:
        stop_everything(done, procs, hubs)


# ------------------------------------------------------------------ report


def fmt(value: float, digits: int = 1) -> str:
    return "—" if value != value else f"{value:.{digits}f}"


def print_table(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    rows: list[tuple[str, list[str]]] = []

    def add(title: str, values: list[float], digits: int = 1, ratio: bool = True) -> None:
        cells = [fmt(v, digits) for v in values]
        if len(values) == 2:
            cells.append(fmt(values[1] / values[0], 2) if ratio and values[0] else "")
        rows.append((title, cells))

    add("sustained calls/s (flat out)", [r["flat"]["calls_per_s"] for r in results])
    for key, title in (("every_p50", "p50"), ("every_p95", "p95"), ("every_p99", "p99")):
        add(f"press → display {title} at {args.rate:g}/s (ms)", [r["rate"][key] for r in results])
    add("press → last display p99 (ms)", [r["rate"]["last_p99"] for r in results])
    add(f"NEXT answer p50 at {args.rate:g}/s (ms)", [r["rate"]["http_p50"] for r in results])
    add(f"NEXT answer p99 at {args.rate:g}/s (ms)", [r["rate"]["http_p99"] for r in results])
    add("press → display p50 flat out (ms)", [r["flat"]["every_p50"] for r in results])
    add("press → display p99 flat out (ms)", [r["flat"]["every_p99"] for r in results])
    for group in ("hubs", "postgres", "redis", "clients"):
        values = [r["flat"]["cpu_ms_per_call"].get(group, float("nan")) for r in results]
        add(f"CPU per call flat out: {group} (ms)", values, ratio=group == "hubs")
    add("hub CPU idle, displays connected (% of a core)",
        [r["idle_cpu_share"]["hubs"] * 100 for r in results])
    add("events missing (both phases)",
        [r["rate"]["missing"] + r["flat"]["missing"] for r in results], 0, ratio=False)
    headers = [r["label"] for r in results] + (["B/A"] if len(results) == 2 else [])
    width = max(len(t) for t, _ in rows)
    print(f"\n{args.counters} counters, {args.displays} displays, "
          f"{args.press_processes} press processes; machine: {os.cpu_count()} cores")
    print(" " * width + " | " + " | ".join(f"{h:>28}" for h in headers))
    for title, cells in rows:
        print(f"{title:<{width}} | " + " | ".join(f"{c:>28}" for c in cells))


def interrupt(_signum: int, _frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so the finally blocks stop everything."""
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counters", type=int, default=100)
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0,
                        help="calls per second in total during the latency phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency phase")
    parser.add_argument("--flat-seconds", type=float, default=15.0,
                        help="length of the flat-out phase")
    parser.add_argument("--flat-cap", type=float, default=120.0,
                        help="calls/s the flat-out phase may reach (tickets issued in advance)")
    parser.add_argument("--idle-seconds", type=float, default=5.0,
                        help="CPU of idle hubs with the displays connected, before the phases")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="presses in flight per press process in the flat-out phase")
    parser.add_argument("--press-processes", type=int, default=2)
    parser.add_argument("--display-processes", type=int, default=3)
    parser.add_argument("--processes", type=int, default=3, help="hub processes in scenario B")
    parser.add_argument("--queue-interval", type=float, default=None,
                        help="[realtime] queue_event_interval_s (default: the hall default)")
    parser.add_argument("--pg-fast", action="store_true",
                        help="PostgreSQL without fsync/synchronous commit (the tests' settings)")
    parser.add_argument("--scenarios", default="A,B", help="A, B or A,B")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (- for "
                        "standard output)")
    args = parser.parse_args()
    if (args.rate * args.seconds + args.flat_cap * args.flat_seconds) / len(PREFIXES) > 990:
        parser.error("that needs more than 999 tickets a service: shorten the phases")

    signal.signal(signal.SIGTERM, interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="loket-scale-"))
    os.chmod(workdir, 0o755)  # PostgreSQL runs as its own user under root
    results: list[dict[str, Any]] = []
    try:
        wanted = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()]
        if "A" in wanted:
            results.append(run_scenario("A", 1, workdir, args))
        if "B" in wanted:
            with backing_services(workdir, durable=not args.pg_fast) as (db_url, queue, pids):
                results.append(run_scenario("B", args.processes, workdir, args, db_url, queue,
                                            pids))
        print_table(results, args)
        print(f"load average at the end {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        if args.json:
            text = json.dumps({"date": time.strftime("%Y-%m-%d %H:%M %Z"),
                               "cores": os.cpu_count(), "args": vars(args),
                               "results": results}, indent=2, default=str)
            if args.json == "-":
                print(text)
            else:
                Path(args.json).write_text(text + "\n", encoding="utf-8")
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
