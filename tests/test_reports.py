"""Report figures in SQL against a hand-computed set of tickets, and the exports."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from loket.server.app import create_app
from loket.server.config import load_config
from loket.server.hub import hash_token
from loket.server.models import Ticket
from loket.server.report_stats import Period, parse_period, percentile_nearest_rank
from loket.server.supervisor import exports, reports
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)

TZ = ZoneInfo("Asia/Jakarta")
DAY = "2026-11-02"


def at(hhmm: str, day: str = DAY) -> float:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=TZ).timestamp()


def add_ticket(hub: Any, n: int, service: str, issued: str, called: str | None = None,
               served: str | None = None, finished: str | None = None, status: str = "done",
               counter: str | None = None, officer: str | None = None,
               issued_service: str | None = None, transferred_from: str | None = None,
               day: str = DAY) -> None:
    with hub.db.session() as s:
        s.add(Ticket(
            day=day, issued_service=issued_service or service, number=n,
            label=f"{issued_service or service}-{n:03d}", service=service, priority=False,
            status=status, issued_ts=at(issued, day), queued_ts=at(issued, day),
            called_ts=at(called, day) if called else None,
            served_ts=at(served, day) if served else None,
            finished_ts=at(finished, day) if finished else None,
            counter_id=counter, officer=officer, recalls=0,
            transfers=1 if transferred_from else 0, transferred_from=transferred_from,
            status_token_hash=hash_token(f"tok{n}-{day}"), kiosk=None,
        ))


def fill_sample(hub: Any) -> Any:
    add_ticket(hub, 1, "A", "08:00", "08:10", "08:10", "08:20", counter="1", officer="budi")
    add_ticket(hub, 2, "A", "08:05", "08:25", "08:26", "08:30", counter="1", officer="budi")
    add_ticket(hub, 3, "A", "08:30", "09:00", "09:00", "09:05", status="no_show", counter="5",
               officer="siti")
    add_ticket(hub, 4, "A", "09:10", status="waiting")
    add_ticket(hub, 5, "B", "08:15", "08:20", "08:20", "08:50", counter="2", officer="andi")
    add_ticket(hub, 6, "B", "08:40", "09:10", "09:15", "09:25", counter="2", officer="andi",
               issued_service="A", transferred_from="A @ Loket 1")
    add_ticket(hub, 7, "C", "10:00", "10:02", "10:02", "10:12", counter="5", officer="siti")
    # Outside the period: the next day.
    add_ticket(hub, 8, "A", "08:00", "08:01", "08:01", "08:02", counter="1", officer="budi",
               day="2026-11-03")
    return hub


@pytest.fixture
def sample(hub: Any) -> Any:
    return fill_sample(hub)


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in report["rows"]}


ONE_DAY = Period(date(2026, 11, 2), date(2026, 11, 2))


def test_per_service_hand_computed(sample: Any) -> None:
    report = reports.build_report(sample, ONE_DAY, "service")
    rows = by_key(report)
    a, b, c = rows["A"], rows["B"], rows["C"]
    # A: issued under A: 1, 2, 3, 4 and 6 (moved to B); ended in A: 1-4.
    assert (a["issued"], a["served"], a["no_show"], a["transferred"]) == (5, 2, 1, 1)
    assert (a["avg_wait_s"], a["p90_wait_s"]) == (1200.0, 1800.0)  # waits 600, 1200, 1800
    assert (a["avg_service_s"], a["p90_service_s"]) == (420.0, 600.0)  # 600, 240
    assert a["busiest_hours"][0] == {"hour": 8, "label": "08.00–09.00", "tickets": 3}
    assert (b["issued"], b["served"], b["no_show"], b["transferred"]) == (1, 2, 0, 0)
    assert (b["avg_wait_s"], b["p90_wait_s"]) == (1050.0, 1800.0)  # 300, 1800
    assert (b["avg_service_s"], b["p90_service_s"]) == (1200.0, 1800.0)  # 1800, 600
    assert (c["issued"], c["served"], c["avg_wait_s"], c["p90_service_s"]) == (1, 1, 120.0, 600.0)
    assert [r["key"] for r in report["rows"]] == ["A", "B", "C"]


def test_totals_agencies_and_hours(sample: Any) -> None:
    report = reports.build_report(sample, ONE_DAY, "agency")
    dukcapil = by_key(report)["dukcapil"]
    assert dukcapil["name"] == "Dukcapil"
    assert (dukcapil["issued"], dukcapil["served"], dukcapil["no_show"]) == (6, 4, 1)
    # waits 300, 600, 1200, 1800, 1800: mean 1140, p90 rank ceil(4.5) = 5 -> 1800
    assert (dukcapil["avg_wait_s"], dukcapil["p90_wait_s"]) == (1140.0, 1800.0)
    # service times 240, 600, 600, 1800: mean 810, rank ceil(3.6) = 4 -> 1800
    assert (dukcapil["avg_service_s"], dukcapil["p90_service_s"]) == (810.0, 1800.0)
    total = report["total"]
    counts = (total["issued"], total["served"], total["no_show"], total["transferred"])
    assert counts == (7, 5, 1, 1)
    assert (total["avg_wait_s"], total["p90_wait_s"]) == (970.0, 1800.0)
    assert (total["avg_service_s"], total["p90_service_s"]) == (768.0, 1800.0)
    hourly = {h["hour"]: (h["arrivals"], h["served"]) for h in report["hourly"]}
    assert (hourly[8], hourly[9], hourly[10], hourly[11]) == ((5, 3), (1, 1), (1, 1), (0, 0))
    assert report["busiest_hours"][0]["label"] == "08.00–09.00"


def test_per_counter_and_officer(sample: Any) -> None:
    counters = by_key(reports.build_report(sample, ONE_DAY, "counter"))
    assert counters["1"]["name"] == "Loket 1"
    assert (counters["1"]["served"], counters["1"]["transferred"]) == (2, 1)
    assert (counters["5"]["served"], counters["5"]["no_show"]) == (1, 1)
    assert counters["1"]["issued"] is None
    officers = by_key(reports.build_report(sample, ONE_DAY, "officer"))
    assert officers["andi"]["served"] == 2 and officers["andi"]["avg_service_s"] == 1200.0
    assert officers["siti"]["busiest_hours"][0]["hour"] in (9, 10)


def test_period_spans_days(sample: Any) -> None:
    two = reports.build_report(sample, Period(date(2026, 11, 2), date(2026, 11, 3)), "service")
    assert by_key(two)["A"]["served"] == 3
    assert two["total"]["issued"] == 8


def test_p90_matches_reference_on_random_data(hub: Any) -> None:
    rng = random.Random(7)
    waits: dict[str, list[float]] = {"A": [], "B": []}
    for n in range(1, 240):
        service = rng.choice("AB")
        wait_min = rng.randint(0, 90)
        issued = f"{8 + n // 60:02d}:{n % 60:02d}"
        called_ts = at(issued) + wait_min * 60
        with hub.db.session() as s:
            s.add(Ticket(day=DAY, issued_service=service, number=n, label=f"{service}-{n:03d}",
                         service=service, priority=False, status="called",
                         issued_ts=at(issued), queued_ts=at(issued), called_ts=called_ts,
                         served_ts=called_ts, recalls=0, transfers=0,
                         status_token_hash=hash_token(f"r{n}")))
        waits[service].append(wait_min * 60.0)
    rows = by_key(reports.build_report(hub, ONE_DAY, "service"))
    for service in "AB":
        assert rows[service]["p90_wait_s"] == percentile_nearest_rank(waits[service], 90)


def test_parse_period() -> None:
    today = date(2026, 11, 28)
    assert parse_period(None, None, today) == Period(today, today)
    assert parse_period("2026-11-01", None, today) == Period(date(2026, 11, 1), date(2026, 11, 1))
    with pytest.raises(ValueError):
        parse_period("2026-11-05", "2026-11-01", today)
    with pytest.raises(ValueError):
        parse_period("01-11-2026", None, today)


def test_xlsx_round_trips_with_types(sample: Any) -> None:
    report = reports.build_report(sample, ONE_DAY, "service")
    data = exports.to_xlsx(report, "id", reports.ticket_rows(sample, ONE_DAY))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Laporan"]
    assert ws["B1"].value == datetime(2026, 11, 2)
    header = [c.value for c in ws[4]]
    assert header[:3] == ["Kelompok", "Diterbitkan", "Dilayani"]
    a = [c.value for c in ws[5]]
    assert a[0] == "A · KTP-el"
    assert a[1] == 5 and isinstance(a[1], int)
    assert a[5] == 20 and isinstance(a[5], int | float)  # average wait in minutes, a number
    assert ws["F5"].data_type == "n" and ws["F5"].number_format == "0.00"
    total = [c.value for c in ws[8]]
    assert total[0] == "Jumlah" and total[2] == 5
    tickets = wb["Tiket"]
    first = [c.value for c in tickets[2]]
    assert first[1] == "A-001"
    # Issued at 08:00 in Jakarta: the cell holds the hall's local time, not UTC (01:00).
    assert first[8] == datetime(2026, 11, 2, 8, 0)
    assert first[11] == datetime(2026, 11, 2, 8, 20)
    assert "Asia/Jakarta" in tickets["I1"].value
    assert tickets.max_row == 1 + 7
    hours = wb["Per jam"]
    assert [c.value for c in hours[10]] == ["08.00–09.00", 5, 3]


def test_csv_export(sample: Any) -> None:
    report = reports.build_report(sample, ONE_DAY, "service", "en")
    rows = list(csv.reader(io.StringIO(exports.to_csv(report, "en"))))
    assert rows[0][:3] == ["Group", "Issued", "Served"]
    assert rows[1][:5] == ["A · KTP-el", "5", "2", "1", "1"]
    assert rows[1][5] == "20.0"
    assert rows[-1][0] == "Total"


@pytest.mark.services
def test_same_figures_on_postgresql(pg_url: str, write_config: Any) -> None:  # noqa: F811
    config = load_config(write_config(extra=f'[storage]\nurl = "{pg_url}"\n'))
    app = create_app(config, async_mode="threading", testing=True)
    hub = app.extensions["loket.hub"]
    try:
        fill_sample(hub)
        test_per_service_hand_computed(hub)
        test_totals_agencies_and_hours(hub)
        test_per_counter_and_officer(hub)
        with hub.db.session() as s:
            result = reports.hall_ikm(s, hub, ONE_DAY)
        assert result.respondents == 0
    finally:
        hub.db.dispose()
