"""What the city link costs a hall, and how fast a hall catches up after an outage.

1. **Trigger overhead.** The same day of work (issue, call, finish) on the hub with forwarding
   off and on: with it on, each ticket write also inserts an outbox entry. Printed as
   operations per second and the ratio.
2. **Catch-up.** The day's changes pile up while the city is unreachable, then
   :meth:`Forwarder.drain` sends them. Printed as the time taken, entries per second, and
   the p50/p99 of a round (one batch).

The hall runs on a temporary SQLite file through :class:`loket.server.hub.Hub`. The city is a
throwaway PostgreSQL started on a loopback port (Debian's server binaries; the tests start it
the same way), or SQLite with ``--city sqlite``.

Run: ``python bench/city_forward.py [--tickets 3000] [--batch 500] [--city postgresql|sqlite]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.server.city.forward import Forwarder  # noqa: E402
from loket.server.config import parse_config  # noqa: E402
from loket.server.db import Database  # noqa: E402
from loket.server.errors import HubError  # noqa: E402
from loket.server.hub import Hub  # noqa: E402

HALL = """
[hall]
name = "MPP Bench"

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

{counters}

[city]
url = "{city}"
batch_size = {batch}
"""


def hall_config(folder: Path, city_url: str, batch: int) -> Any:
    counters = "\n".join(
        f'[[counters]]\nid = "{n}"\nname = "Loket {n}"\nservices = ["{"AB"[n % 2]}"]\n'
        for n in range(1, 21))
    text = HALL.format(counters=counters, city=city_url, batch=batch)
    import tomllib

    return parse_config(tomllib.loads(text), "<bench>", folder / "loket.toml")


def work_day(hub: Hub, tickets: int) -> float:
    """Issue ``tickets``, then call and finish each; returns operations per second."""
    started = time.perf_counter()
    for n in range(tickets):
        hub.issue_ticket("AB"[n % 2])
    operations = tickets
    counters = list(hub.counters)
    done = 0
    while done < tickets:
        for counter in counters:
            try:
                hub.counter_action(counter, "next")
                hub.counter_action(counter, "done")
                operations += 2
                done += 1
            except HubError as exc:
                if exc.code != "empty":
                    raise
                continue  # nothing waits for this counter any more
    return operations / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1500, help="tickets in the day")
    parser.add_argument("--batch", type=int, default=500, help="[city] batch_size")
    parser.add_argument("--repeats", type=int, default=3, help="alternating off/on runs")
    parser.add_argument("--city", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args()
    if args.tickets > 9999 * 2:
        parser.error("at most 19998 tickets (two services of 9999)")

    work = Path(tempfile.mkdtemp(prefix="loket-city-bench-"))
    pg = None
    try:
        if args.city == "postgresql":
            import os

            from tests.support.services import PostgresServer, postgres_bin

            bin_dir = postgres_bin()
            if bin_dir is None:
                sys.exit("PostgreSQL server binaries are missing (apt-get install postgresql), "
                         "or use --city sqlite")
            os.chmod(work, 0o755)
            pg = PostgresServer(bin_dir, work / "pg").start()
            city_url = pg.url(pg.create_database("city"))
        else:
            city_url = f"sqlite:///{work / 'city.db'}"

        # Off and on alternate, several times, so a busy machine hurts both alike.
        rates: dict[str, list[float]] = {"off": [], "on": []}
        for repeat in range(args.repeats):
            for label in ("off", "on"):
                folder = work / f"hall-{label}-{repeat}"
                folder.mkdir()
                config = hall_config(folder, city_url, args.batch)
                db = Database(f"sqlite:///{folder / 'loket.db'}")
                db.upgrade()
                hub = Hub(config, db)
                hub.start()
                central = Database(city_url, connect_timeout_s=5, pool_size=1)
                forwarder = Forwarder(config, db, central)
                if label == "on":
                    forwarder.enable()  # the city is "down": nothing is sent during the day
                rates[label].append(work_day(hub, args.tickets))
                if label == "on" and repeat == 0:
                    forwarder.prepare_city()  # the schema exists before the outage ends
                    backlog = forwarder.backlog()
                    rounds: list[float] = []
                    started = time.perf_counter()
                    while True:
                        t0 = time.perf_counter()
                        sent = forwarder.run_once()
                        rounds.append(time.perf_counter() - t0)
                        if sent < args.batch:
                            break
                    elapsed = time.perf_counter() - started
                    assert forwarder.backlog() == 0
                    quantiles = (statistics.quantiles(rounds, n=100) if len(rounds) > 1
                                 else rounds * 99)
                central.dispose()
                db.dispose()
        off, on = statistics.median(rates["off"]), statistics.median(rates["on"])

        print(f"city link, {args.tickets} tickets (issue + call + done each), hall on SQLite, "
              f"city on {args.city}")
        print(f"  hub operations/s, forwarding off: {off:8.0f}  (median of {args.repeats})")
        print(f"  hub operations/s, forwarding on:  {on:8.0f}  (ratio on/off {on / off:.2f})")
        print(f"  catch-up after a day offline: {backlog} outbox entries in {elapsed:.2f} s "
              f"= {backlog / elapsed:.0f} entries/s over {len(rounds)} rounds")
        print(f"  one round of {args.batch}: p50 {quantiles[49] * 1000:.0f} ms, "
              f"p99 {quantiles[98] * 1000:.0f} ms")
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
