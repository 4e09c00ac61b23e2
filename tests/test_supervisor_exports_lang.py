"""Supervisor API details the field trial found in English or raw codes: the XLSX ticket sheet's
statuses and a refused report period, in the request's language."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.support.login import login


def test_xlsx_statuses_in_the_request_language(client: Any, hub: Any) -> None:
    login(client, hub)
    for _ in range(3):
        hub.issue_ticket("A")
    hub.counter_action("1", "next")
    hub.counter_action("1", "skip")
    hub.counter_action("1", "next")
    hub.counter_action("1", "done")
    day = hub.day()
    for lang, expected in (("id", ["Tidak hadir", "Selesai", "Menunggu"]),
                           ("en", ["No-show", "Done", "Waiting"])):
        response = client.get(f"/api/reports/export.xlsx?from={day}&to={day}&lang={lang}")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Tiket" if lang == "id"
                                                                   else "Tickets"]
        statuses = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert statuses == expected, (lang, statuses)


def test_reversed_period_is_refused_in_the_request_language(client: Any, hub: Any) -> None:
    login(client, hub)
    response = client.get("/api/reports?from=2026-11-20&to=2026-11-10")
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"
    assert response.json["message"] == (
        "Permintaan tidak valid: tanggal akhir lebih awal dari tanggal mulai.")
    english = client.get("/api/reports?from=2026-11-20&to=2026-11-10&lang=en")
    assert english.json["message"] == "Bad request: the end date is before the start date."
    bad = client.get("/api/reports?from=20-11-2026&lang=id")
    assert bad.status_code == 400 and "TTTT-BB-HH" in bad.json["message"]
    long = client.get("/api/reports/export.csv?from=2020-01-01&to=2026-01-01&lang=id")
    assert long.status_code == 400 and "paling lama" in long.json["message"]
