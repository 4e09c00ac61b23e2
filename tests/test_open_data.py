"""Open data: daily figures per service over complete days, small counts suppressed (also
where another figure would give them away), no personal data in any field, CSV with formula
characters neutralised, date ranges refused with the documented error body, IKM per complete
month, metadata, and the /data page in Chromium checked with axe-core."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loket.server.app import create_app, database_url
from loket.server.config import LoketConfig, load_config
from loket.server.db import Database
from loket.server.hub import Hub
from loket.server.integrations import open_data
from loket.server.models import Ticket
from loket.server.report_stats import percentile_nearest_rank
from loket.server.supervisor import survey
from tests.support.hall import ROOT, SMALL_HALL
from tests.support.open_data import KIOSK, OFFICER, TZ, Clock, run_service, seeded_day

FORMULA_NAME = "=Paspor+HYPERLINK(1)"
COMMENT = "Nama saya Budi Hartono, HP 0812 9999 0000"
SCREENSHOTS = os.environ.get("LOKET_SCREENSHOTS") == "1"
"""Set to write docs/open-data-page.png."""
CONTRACT = ("date", "service", "agency", "issued", "served", "no_show", "wait_median_s",
            "wait_p90_s")


@pytest.fixture
def hall_config(write_config: Callable[..., Path]) -> LoketConfig:
    return load_config(write_config(SMALL_HALL.replace('name = "Paspor"',
                                                       f'name = "{FORMULA_NAME}"')))


@pytest.fixture
def seeded(hall_config: LoketConfig) -> LoketConfig:
    """One past day: A 10 served + 2 no-shows, B 3 served, C 15 served + 5 no-shows; IKM
    answers for A (6) and C (2); and tickets today, which are never published."""
    db = Database(database_url(hall_config))
    db.upgrade()
    day = seeded_day()
    clock = Clock(datetime.combine(day, time(8, 5), TZ).timestamp())
    hub = Hub(hall_config, db, clock=clock)
    hub.start()
    a = run_service(hub, clock, "A", "1", 10, 2)
    run_service(hub, clock, "B", "2", 3, 0)
    c = run_service(hub, clock, "C", "5", 15, 5)
    for token in a[:6]:
        survey.record_response(hub, token, [4, 4, 3, 4, 4, 4, 4, 3, 4], comment=COMMENT)
    for token in c[:2]:
        survey.record_response(hub, token, [1] * 9, comment=COMMENT)
    today = Hub(hall_config, db)
    for _ in range(6):
        today.issue_ticket("A")
    db.dispose()
    return hall_config


@pytest.fixture
def client(seeded: LoketConfig) -> Any:
    app = create_app(seeded, async_mode="threading", testing=True)
    yield app.test_client()
    app.extensions["loket.hub"].db.dispose()


def day_range(first: date, last: date) -> str:
    return f"from={first.isoformat()}&to={last.isoformat()}"


def rows_of(client: Any, query: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/open-data/daily?{query}")
    assert answer.status_code == 200, answer.json
    return answer.json["rows"]


def test_daily_rows_follow_the_contract_and_suppress_small_counts(client: Any,
                                                                   seeded: LoketConfig) -> None:
    day = seeded_day()
    rows = rows_of(client, day_range(day - timedelta(days=1), day + timedelta(days=1)))
    by_service = {r["service"]: r for r in rows}
    assert set(by_service) == {"A", "B", "C"} and {r["date"] for r in rows} == {day.isoformat()}
    for row in rows:
        assert set(CONTRACT) <= set(row)
    a, b, c = by_service["A"], by_service["B"], by_service["C"]
    assert (c["issued"], c["served"], c["no_show"]) == (20, 15, 5)
    # B: three tickets: every count and time hidden
    assert all(b[k] is None for k in ("issued", "served", "no_show", "wait_median_s",
                                      "wait_p90_s", "service_median_s", "busiest_hour"))
    # A: 2 no-shows hidden; issued (12) would give them away (12 - 10), so it is hidden too
    assert (a["issued"], a["served"], a["no_show"]) == (None, 10, None)
    assert a["busiest_hour"] is None
    assert a["agency"] == "dukcapil" and a["agency_name"] == "Dukcapil"
    assert c["service_name"] == FORMULA_NAME and c["busiest_hour"] == "09.00–10.00"
    # medians and 90th percentiles by nearest rank, as the reports compute them
    db = Database(database_url(seeded))
    with db.read() as s:
        waits = [t.called_ts - t.issued_ts for t in s.scalars(
            select(Ticket).where(Ticket.service == "C", Ticket.day == day.isoformat()))]
        services = [t.finished_ts - t.served_ts for t in s.scalars(
            select(Ticket).where(Ticket.service == "C", Ticket.status == "done"))]
    db.dispose()
    assert c["wait_median_s"] == round(percentile_nearest_rank(waits, 50) or 0, 1)
    assert c["wait_p90_s"] == round(percentile_nearest_rank(waits, 90) or 0, 1)
    assert c["service_median_s"] == round(percentile_nearest_rank(services, 50) or 0, 1)
    # 12 waits for A: a median (>= 5 values) and a p90 (>= 10 values) may be shown
    assert a["wait_median_s"] is not None and a["wait_p90_s"] is not None


def test_no_personal_data_in_any_field(client: Any) -> None:
    day = seeded_day()
    query = day_range(day.replace(day=1), day + timedelta(days=40))
    texts = [client.get(f"/api/open-data/{kind}?{query}{fmt}").get_data(as_text=True)
             for kind in ("daily", "ikm") for fmt in ("", "&format=csv")]
    texts.append(client.get("/api/open-data/metadata").get_data(as_text=True))
    texts.append(client.get("/data").get_data(as_text=True))
    for text in texts:
        for personal in (OFFICER, "siti", "Budi", "0812", KIOSK, "A-001", "status_token",
                         "Loket 1", "counter"):
            assert personal not in text, personal


def test_today_is_never_published(client: Any) -> None:
    today = datetime.now(TZ).date()
    answer = client.get(f"/api/open-data/daily?{day_range(today, today)}")
    assert answer.status_code == 200 and answer.json["rows"] == []
    assert answer.json["to"] < today.isoformat()


def test_csv_neutralises_formulas(client: Any) -> None:
    day = seeded_day()
    answer = client.get(f"/api/open-data/daily?{day_range(day, day)}&format=csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert tuple(table[0]) == open_data.FIELDS
    c = next(dict(zip(table[0], r, strict=True)) for r in table[1:] if r[1] == "C")
    assert c["service_name"] == "'" + FORMULA_NAME
    assert (c["issued"], c["no_show"]) == ("20", "5")
    b = next(dict(zip(table[0], r, strict=True)) for r in table[1:] if r[1] == "B")
    assert b["issued"] == "" and b["wait_median_s"] == ""
    for row in table[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), value


@pytest.mark.parametrize(("query", "reason"), [
    ("from=2026-13-01&to=2026-12-31", "YYYY-MM-DD"),
    ("from=kemarin", "YYYY-MM-DD"),
    ("from=2026-02-10&to=2026-02-01", "before"),
    ("from=2024-01-01&to=2025-12-31", "366"),
    ("from=2026-02-01&to=2026-02-02&format=xlsx", "json or csv"),
])
def test_bad_ranges_are_refused(client: Any, query: str, reason: str) -> None:
    for kind in ("daily", "ikm"):
        answer = client.get(f"/api/open-data/{kind}?{query}")
        assert answer.status_code == 400
        assert answer.json["error"] == "bad_request"
        assert reason in answer.json["message"]


def test_ikm_per_complete_month_with_enough_respondents(client: Any) -> None:
    day = seeded_day()
    answer = client.get(f"/api/open-data/ikm?{day_range(day, day)}")
    assert answer.status_code == 200
    rows = {r["service"]: r for r in answer.json["rows"]}
    assert rows["A"]["month"] == day.strftime("%Y-%m")
    assert rows["A"]["respondents"] == 6 and rows["A"]["grade"] == "A"
    assert rows["A"]["ikm"] == pytest.approx(25 * (4 * 7 + 3 * 2) / 9, abs=0.01)
    assert rows["C"]["respondents"] is None and rows["C"]["ikm"] is None
    assert rows["C"]["grade"] is None


def test_metadata_in_satu_data_style(client: Any) -> None:
    meta = client.get("/api/open-data/metadata").json
    for key in ("title", "producer", "period", "unit", "licence", "update_frequency",
                "fields", "suppression"):
        assert meta[key], key
    assert meta["licence"] == "CC BY 4.0" and meta["producer"] == "MPP Uji"
    assert {f["name"] for f in meta["fields"]} == set(open_data.FIELDS)
    assert meta["personal_data"] is False
    english = client.get("/api/open-data/metadata?lang=en").json
    assert english["title"].startswith("Daily queue statistics")


def test_open_data_can_be_turned_off(write_config: Callable[..., Path]) -> None:
    config = load_config(write_config(extra="[integrations]\nopen_data = false\n"))
    app = create_app(config, async_mode="threading", testing=True)
    c = app.test_client()
    assert c.get("/api/open-data/daily").status_code == 404
    assert c.get("/data").status_code == 404


def test_day_rows_unit() -> None:
    """The suppression rules on hand-made tickets (no database)."""
    services = {"A": open_data.ServiceInfo("KTP-el", "dukcapil", "Dukcapil")}
    base = datetime(2026, 3, 2, 9, 0, tzinfo=TZ).timestamp()
    tickets = [open_data.TicketTimes("2026-03-02", "A", "A", "done", base, base + 60 * i,
                                     base + 60 * i, base + 60 * i + 300) for i in range(9)]
    tickets.append(open_data.TicketTimes("2026-03-02", "A", "A", "no_show", base, None,
                                         None, None))
    (row,) = open_data.day_rows("2026-03-02", tickets, services, TZ)
    assert row["served"] == 9 and row["no_show"] is None and row["issued"] is None
    assert row["wait_median_s"] == 240.0 and row["wait_p90_s"] is None  # 9 < 10 values
    assert row["service_median_s"] == 300.0


@pytest.mark.browser
@pytest.mark.slow
def test_data_page_in_chromium_is_accessible(seeded: LoketConfig, live_hub: Any, page: Any,
                                             browser: Any, tmp_path: Path) -> None:
    assert seeded.source is not None
    hub = live_hub(seeded.source)
    day = seeded_day()
    page.goto(f"{hub.url}/data")
    page.fill("input[name=from]", day.isoformat())
    page.fill("input[name=to]", day.isoformat())
    page.click("button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#daily tbody tr').length === 3")
    page.wait_for_function("() => document.querySelectorAll('#ikm tbody tr').length === 2")
    cells = page.inner_text("#daily tbody")
    assert "Kartu Keluarga" in cells and "–" in cells
    assert page.locator("html").get_attribute("lang") == "id"
    assert "Data terbuka antrean" in page.inner_text("h1")
    outside = [u for u in page.requests_seen if not u.startswith(hub.url)]
    assert outside == []
    page.screenshot(path=str(tmp_path / "data-id.png"), full_page=True)
    # axe-core is injected as an inline script, which the hub's CSP refuses (rightly): a
    # second context lets it in
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        checked = context.new_page()
        checked.goto(f"{hub.url}/data?{day_range(day, day)}")
        checked.wait_for_function("() => document.querySelectorAll('#daily tbody tr').length === 3")
        if SCREENSHOTS:
            checked.screenshot(path=str(ROOT / "docs" / "open-data-page.png"), full_page=True)
        checked.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
        result = checked.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
        problems = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                    for v in result["violations"]]
        assert problems == [], json.dumps(problems, indent=1)
    finally:
        context.close()
    page.goto(f"{hub.url}/data?lang=en")
    assert "Open queue data" in page.inner_text("h1")
    page.wait_for_function("() => document.querySelector('#status').textContent === ''")
