"""The city-wide view publishes the same open data for all its halls: rows per hall and
service from what the halls forwarded, small counts suppressed, no personal data, CSV, the
/data page; public (no login), like a hall's."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest

from loket.server.app import database_url
from loket.server.city.app import create_city_app
from loket.server.city.forward import Forwarder
from loket.server.config import load_city_config, load_config
from loket.server.db import Database
from loket.server.hub import Hub
from tests.support.hall import SMALL_HALL
from tests.support.open_data import OFFICER, TZ, Clock, run_service, seeded_day


@pytest.fixture
def central(tmp_path: Path) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'city.db'}")
    db.upgrade()
    yield db
    db.dispose()


def seeded_hall(tmp_path: Path, central: Database, hall_id: str, served: int) -> None:
    folder = tmp_path / hall_id
    folder.mkdir()
    path = folder / "loket.toml"
    path.write_text(SMALL_HALL.replace('name = "MPP Uji"', f'name = "MPP {hall_id}"')
                    + f'\n[city]\nurl = "{central.url}"\nhall_id = "{hall_id}"\n')
    config = load_config(path)
    db = Database(database_url(config))
    db.upgrade()
    clock = Clock(datetime.combine(seeded_day(), time(8), TZ).timestamp())
    hub = Hub(config, db, clock=clock)
    hub.start()
    forwarder = Forwarder(config, db, central)
    forwarder.enable()
    run_service(hub, clock, "A", "1", served, 0)
    forwarder.drain()
    db.dispose()


def test_city_open_data_covers_every_hall(tmp_path: Path, central: Database) -> None:
    seeded_hall(tmp_path, central, "barat", 7)
    seeded_hall(tmp_path, central, "timur", 2)
    path = tmp_path / "city.toml"
    path.write_text(f'[city]\nname = "Kota Contoh"\n[storage]\nurl = "{central.url}"\n')
    app = create_city_app(load_city_config(path), testing=True, db=central)
    client = app.test_client()
    day = seeded_day().isoformat()
    answer = client.get(f"/api/open-data/daily?from={day}&to={day}")  # no login needed
    assert answer.status_code == 200, answer.json
    rows = {(r["hall"], r["service"]): r for r in answer.json["rows"]}
    assert set(rows) == {("barat", "A"), ("timur", "A")}
    west, east = rows[("barat", "A")], rows[("timur", "A")]
    assert (west["issued"], west["served"], west["no_show"]) == (None, 7, None)
    assert west["hall_name"] == "MPP barat" and west["agency"] == "dukcapil"
    assert west["wait_median_s"] is not None
    assert east["served"] is None and east["wait_median_s"] is None
    table = list(csv.reader(io.StringIO(client.get(
        f"/api/open-data/daily?from={day}&to={day}&format=csv").get_data(as_text=True))))
    assert table[0][:3] == ["date", "hall", "hall_name"] and len(table) == 3
    meta = client.get("/api/open-data/metadata").json
    assert meta["producer"] == "Kota Contoh"
    assert [f["name"] for f in meta["fields"]][:3] == ["date", "hall", "hall_name"]
    page = client.get("/data")
    assert page.status_code == 200 and "Kota Contoh" in page.get_data(as_text=True)
    for text in (answer.get_data(as_text=True), page.get_data(as_text=True)):
        assert OFFICER not in text and "A-001" not in text
    assert client.get("/api/open-data/daily?from=2026-01-02&to=2026-01-01").status_code == 400
