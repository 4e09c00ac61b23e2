"""Online booking beside walk-ins: how long do booked citizens wait after their slot starts,
and what does booking cost the walk-ins? Replays an MPP day through the real queue rules
(:func:`loket.server.queue_rules.choose_next`) with a simulated clock, once per
``[queue] booked_policy`` and once with everyone as a walk-in.

The day is the one of ``bench/estimate_day.py`` on the demo hall (7 services, 12 counters,
``server/demo_hall.toml``, priority tickets interleaved every 3rd call): about 600 citizens
arriving 07:30-15:00 with a peak at 09-10, log-normal service times, 5 % not answering their
call, three counters opening late, lunch and afternoon breaks. Then:

* 30 % of the citizens book instead: the 30-minute slot (08:00-14:30) that holds the time they
  would have come, or the next one with room. A slot takes half of what the service's
  counters can serve in 30 minutes; a citizen who finds no room that day comes as a walk-in.
* A booked citizen arrives around the slot (check-in window: 30 min before to 15 min after its
  start; most come 5-15 min early); 10 % never come (no-show bookings, left out of the
  walk-in-only day too, so both days serve the same citizens).
* The check-in issues a booked ticket queued at :func:`queue_rules.booked_queued_at`.

No database and no hub: the officers' NEXT is ``choose_next`` over the waiting tickets, with
per-counter ``calls_since_priority``/``calls_since_booked`` kept as the counters table keeps
them. Run: ``python bench/booking_day.py [--seed N] [--load F] [--booked 0.3]``.
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import random
import statistics
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.server import queue_rules  # noqa: E402
from loket.server.config import load_config  # noqa: E402

ARRIVALS_PER_HOUR = {  # as bench/estimate_day.py: local hour -> citizens per hour
    7: 50, 8: 95, 9: 125, 10: 105, 11: 75, 12: 40, 13: 60, 14: 40,
}
MIX = {"A": 0.22, "B": 0.10, "C": 0.08, "D": 0.18, "E": 0.22, "F": 0.08, "G": 0.12}
SERVICE_MIN = {"A": 5.0, "B": 7.0, "C": 12.0, "D": 5.0, "E": 4.0, "F": 10.0, "G": 6.0}
SERVICE_CV = 0.55
NO_ANSWER = 0.05
PRIORITY = 0.08
LATE_COUNTERS = {"3": 30, "7": 20, "11": 45}  # minutes after 07:30
LUNCH_FIRST = {"1", "3", "4", "6", "8", "10", "12"}  # 11:30-12:15; the others 12:30-13:15
SLOT_MIN = 30
FIRST_SLOT, LAST_SLOT = 8 * 60, 14 * 60 + 30  # minutes after midnight
BOOKABLE_SHARE = 0.5
"""Share of a slot's serving capacity (counters x 30 min / mean service time) open to booking."""
BOOKING_NO_SHOW = 0.10
POLICIES: tuple[queue_rules.BookedPolicy, ...] = ("slot_time", "first", "every_n")


def hm(hh: int, mm: int) -> float:
    return (hh * 60 + mm) * 60.0


@dataclass
class Citizen:
    id: int
    service: str
    priority: bool
    wants: float
    """When they would come as a walk-in."""
    service_s: float
    answers: bool
    slot: float | None = None
    """Start of the booked slot (booked citizens)."""
    arrives: float | None = None
    """When a booked citizen checks in (None: never comes)."""


