"""Changes made through the admin API reach open pages in Chromium within 2 s, with no
restart, and survive a restart: a quota change, a new service, a renamed counter, a holiday
and a break."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

pytestmark = pytest.mark.browser
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def wait_text(page: Any, selector: str, text: str, within_s: float = 2.0) -> float:
    """Seconds until ``text`` shows in ``selector`` (fails after ``within_s``)."""
    started = time.monotonic()
    page.wait_for_function(
        "([sel, text]) => { const el = document.querySelector(sel);"
        " return !!el && el.textContent.includes(text); }",
        arg=[selector, text], timeout=int(within_s * 1000))
    return time.monotonic() - started


def test_admin_changes_reach_open_pages_and_survive_a_restart(
        browser: Any, live_hub: Any) -> None:
    hub = live_hub()
    admin = {"Authorization": f"Bearer {hub.token('admin', 'admin-live')}"}
    device = {"Authorization": f"Bearer {hub.token('device', 'dev-live')}"}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    kiosk, tv = context.new_page(), context.new_page()
    kiosk.goto(hub.url + "/kiosk?agency=dukcapil")
    tv.goto(hub.url + "/display/counter/1")
    wait_text(kiosk, "body", "KTP-el", 5)
    wait_text(tv, "#cs-name", "Loket 1", 5)

    # a renamed counter
    assert requests.patch(hub.url + "/api/admin/counters/1", json={"name": "Loket Satu"},
                          headers=admin, timeout=5).status_code == 200
    wait_text(tv, "#cs-name", "Loket Satu")

    # a quota lowered below today's issued count: the kiosk says the quota is full
    assert requests.post(hub.url + "/api/tickets", json={"service": "A"}, headers=device,
                         timeout=5).status_code == 201
    assert requests.patch(hub.url + "/api/admin/services/A", json={"quota": 1},
                          headers=admin, timeout=5).status_code == 200
    wait_text(kiosk, "body", "habis")

    # a new service of the agency on the open kiosk
    assert requests.post(hub.url + "/api/admin/services",
                         json={"prefix": "K", "name": "Akta Kelahiran", "agency": "Dukcapil"},
                         headers=admin, timeout=5).status_code == 201
    wait_text(kiosk, "body", "Akta Kelahiran")

    # a break on the service, now (today's weekday, this hour)
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    if now.hour < 23:
        end = (now + timedelta(hours=1)).replace(minute=0)
        rule = f"{DAYS[now.weekday()]} {now.hour:02d}:00-{end.hour:02d}:00"
        assert requests.post(hub.url + "/api/admin/calendar",
                             json={"rule": rule, "services": ["K"],
                                   "reason": "Istirahat salat Jumat"},
                             headers=admin, timeout=5).status_code == 201
        wait_text(kiosk, "body", "Istirahat salat Jumat")

    # a holiday for the whole hall
    holiday = requests.post(hub.url + "/api/admin/calendar",
                            json={"date": now.date().isoformat(),
                                  "reason": "Libur Nasional: Hari Raya Idulfitri"},
                            headers=admin, timeout=5)
    assert holiday.status_code == 201
    wait_text(kiosk, "body", "Hari Raya Idulfitri")

    # all of it survives a restart
    hub.stop()
    hub.start()
    kiosk.reload()
    tv.reload()
    wait_text(tv, "#cs-name", "Loket Satu", 5)
    wait_text(kiosk, "body", "Akta Kelahiran", 5)
    wait_text(kiosk, "body", "Hari Raya Idulfitri", 5)
    refused = requests.post(hub.url + "/api/tickets", json={"service": "B"}, headers=device,
                            timeout=5).json()
    assert refused["error"] == "closed" and "Idulfitri" in refused["message"]
    hall = requests.get(hub.url + "/api/admin/hall", headers=admin, timeout=5).json()
    assert next(s for s in hall["services"] if s["prefix"] == "A")["quota"] == 1
    context.close()
