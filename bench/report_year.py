"""Report query time over a year of a busy hall (60 counters, about one million tickets).

    python bench/report_year.py [--tickets-per-day 3300] [--days 300] [--db PATH] [--keep]

Generates the tickets straight into a SQLite file migrated by Loket itself (so the indexes are
the real ones), bulk-inserted with ``executemany``, then times the supervisor's report
(``loket.server.supervisor.reports.build_report``: every figure of every group, the totals, p90s,
busiest hours, the hourly profile and the IKM) for a month and for the whole year, per
service, agency, counter and officer. Prints the median and the worst of several runs.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loket.server.config import load_config  # noqa: E402
from loket.server.db import Database  # noqa: E402
from loket.server.hub import Hub  # noqa: E402
from loket.server.report_stats import Period  # noqa: E402
from loket.server.supervisor import reports  # noqa: E402

AGENCIES = 12
SERVICES_PER_AGENCY = 3
COUNTERS = 60
TZ = ZoneInfo("Asia/Jakarta")


def hall_toml() -> str:
    """A 60-counter hall: 12 agencies with 3 services each, 5 counters per agency."""
    parts = ['[hall]\nname = "MPP Bench"\ntimezone = "Asia/Jakarta"\n']
    for a in range(AGENCIES):
        parts.append(f'[[agencies]]\nname = "Instansi {a + 1}"\nid = "inst-{a + 1}"\n')
    prefixes = []
    for a in range(AGENCIES):
        for s in range(SERVICES_PER_AGENCY):
            index = a * SERVICES_PER_AGENCY + s
            prefix = chr(ord("A") + index // 26) + chr(ord("A") + index % 26)
            prefixes.append((prefix, a))
            parts.append(f'[[services]]\nprefix = "{prefix}"\nname = "Layanan {prefix}"\n'
                         f'agency = "inst-{a + 1}"\n')
    for c in range(COUNTERS):
        agency = c % AGENCIES
        services = [p for p, a in prefixes if a == agency]
        parts.append(f'[[counters]]\nid = "{c + 1}"\nname = "Loket {c + 1}"\n'
                     f'zone = "lantai-{1 + c // 20}"\nservices = {services!r}\n'.replace("'", '"'))
    parts.append("[audio]\nenabled = false\n")
    return "\n".join(parts)


def generate(db_path: Path, config_path: Path, days: int, per_day: int, seed: int) -> int:
    import sqlite3

    config = load_config(config_path)
    Database(f"sqlite:///{db_path}").upgrade()
    prefixes = [s.prefix for s in config.services]
    counters_for = {p: [c.id for c in config.counters if p in c.services] for p in prefixes}
    weights = [1.0 / (1 + i % 7) for i in range(len(prefixes))]
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    sql = (
        "INSERT INTO tickets (day, issued_service, number, label, service, priority, status, "
        "issued_ts, queued_ts, called_ts, served_ts, finished_ts, counter_id, officer, recalls, "
        "transfers, transferred_from, status_token_hash, kiosk) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    survey_sql = (
        "INSERT INTO survey_responses (ticket_id, ts, day, service, counter_id, officer, u1, u2, "
        "u3, u4, u5, u6, u7, u8, u9, comment, has_comment, handled_note) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    end = date(2026, 11, 27)
    day = end - timedelta(days=int(days * 7 / 6) + 2)
    written = 0
    serial = 0
    while written < days * per_day and day <= end:
        if day.weekday() == 6:  # closed on Sundays
            day += timedelta(days=1)
            continue
        opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ).timestamp()
        numbers = dict.fromkeys(prefixes, 0)
        rows = []
        n_today = int(per_day * rng.uniform(0.8, 1.2))
        for _ in range(n_today):
            prefix = rng.choices(prefixes, weights)[0]
            numbers[prefix] += 1
            serial += 1
            issued = opening + min(abs(rng.gauss(2.2, 1.8)), 7.4) * 3600
            wait = rng.expovariate(1 / 900.0)
            service_s = 120 + rng.expovariate(1 / 420.0)
            roll = rng.random()
            status = "done" if roll < 0.9 else "no_show"
            counter = rng.choice(counters_for[prefix])
            transfers = 1 if rng.random() < 0.03 else 0
            called = issued + wait
            rows.append((
                day.isoformat(), prefix, numbers[prefix], f"{prefix}-{numbers[prefix]:03d}",
                prefix, rng.random() < 0.08, status, issued, issued, called, called,
                called + (service_s if status == "done" else 300), counter,
                f"petugas-{counter}", 0, transfers,
                f"{prefix} @ Loket {counter}" if transfers else None, f"{serial:064x}", "k1",
            ))
        conn.executemany(sql, rows)
        first_id = conn.execute("SELECT max(id) FROM tickets").fetchone()[0] - len(rows) + 1
        answers = []
        for i, row in enumerate(rows):
            if row[6] == "done" and rng.random() < 0.1:
                scores = [min(4, max(1, round(rng.gauss(3.2, 0.6)))) for _ in range(9)]
                answers.append((first_id + i, row[11] + 60, row[0], row[4], row[12], row[13],
                                *scores, "", 0, ""))
        conn.executemany(survey_sql, answers)
        conn.commit()
        written += len(rows)
        day += timedelta(days=1)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return written


def timed(func: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run. SQLite runs inside this process, so the CPU
    time is what the query costs when the machine is not shared; the wall time includes
    waiting for the cores when other work runs."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--tickets-per-day", type=int, default=3350)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this file")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--month-only", action="store_true", help="skip the year's reports")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="loket-report-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # keeps --db (outside it) for a rerun


def run(args: argparse.Namespace, workdir: Path) -> None:
    config_path = workdir / "loket.toml"
    config_path.write_text(hall_toml(), encoding="utf-8")
    db_path = args.db or workdir / "loket.db"
    if not db_path.exists():
        start = time.perf_counter()
        n = generate(db_path, config_path, args.days, args.tickets_per_day, args.seed)
        print(f"generated {n:,} tickets in {time.perf_counter() - start:.1f} s "
              f"({db_path.stat().st_size / 1e6:.0f} MB)")
    config = load_config(config_path)
    db = Database(f"sqlite:///{db_path}")
    db.upgrade()
    hub = Hub(config, db)
    with db.engine.connect() as c:
        first, last, total = c.exec_driver_sql(
            "SELECT min(day), max(day), count(*) FROM tickets").one()
    last_day = date.fromisoformat(last)
    month = Period(last_day - timedelta(days=29), last_day)
    year = Period(date.fromisoformat(first), last_day)
    print(f"tickets {total:,} from {first} to {last}; 60 counters, "
          f"{len(config.services)} services, {AGENCIES} agencies; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    periods = [("month (30 days)", month)] + ([] if args.month_only else [("year", year)])
    for label, period in periods:
        with db.engine.connect() as c:
            n = int(c.exec_driver_sql(
                "SELECT count(*) FROM tickets WHERE day BETWEEN ? AND ?",
                (period.first.isoformat(), period.last.isoformat())).scalar() or 0)
        for dimension in ("service", "agency", "counter", "officer"):
            runs = args.runs if label.startswith("month") else max(2, args.runs // 2)
            walls, cpus = timed(functools.partial(reports.build_report, hub, period, dimension),
                                runs)
            print(f"{label:16s} {n:>9,} tickets  by {dimension:8s} "
                  f"wall median {statistics.median(walls) * 1000:6.0f} ms "
                  f"max {max(walls) * 1000:6.0f} ms · "
                  f"CPU median {statistics.median(cpus) * 1000:6.0f} ms  ({runs} runs)")
    report = reports.build_report(hub, month, "service")
    total_row = report["total"]
    print(f"month check: issued {total_row['issued']:,}, served {total_row['served']:,}, "
          f"p90 wait {total_row['p90_wait_s'] / 60:.1f} min, IKM {total_row['ikm']['ikm']} "
          f"({total_row['ikm']['respondents']:,} respondents)")
    if not math.isfinite(total_row["p90_wait_s"]):
        raise SystemExit("bad p90")


if __name__ == "__main__":
    main()
