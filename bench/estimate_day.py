"""How good is the waiting-time estimate a citizen is shown? Replays a realistic MPP day
through the real queue engine and compares what each citizen was told with what happened.

The day (the demo hall's 7 services and 12 counters, ``server/demo_hall.toml``):
* arrivals from 07:30 to 15:00 shaped like an MPP morning: a peak at 09-10, a lull at lunch,
  a smaller bump after it; about 8 % priority tickets;
* service times drawn from a log-normal per service (KTP-el 6 min, passports 12 min ...);
  5 % of citizens do not come when called (the officer skips them after a minute);
* officers press NEXT when they finish, after a short walk-up gap; some counters open late,
  every counter takes a lunch break (two shifts) and one short break in the afternoon.

Everything runs through :class:`loket.server.hub.Hub` on a temporary SQLite database with a fake
clock. Two Mondays are replayed: the first has no history (cold start), the second can use the
first's service times while its own are few. Run: ``python bench/estimate_day.py [--seed N]``.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.server.config import load_config  # noqa: E402
from loket.server.db import Database  # noqa: E402
from loket.server.errors import HubError  # noqa: E402
from loket.server.estimate import rounded_range  # noqa: E402
from loket.server.hub import Hub  # noqa: E402

TZ = ZoneInfo("Asia/Jakarta")
ARRIVALS_PER_HOUR = {  # local hour -> citizens per hour (about 600 a day)
    7: 50, 8: 95, 9: 125, 10: 105, 11: 75, 12: 40, 13: 60, 14: 40,
}
MIX = {"A": 0.22, "B": 0.10, "C": 0.08, "D": 0.18, "E": 0.22, "F": 0.08, "G": 0.12}
SERVICE_MIN = {"A": 5.0, "B": 7.0, "C": 12.0, "D": 5.0, "E": 4.0, "F": 10.0, "G": 6.0}
SERVICE_CV = 0.55
NO_SHOW = 0.05
PRIORITY = 0.08
LATE_COUNTERS = {"3": 30, "7": 20, "11": 45}  # minutes after 07:30
LUNCH_FIRST = {"1", "3", "4", "6", "8", "10", "12"}  # 11:30-12:15; the others 12:30-13:15


@dataclass(order=True)
class Ev:
    at: float
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class Shown:
    service: str
    issued: float
    estimate_s: int
    low_min: int
    high_min: int
    naive_s: float
    priority: bool
    actual_s: float | None = None


class Day:
    def __init__(self, hub: Hub, date: datetime, rng: random.Random,
                 clock: dict[str, float]) -> None:
        self.hub, self.rng, self.clock = hub, rng, clock
        self.start = date.replace(hour=7, minute=30).timestamp()
        self.now = clock["now"] = self.start
        self.queue: list[Ev] = []
        self.seq = 0
        self.shown: dict[str, Shown] = {}
        self.busy: dict[str, bool] = {c: False for c in hub.counters}
        self.away: dict[str, bool] = {c: False for c in hub.counters}
        self.pending_next: dict[str, bool] = {c: False for c in hub.counters}

    def at(self, hh: int, mm: int) -> float:
        return self.start + ((hh * 60 + mm) - (7 * 60 + 30)) * 60

    def push(self, at: float, kind: str, **data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Ev(at, self.seq, kind, data))

    def plan(self) -> None:
        for counter in self.hub.counters:
            late = LATE_COUNTERS.get(counter, 0) * 60
            self.away[counter] = True
            self.push(self.start + late, "open", counter=counter)
            lunch = self.at(11, 30) if counter in LUNCH_FIRST else self.at(12, 30)
            self.push(lunch + self.rng.uniform(0, 300), "break", counter=counter, minutes=45)
            self.push(self.at(14, 0) + self.rng.uniform(0, 3600), "break", counter=counter,
                      minutes=10)
        t = self.start
        end = self.at(15, 0)
        while True:
            hour = datetime.fromtimestamp(t, TZ).hour
            rate = ARRIVALS_PER_HOUR.get(hour, 0) / 3600
            t += self.rng.expovariate(rate) if rate else 60
            if t >= end:
                break
            service = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
            self.push(t, "arrive", service=service, priority=self.rng.random() < PRIORITY)

    def service_time(self, service: str) -> float:
        mean = SERVICE_MIN[service] * 60
        sigma = math.sqrt(math.log(1 + SERVICE_CV**2))
        return self.rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)

    def wake(self, service: str) -> None:
        """Idle officers notice a new ticket on their panel within half a minute."""
        for counter_id, counter in self.hub.counters.items():
            if service in counter.services and not self.busy[counter_id] and \
                    not self.away[counter_id] and not self.pending_next[counter_id]:
                self.pending_next[counter_id] = True
                self.push(self.now + self.rng.uniform(5, 30), "next", counter=counter_id)

    def run(self) -> None:
        self.plan()
        while self.queue:
            ev = heapq.heappop(self.queue)
            self.now = self.clock["now"] = ev.at
            getattr(self, f"on_{ev.kind}")(**ev.data)

    def on_arrive(self, service: str, priority: bool) -> None:
        try:
            ticket = self.hub.issue_ticket(service, priority, kiosk="bench")
        except HubError:
            return
        est = ticket["estimate"]
        counters = est["counters_open"] or 1
        naive = ticket["ahead"] * 300 / max(counters, 1)
        self.shown[ticket["ticket"]] = Shown(service, self.now, ticket["estimated_wait_s"],
                                             est["low_min"], est["high_min"], naive, priority)
        self.wake(service)

    def on_next(self, counter: str) -> None:
        self.pending_next[counter] = False
        if self.away[counter] or self.busy[counter]:
            return
        try:
            result = self.hub.counter_action(counter, "next", actor="bench")
        except HubError:
            return  # nobody waiting: idle until a ticket arrives
        fields: dict[str, Any] = dict(result)
        label, service = fields.get("called"), fields.get("service")
        if label is None or service is None:
            return
        shown = self.shown.get(label)
        if shown is not None and shown.actual_s is None:
            shown.actual_s = self.now - shown.issued
        self.busy[counter] = True
        if self.rng.random() < NO_SHOW:
            self.push(self.now + 60, "finish", counter=counter, action="skip")
        else:
            self.push(self.now + self.service_time(service), "finish",
                      counter=counter, action="done")

    def on_finish(self, counter: str, action: str) -> None:
        self.hub.counter_action(counter, action, actor="bench")
        self.busy[counter] = False
        if not self.away[counter]:
            self.pending_next[counter] = True
            self.push(self.now + self.rng.uniform(10, 40), "next", counter=counter)

    def on_break(self, counter: str, minutes: float) -> None:
        if self.busy[counter]:  # finish the citizen first
            self.push(self.now + 60, "break", counter=counter, minutes=minutes)
            return
        self.hub.counter_action(counter, "break", actor="bench")
        self.away[counter] = True
        self.push(self.now + minutes * 60, "open", counter=counter)

    def on_open(self, counter: str) -> None:
        self.hub.counter_action(counter, "resume", actor="bench")
        self.away[counter] = False
        self.pending_next[counter] = True
        self.push(self.now + 5, "next", counter=counter)


def report(name: str, shown: list[Shown]) -> dict[str, float]:
    served = [s for s in shown if s.actual_s is not None]
    errors = [abs(s.actual_s - s.estimate_s) / 60 for s in served]  # type: ignore[operator]
    inside = [s.low_min * 60 <= s.actual_s <= s.high_min * 60 for s in served]  # type: ignore[operator]
    naive_err = [abs(s.actual_s - s.naive_s) / 60 for s in served]  # type: ignore[operator]
    naive_in = []
    for s in served:
        low, high = rounded_range(int(s.naive_s))
        naive_in.append(low * 60 <= s.actual_s <= high * 60)  # type: ignore[operator]
    waits = sorted(s.actual_s / 60 for s in served)  # type: ignore[operator]
    widths = [s.high_min - s.low_min for s in served]
    out = {
        "tickets": len(served),
        "median_wait": statistics.median(waits),
        "p90_wait": waits[int(len(waits) * 0.9)],
        "mae": statistics.median(errors),
        "inside": 100 * sum(inside) / len(inside),
        "width": statistics.median(widths),
        "naive_mae": statistics.median(naive_err),
        "naive_inside": 100 * sum(naive_in) / len(naive_in),
    }
    print(f"{name}: {out['tickets']} citizens called; real wait median {out['median_wait']:.1f}"
          f" min, p90 {out['p90_wait']:.1f} min")
    print(f"  shown estimate: median absolute error {out['mae']:.1f} min; "
          f"{out['inside']:.1f} % inside the shown range (median width {out['width']:.0f} min)")
    print(f"  naive baseline (ahead x 5 min / counters, +-30 %): median absolute error "
          f"{out['naive_mae']:.1f} min; {out['naive_inside']:.1f} % inside")
    late = sum(s.actual_s > s.high_min * 60 for s in served)  # type: ignore[operator]
    print(f"  outside: {100 * late / len(served):.1f} % waited longer than the range, "
          f"{100 - out['inside'] - 100 * late / len(served):.1f} % were called sooner")
    long = [ok for s, ok in zip(served, inside, strict=True) if s.estimate_s >= 15 * 60]
    long_err = [e for s, e in zip(served, errors, strict=True) if s.estimate_s >= 15 * 60]
    if long:
        out["long_inside"] = 100 * sum(long) / len(long)
        out["long_mae"] = statistics.median(long_err)
        print(f"  told 15 min or more ({len(long)} citizens): median absolute error "
              f"{out['long_mae']:.1f} min; {out['long_inside']:.1f} % inside")
    by_service: dict[str, list[bool]] = {}
    for s, ok in zip(served, inside, strict=True):
        by_service.setdefault(s.service, []).append(ok)
    print("  inside by service: " + ", ".join(
        f"{k} {100 * sum(v) / len(v):.0f} %" for k, v in sorted(by_service.items())))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--load", type=float, default=1.0,
                        help="multiply arrivals (1.2: a busy day after a holiday)")
    args = parser.parse_args()
    for hour in ARRIVALS_PER_HOUR:
        ARRIVALS_PER_HOUR[hour] = round(ARRIVALS_PER_HOUR[hour] * args.load)
    rng = random.Random(args.seed)
    config = load_config(ROOT / "server" / "demo_hall.toml")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.upgrade()
        clock = {"now": 0.0}
        hub = Hub(config, db, clock=lambda: clock["now"])
        hub.start()
        for label, date in (("Monday 1 (no history)", datetime(2026, 11, 9, tzinfo=TZ)),
                            ("Monday 2 (last Monday as history)",
                             datetime(2026, 11, 16, tzinfo=TZ))):
            day = Day(hub, date, rng, clock)
            started = time.perf_counter()
            day.run()
            report(label, list(day.shown.values()))
            print(f"  replayed in {time.perf_counter() - started:.1f} s of real time")
        db.dispose()


if __name__ == "__main__":
    main()