@dataclass(order=True)
class Ev:
    at: float
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def make_day(rng: random.Random, counters: dict[str, tuple[str, ...]], booked_share: float,
             load: float) -> tuple[list[Citizen], dict[str, int]]:
    """The day's citizens (booked ones with their slots and arrivals) and the capacity of a
    slot per service."""
    citizens: list[Citizen] = []
    t, end = hm(7, 30), hm(15, 0)
    sigma = math.sqrt(math.log(1 + SERVICE_CV**2))
    while True:
        rate = ARRIVALS_PER_HOUR.get(int(t // 3600), 0) * load / 3600
        t += rng.expovariate(rate) if rate else 60
        if t >= end:
            break
        service = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        mean = SERVICE_MIN[service] * 60
        citizens.append(Citizen(
            len(citizens) + 1, service, rng.random() < PRIORITY, t,
            rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma), rng.random() >= NO_ANSWER,
        ))
    share = {s: sum(1 / len(c) for c in counters.values() if s in c) for s in MIX}
    capacity = {s: max(1, round(share[s] * SLOT_MIN / SERVICE_MIN[s] * BOOKABLE_SHARE))
                for s in MIX}
    taken: dict[tuple[str, float], int] = {}
    slots = [m * 60.0 for m in range(FIRST_SLOT, LAST_SLOT + 1, SLOT_MIN)]
    for citizen in citizens:
        if rng.random() >= booked_share:
            continue
        wanted = max(s for s in slots if s <= max(citizen.wants, slots[0]))
        free = [s for s in slots if s >= wanted and taken.get((citizen.service, s), 0)
                < capacity[citizen.service]]
        if not free:
            continue  # the day is fully booked for this service: they come as walk-ins
        citizen.slot = free[0]
        taken[(citizen.service, citizen.slot)] = taken.get((citizen.service, citizen.slot), 0) + 1
        if rng.random() >= BOOKING_NO_SHOW:
            early = min(30.0, max(-15.0, rng.gauss(9.0, 7.0)))  # minutes before the slot
            citizen.arrives = citizen.slot - early * 60
    return citizens, capacity


class Hall:
    """One replay: counters pressing NEXT on the real queue rules."""

    def __init__(self, citizens: list[Citizen], counters: dict[str, tuple[str, ...]],
                 policy: queue_rules.Policy, booking: bool, rng: random.Random) -> None:
        self.counters, self.policy, self.rng = counters, policy, rng
        self.by_id = {c.id: c for c in citizens}
        self.queue: list[Ev] = []
        self.seq = 0
        self.now = 0.0
        self.waiting: dict[int, queue_rules.Candidate] = {}
        self.called: dict[int, float] = {}
        self.arrived: dict[int, float] = {}
        self.busy = {c: False for c in counters}
        self.away = {c: True for c in counters}
        self.pending = {c: False for c in counters}
        self.since_priority = {c: 0 for c in counters}
        self.since_booked = {c: 0 for c in counters}
        for citizen in citizens:
            if citizen.slot is not None and citizen.arrives is None:
                continue  # a booking no-show: not in either day
            if booking and citizen.slot is not None:
                self.push(citizen.arrives or 0.0, "check_in", id=citizen.id)
            else:
                self.push(citizen.wants, "walk_in", id=citizen.id)
        for counter in counters:
            self.push(hm(7, 30) + LATE_COUNTERS.get(counter, 0) * 60, "open", counter=counter)
            lunch = hm(11, 30) if counter in LUNCH_FIRST else hm(12, 30)
            self.push(lunch + rng.uniform(0, 300), "pause", counter=counter, minutes=45)
            self.push(hm(14, 0) + rng.uniform(0, 3600), "pause", counter=counter, minutes=10)

    def push(self, at: float, kind: str, **data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Ev(at, self.seq, kind, data))

    def run(self) -> None:
        while self.queue:
            ev = heapq.heappop(self.queue)
            self.now = ev.at
            getattr(self, f"on_{ev.kind}")(**ev.data)

    def wake(self, service: str) -> None:
        for counter, services in self.counters.items():
            if service in services and not (self.busy[counter] or self.away[counter]
                                            or self.pending[counter]):
                self.pending[counter] = True
                self.push(self.now + self.rng.uniform(5, 30), "next", counter=counter)

    def on_walk_in(self, id: int) -> None:
        citizen = self.by_id[id]
        self.arrived[id] = self.now
        self.waiting[id] = queue_rules.Candidate(id, citizen.service, citizen.priority, self.now)
        self.wake(citizen.service)

    def on_check_in(self, id: int) -> None:
        citizen = self.by_id[id]
        assert citizen.slot is not None
        self.arrived[id] = self.now
        queued = queue_rules.booked_queued_at(self.policy, self.now, citizen.slot)
        self.waiting[id] = queue_rules.Candidate(id, citizen.service, citizen.priority, queued,
                                                 True, citizen.slot)
        self.wake(citizen.service)

    def on_next(self, counter: str) -> None:
        self.pending[counter] = False
        if self.away[counter] or self.busy[counter]:
            return
        view = queue_rules.CounterView(counter, self.counters[counter],
                                       self.since_priority[counter], self.since_booked[counter])
        chosen = queue_rules.choose_next(view, self.waiting.values(), self.policy, now=self.now)
        if chosen is None:
            return  # idle until someone arrives
        del self.waiting[chosen.ticket_id]
        self.since_priority[counter] = queue_rules.calls_since_priority_after(view, chosen)
        self.since_booked[counter] = queue_rules.calls_since_booked_after(view, chosen)
        self.called[chosen.ticket_id] = self.now
        citizen = self.by_id[chosen.ticket_id]
        self.busy[counter] = True
        self.push(self.now + (citizen.service_s if citizen.answers else 60), "finish",
                  counter=counter)

    def on_finish(self, counter: str) -> None:
        self.busy[counter] = False
        if not self.away[counter]:
            self.pending[counter] = True
            self.push(self.now + self.rng.uniform(10, 40), "next", counter=counter)

    def on_pause(self, counter: str, minutes: float) -> None:
        if self.busy[counter]:
            self.push(self.now + 60, "pause", counter=counter, minutes=minutes)
            return
        self.away[counter] = True
        self.push(self.now + minutes * 60, "open", counter=counter)

    def on_open(self, counter: str) -> None:
        self.away[counter] = False
        self.pending[counter] = True
        self.push(self.now + 5, "next", counter=counter)


def spread(values: list[float]) -> tuple[float, float]:
    """Median and p90 in minutes."""
    ordered = sorted(v / 60 for v in values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def replay(seed: int, load: float, booked_share: float, every: int) -> list[dict[str, Any]]:
    config = load_config(ROOT / "server" / "demo_hall.toml")
    counters = {c.id: tuple(c.services) for c in config.counters}
    base = queue_rules.Policy(
        priority_policy=config.queue.priority_policy,
        priority_every=config.queue.priority_every,
        service_order=config.queue.service_order,
        booked_every=every,
    )
    citizens, capacity = make_day(random.Random(seed), counters, booked_share, load)
    booked = [c for c in citizens if c.slot is not None and c.arrives is not None]
    walk_ins = [c for c in citizens if c.slot is None]
    print(f"seed {seed}, load x{load}: {len(citizens)} citizens; {len(booked)} booked and came "
          f"({sum(c.slot is not None for c in citizens)} booked, "
          f"{sum(c.slot is not None and c.arrives is None for c in citizens)} no-shows), "
          f"{len(walk_ins)} walk-ins; slot capacity {capacity}")

    plain = Hall(citizens, counters, base, booking=False, rng=random.Random(seed + 1))
    plain.run()
    assert not plain.waiting, "everyone is called by the end of the day"
    walk_base = spread([plain.called[c.id] - c.wants for c in walk_ins])
    booked_base = spread([plain.called[c.id] - c.wants for c in booked])
    rows: list[dict[str, Any]] = []
    print(f"  everyone as walk-ins: walk-ins wait median {walk_base[0]:.1f} / p90 "
          f"{walk_base[1]:.1f} min; the citizens who book, as walk-ins: {booked_base[0]:.1f} / "
          f"{booked_base[1]:.1f} min")
    for name in POLICIES:
        policy = replace(base, booked_policy=name)
        hall = Hall(citizens, counters, policy, booking=True, rng=random.Random(seed + 1))
        hall.run()
        assert not hall.waiting, "everyone is called by the end of the day"
        after_slot = [hall.called[c.id] - (c.slot or 0.0) for c in booked]
        in_hall = [hall.called[c.id] - hall.arrived[c.id] for c in booked]
        before_slot = sum(v < 0 for v in after_slot)
        row: dict[str, Any] = {
            "seed": seed, "load": load, "policy": name, "booked": len(booked),
            # called before the slot (nobody else waited) counts as no wait
            "after_slot": spread([max(0.0, v) for v in after_slot]),
            "in_hall": spread(in_hall),
            "before_slot": before_slot,
            "walk_ins": spread([hall.called[c.id] - c.wants for c in walk_ins]),
            "walk_base": walk_base,
        }
        rows.append(row)
        print(f"  {name:9}: booked wait after slot start median {row['after_slot'][0]:.1f} / "
              f"p90 {row['after_slot'][1]:.1f} min (in the hall {row['in_hall'][0]:.1f} / "
              f"{row['in_hall'][1]:.1f}; {before_slot} called before their slot); walk-ins "
              f"{row['walk_ins'][0]:.1f} / {row['walk_ins'][1]:.1f} min (without booking "
              f"{walk_base[0]:.1f} / {walk_base[1]:.1f})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, action="append",
                        help="day to replay (repeatable; default 7 and 3)")
    parser.add_argument("--load", type=float, default=1.0,
                        help="multiply arrivals (1.15: a busy day after a holiday)")
    parser.add_argument("--booked", type=float, default=0.3, help="share of citizens who book")
    parser.add_argument("--every", type=int, default=3, help="booked_every for every_n")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows: list[dict[str, Any]] = []
    for seed in args.seed or [7, 3]:
        rows += replay(seed, args.load, args.booked, args.every)
    print("\n| seed, load | policy | booked (came) | booked: wait after slot start, median / p90 "
          "| booked: called before the slot | booked: time in hall | walk-ins: wait median / p90 "
          "| same walk-ins, nobody booked |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['seed']}, x{r['load']} | `{r['policy']}` | {r['booked']} | "
              f"{r['after_slot'][0]:.1f} / {r['after_slot'][1]:.1f} min | "
              f"{100 * r['before_slot'] / r['booked']:.0f} % | "
              f"{r['in_hall'][0]:.1f} / {r['in_hall'][1]:.1f} min | "
              f"{r['walk_ins'][0]:.1f} / {r['walk_ins'][1]:.1f} min | "
              f"{r['walk_base'][0]:.1f} / {r['walk_base'][1]:.1f} min |")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
