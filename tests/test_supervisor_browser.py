"""The supervisor watches the live dashboard in headless Chromium while tickets are issued and
called through the API: counts, counter states and an SLA alert change without a reload."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.support.hall import SMALL_HALL
from tests.support.login import PASSWORD
from tests.support.staff import add_supervisor

pytestmark = [pytest.mark.browser, pytest.mark.slow]
def test_dashboard_updates_live(
    page: Any, live_hub: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    hall = SMALL_HALL.replace('name = "Paspor"', 'name = "Paspor"\nsla_minutes = 1')
    config_path = write_config(hall)
    hub = live_hub(config_path)
    add_supervisor(config_path)
    device = {"Authorization": f"Bearer {hub.token('device', 'bridge')}"}

    page.goto(f"{hub.url}/login?next=/supervisor")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hub.url}/supervisor")
    page.wait_for_selector("#live[data-state=live]")
    page.wait_for_selector("#services tr[data-service=C]")
    waiting_c = "#services tr[data-service=C] td:nth-child(2)"
    assert page.text_content(waiting_c) == "0"
    assert page.text_content("#alerts") and page.query_selector("#alerts .sup-alert") is None
    page.evaluate("() => { window.notReloaded = true; }")

    issued = [requests.post(f"{hub.url}/api/tickets", json={"service": "C"}, headers=device,
                            timeout=5) for _ in range(3)]
    assert [r.status_code for r in issued] == [201, 201, 201]
    expect(page.locator(waiting_c)).to_have_text("3", timeout=5000)
    called = requests.post(f"{hub.url}/api/counters/5/next", headers=device, timeout=5)
    assert called.status_code == 200 and called.json()["ticket"] == "C-001"
    page.wait_for_selector("#counters tr[data-counter='5'][data-status=serving]", timeout=5000)
    assert "C-001" in page.text_content("#counters tr[data-counter='5']")
    expect(page.locator(waiting_c)).to_have_text("2", timeout=5000)

    # C-002 has waited two minutes (SLA 1): written into the database, then any hub event
    # (another ticket) pushes a fresh dashboard.
    with sqlite3.connect(config_path.parent / "loket.db") as db:
        db.execute("UPDATE tickets SET issued_ts = issued_ts - 120, queued_ts = queued_ts - 120 "
                   "WHERE label = 'C-002'")
    requests.post(f"{hub.url}/api/tickets", json={"service": "A"}, headers=device, timeout=5)
    page.wait_for_selector("#alerts .sup-alert-sla[data-target=C]", timeout=5000)
    assert page.get_attribute("#services tr[data-service=C]", "class") == "sup-late"
    assert "Paspor" in page.text_content("#alerts")
    # Both charts were drawn by Chart.js served by Loket itself.
    assert page.evaluate("() => Object.keys(Chart.instances).length") == 2
    assert page.evaluate("() => window.notReloaded") is True  # all of it live, no reload
    hosts = {url.split("/")[2] for url in page.requests_seen if url.startswith("http")}
    assert hosts == {hub.url.split("/")[2]}

    # The citizen of C-001 answers the survey on a tablet; the complaint reaches the dashboard.
    # (Only a served ticket may be rated: the officer pressed START.)
    assert requests.post(f"{hub.url}/api/counters/5/start", headers=device,
                         timeout=5).status_code == 200
    page.goto(f"{hub.url}/survey?token={issued[0].json()['status_token']}")
    assert "C-001" in page.text_content(".survey-ticket")
    page.click(".survey-submit")
    expect(page.locator("#survey-message")).to_have_text("Silakan jawab kesembilan pertanyaan.")
    for element, score in enumerate([4, 3, 3, 4, 3, 3, 4, 2, 3], start=1):
        page.check(f"input[name=u{element}][value='{score}']")
    page.fill("textarea[name=comment]", "Kursi ruang tunggu kurang.")
    page.click(".survey-submit")
    expect(page.locator(".survey-thanks")).to_have_text("Terima kasih atas penilaian Anda.")
    page.goto(f"{hub.url}/supervisor")
    expect(page.locator("#complaints")).to_contain_text("Kursi ruang tunggu kurang.")
    expect(page.locator("#hall-ikm-n")).to_have_text("1 responden")
