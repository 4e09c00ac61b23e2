"""Open data over a year of a busy hall: how long ``GET /api/open-data/daily`` takes for 30
days and for the longest range (366 days), the first time (computed) and again (complete days
are cached), and the IKM per month for the year.

    python bench/open_data_year.py [--days 300] [--tickets-per-day 3350] [--db PATH]

Tickets are generated as in ``bench/report_year.py`` (its hall: 36 services, 60 counters).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report_year import generate, hall_toml  # noqa: E402

from loket.server.config import load_config  # noqa: E402
from loket.server.db import Database  # noqa: E402
from loket.server.hub import Hub  # noqa: E402
from loket.server.integrations import open_data  # noqa: E402
from loket.server.integrations.open_data_views import HallSource, daily_rows, ikm_rows  # noqa: E402

TZ = ZoneInfo("Asia/Jakarta")
T = TypeVar("T")


def timed(label: str, func: Callable[[], T]) -> T:
    start, cpu = time.perf_counter(), time.process_time()
    result = func()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s wall "
          f"{time.process_time() - cpu:7.2f} s CPU", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--tickets-per-day", type=int, default=3350)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loket-open-data-bench-"))
    try:
        config_path = workdir / "loket.toml"
        config_path.write_text(hall_toml(), encoding="utf-8")
        db_path = args.db or workdir / "loket.db"
        if not db_path.exists():
            n = generate(db_path, config_path, args.days, args.tickets_per_day, 14)
            print(f"generated {n:,} tickets")
        config = load_config(config_path)
        db = Database(f"sqlite:///{db_path}")
        db.upgrade()
        with db.engine.connect() as c:
            last = c.exec_driver_sql("SELECT max(day) FROM tickets").scalar()
        today = date.fromisoformat(str(last)) + timedelta(days=1)
        noon = datetime(today.year, today.month, today.day, 12, tzinfo=TZ).timestamp()
        hub = Hub(config, db, clock=lambda: noon)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for days in (30, 366):
            source = HallSource(hub)
            period = open_data.parse_range((today - timedelta(days=days)).isoformat(),
                                           (today - timedelta(days=1)).isoformat(), today)
            rows = timed(f"daily, {days} days, first request",
                         lambda: daily_rows(source, period))  # noqa: B023
            timed(f"daily, {days} days, again (cached)",
                  lambda: daily_rows(source, period))  # noqa: B023
            timed(f"  as CSV ({len(rows):,} rows)",
                  lambda: open_data.csv_text(rows, open_data.FIELDS))  # noqa: B023
            timed(f"ikm, {days} days, first request",
                  lambda: ikm_rows(source, period))  # noqa: B023
        db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
