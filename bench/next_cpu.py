"""CPU time of a NEXT in-process, with a waiting line of a given length.

A hub (no Socket.IO server: its events go nowhere) on the bench's hall (bench/hub_load.py: 100
counters serving all eight services) and a fresh SQLite file; ``--waiting`` tickets are issued
(one in ten priority, ``--booked`` of them booked for slots spread over the morning), then the
counters press NEXT in turn, a ticket being issued after each NEXT (not timed) so the line
keeps its length. Prints the process CPU time per NEXT (mean and median of ``--rounds`` rounds
of ``--nexts`` NEXTs), and with ``--profile`` the functions that took the most of it (cProfile,
wall time; ``PROFILE_FILTER=loket/server`` keeps Loket's own).

    python bench/next_cpu.py [--waiting 200 1200] [--nexts 200] [--rounds 5] [--booked 0.1]
                             [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hub_load import PREFIXES, hall_toml  # noqa: E402

from loket.server import queue_rules  # noqa: E402
from loket.server.config import load_config  # noqa: E402
from loket.server.db import Database  # noqa: E402
from loket.server.hub import Hub  # noqa: E402

OPEN = datetime(2026, 11, 25, 1, 0, tzinfo=UTC).timestamp()
"""Wednesday 2026-11-25, 08:00 in Jakarta."""
COUNTERS = 100


class Clock:
    """The hub's clock: one second further at every ticket."""

    def __init__(self) -> None:
        self.now = OPEN

    def __call__(self) -> float:
        return self.now


def issue(hub: Hub, clock: Clock, n: int, booked_share: float) -> None:
    """Issue ticket number ``n`` of the run (its service, priority and booking from ``n``)."""
    clock.now += 1.0
    service = PREFIXES[n % len(PREFIXES)]
    if booked_share and (n * 7919) % 1000 < booked_share * 1000:
        slot = OPEN + 60.0 * (n % 240)
        with hub.write() as w:
            hub.issue_in(w, service, booked=True, slot_ts=slot,
                         queued_ts=queue_rules.booked_queued_at(hub.policy, w.now, slot))
    else:
        hub.issue_ticket(service, priority=n % 10 == 0)


def run(waiting: int, nexts: int, rounds: int, booked: float, profile: bool) -> list[float]:
    """CPU milliseconds per NEXT of each round."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "loket.toml"
        path.write_text(hall_toml(COUNTERS), encoding="utf-8")
        db = Database(f"sqlite:///{Path(tmp) / 'hub.db'}")
        db.upgrade()
        clock = Clock()
        hub = Hub(load_config(path), db, clock=clock)
        hub.start()
        issued = 0
        for _ in range(waiting):
            issue(hub, clock, issued, booked)
            issued += 1
        per_round: list[float] = []
        profiler = cProfile.Profile() if profile else None
        presses = 0
        for _ in range(rounds):
            spent = 0.0
            for _ in range(nexts):
                counter = str(presses % COUNTERS + 1)
                presses += 1
                if profiler is not None:
                    profiler.enable()
                start = time.process_time()
                hub.counter_action(counter, "next")
                spent += time.process_time() - start
                if profiler is not None:
                    profiler.disable()
                issue(hub, clock, issued, booked)
                issued += 1
            per_round.append(spent / nexts * 1000)
        db.dispose()
        if profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 40)
            print(out.getvalue())
        return per_round


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waiting", type=int, nargs="+", default=[200, 1200])
    parser.add_argument("--nexts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--booked", type=float, default=0.0,
                        help="share of the tickets that are booked (0-1)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    for waiting in args.waiting:
        ms = run(waiting, args.nexts, args.rounds, args.booked, args.profile)
        print(f"waiting {waiting:5d}  booked {args.booked:.2f}  CPU per NEXT: mean "
              f"{statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms  "
              f"(rounds: {' '.join(f'{m:.2f}' for m in ms)})  load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
