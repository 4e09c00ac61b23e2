"""/admin in Chromium: an admin changes a quota and adds a holiday in the page, a bad value is
refused next to its field with nothing changed, a supervisor sees only what they may change,
English is available, and axe-core finds no violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.axe import assert_clean
from tests.support.staff import add_user, shot, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "kuda-laut-berlari-pagi-7"


def test_admin_page_changes_the_hall(browser: Any, live_hub: Any, write_config: Any,
                                     tmp_path: Path) -> None:
    config = write_config()
    add_user(config, "kepala", "admin", PASSWORD)
    add_user(config, "sup", "supervisor", PASSWORD)
    hub = live_hub(config)
    admin = {"Authorization": f"Bearer {hub.token('admin', 'check')}"}
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, hub.url, "kepala", PASSWORD, "/admin")
    page.wait_for_selector("#svc-A")
    assert page.locator("h1").inner_text() == "Pengaturan Mal Pelayanan"
    assert_clean(page, "/admin")
    shot(page, tmp_path, "admin")  # docs/admin.png (LOKET_SCREENSHOTS=docs to refresh)

    # a bad quota: the error is next to the field, focus moves there, nothing changes
    page.fill("#svc-A-quota", "0")
    page.click("#svc-A button[type=submit]")
    page.wait_for_selector("#svc-A-quota-error:not(:empty)")
    assert "quota" in page.locator("#svc-A-quota-error").inner_text()
    assert page.locator("#svc-A-quota").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "svc-A-quota"
    hall = requests.get(hub.url + "/api/admin/hall", headers=admin, timeout=5).json()
    assert hall["services"][0]["quota"] == 50
    assert_clean(page, "/admin with an error")
    page.locator("#svc-A").scroll_into_view_if_needed()
    shot(page, tmp_path, "admin-error")

    # a good one is saved
    page.fill("#svc-A-quota", "20")
    page.click("#svc-A button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('adm-status').textContent === 'Tersimpan.'")
    hall = requests.get(hub.url + "/api/admin/hall", headers=admin, timeout=5).json()
    assert hall["services"][0]["quota"] == 20

    # a holiday, by keyboard
    page.fill("#cal-new-date", "2026-12-25")
    page.fill("#cal-new-reason", "Libur Nasional: Hari Raya Natal")
    page.focus("#cal-new-reason")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Libur Nasional: Hari Raya Natal")
    page.locator("#calendar").scroll_into_view_if_needed()
    shot(page, tmp_path, "admin-calendar")
    hall = requests.get(hub.url + "/api/admin/hall", headers=admin, timeout=5).json()
    assert hall["calendar"][0]["reason"] == "Libur Nasional: Hari Raya Natal"

    # a token is shown once
    page.fill("#tok-new-name", "keypad-lantai-2")
    page.click("#tok-new button[type=submit]")
    page.wait_for_selector("#tok-new-shown:not([hidden])")
    assert page.locator("#tok-new-value").inner_text().startswith("lkt_")

    # English
    page.goto(hub.url + "/admin?lang=en")
    assert page.locator("h1").inner_text() == "Hall administration"
    assert_clean(page, "/admin in English")

    # a supervisor: quotas and hours yes, names no, no users or tokens
    other = browser.new_context(viewport={"width": 1366, "height": 900})
    sup = other.new_page()
    sign_in(sup, hub.url, "sup", PASSWORD, "/admin")
    sup.wait_for_selector("#svc-A")
    assert sup.locator("#svc-A-name").is_disabled()
    assert not sup.locator("#svc-A-quota").is_disabled()
    assert sup.locator("#users").count() == 0 and sup.locator("#svc-new").count() == 0
    assert_clean(sup, "/admin as supervisor")
    other.close()
    context.close()
