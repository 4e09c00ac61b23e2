"""The officers' panel in headless Chromium against a real hub: log in, press NEXT, and see
the call reach the displays; a press from elsewhere (a keypad, the API) shows up live."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.support.wait import Collected

expect = pytest.importorskip("playwright.sync_api").expect

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "rahasia-petugas-1"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def add_officer(config: Path, name: str, counters: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "loket", "user", "add", name, "--role", "officer",
         "--counters", counters, "--name", "Siti Rahma", "--password-stdin",
         "--config", str(config)],
        input=PASSWORD + "\n", text=True, cwd=ROOT, check=True, capture_output=True,
    )


def test_officer_presses_next_and_the_display_updates(
    write_config: Callable[..., Path], live_hub: Any, page: Any
) -> None:
    config = write_config()
    hub = live_hub(config)
    add_officer(config, "siti", "1")
    for _ in range(2):
        assert requests.post(f"{hub.url}/api/tickets", json={"service": "A"},
                             timeout=5).status_code == 201
    calls: Collected[dict[str, Any]] = Collected()
    display = socketio.Client()
    display.on("call", calls.append, namespace="/display")
    display.connect(hub.url, namespaces=["/display"], transports=["websocket"], wait_timeout=5)
    try:
        page.goto(f"{hub.url}/login?next=/counter")
        page.fill('input[name="username"]', "siti")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url(f"{hub.url}/counter/1")
        expect(page.locator("#cp-waiting-total")).to_contain_text("2")
        expect(page.locator("#cp-ticket")).to_have_text("Belum ada nomor")

        expect(page.locator('button[data-action="resume"]')).to_be_hidden()
        expect(page.locator("#cp-transfer")).to_be_hidden()
        page.click('button[data-action="next"]')
        expect(page.locator("#cp-ticket")).to_have_text("A-001")
        calls.first(bool, 5)
        assert [c["ticket"] for c in calls] == ["A-001"]
        assert calls[0]["counter"] == "1"
        state = requests.get(f"{hub.url}/api/state", timeout=5).json()
        assert {c["counter"]: c["ticket"] for c in state["counters"]}["1"] == "A-001"
        expect(page.locator("#cp-officer")).to_have_text("Petugas: siti")

        # A keypad bridge (device token) on the same counter: the panel follows live.
        token = hub.token("device", "keypads", counters="1")
        response = requests.post(f"{hub.url}/api/counters/1/next",
                                 headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 200, response.text
        expect(page.locator("#cp-ticket")).to_have_text("A-002")
        expect(page.locator("#cp-served")).to_contain_text("A-001")

        # T opens the transfer form; the citizen goes to service B's queue, and since this
        # counter serves B too, N calls them again.
        page.keyboard.press("t")
        expect(page.locator("#cp-transfer")).to_be_visible()
        page.select_option("#cp-transfer-service", "B")
        page.click('#cp-transfer button[type="submit"]')
        expect(page.locator("#cp-ticket")).to_have_text("Belum ada nomor")
        expect(page.locator("#cp-waiting")).to_contain_text("B — Kartu Keluarga1")
        expect(page.locator('button[data-action="next"]')).to_be_enabled()
        page.keyboard.press("n")
        expect(page.locator("#cp-ticket")).to_have_text("A-002")

        # Keyboard shortcut: D is DONE.
        page.keyboard.press("d")
        expect(page.locator("#cp-ticket")).to_have_text("Belum ada nomor")
        expect(page.locator('button[data-action="next"]')).to_be_enabled()
        page.keyboard.press("n")
        expect(page.locator("#cp-message")).to_contain_text("Tidak ada antrean")

        # The hall's display page (a real browser on /display) shows the counter's last call.
        screen = page.context.new_page()
        screen.goto(f"{hub.url}/display")
        expect(screen.locator("body")).to_contain_text("A-002", timeout=10000)
        screen.close()
        assert all(url.startswith(hub.url) for url in page.requests_seen), page.requests_seen
    finally:
        display.disconnect()
