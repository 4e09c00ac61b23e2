"""Issue 12, item 3 in Chromium: a kiosk's printer goes offline and the supervisor's dashboard
shows it as an alert in words (Indonesian, then English); an unpaired kiosk page offers no
priority numbers."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.support.hall import SMALL_HALL, LiveHub
from tests.support.kiosk import cli_pair_code, pair_session
from tests.support.login import PASSWORD
from tests.support.staff import add_supervisor

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_offline_printer_is_a_dashboard_alert(
    page: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: the printer is unplugged
    config_path = write_config(SMALL_HALL, f"""
[[kiosks]]
id = "pintu"
name = "Pintu utama"
printer = "network://127.0.0.1:{port}"
""")
    hub = live_hub(config_path)
    add_supervisor(config_path)

    # An unpaired kiosk page: no priority button (the hub would refuse it).
    page.goto(f"{hub.url}/kiosk?id=pintu")
    page.get_by_role("button", name="Imigrasi").click()
    page.get_by_role("button", name="Paspor").click()
    expect(page.get_by_role("button", name="Ambil Nomor Antrean")).to_be_visible()
    assert not page.locator("#priority-toggle").is_visible()

    page.goto(f"{hub.url}/login?next=/supervisor")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hub.url}/supervisor")
    page.wait_for_selector("#live[data-state=live]")
    assert page.query_selector("#alerts .sup-alert") is None

    kiosk = requests.Session()
    pair_session(kiosk, hub.url, cli_pair_code(config_path, "pintu"))
    ticket = kiosk.post(f"{hub.url}/api/tickets", json={"service": "C"}, timeout=5).json()
    printed = kiosk.post(f"{hub.url}/api/kiosks/pintu/print/{ticket['status_token']}",
                         timeout=15).json()
    assert printed["printed"] is False and printed["status"] == "offline"

    alert = page.locator("#alerts .sup-alert-printer[data-target=pintu]")
    expect(alert).to_contain_text("Printer anjungan Pintu utama: tidak tersambung",
                                  timeout=15000)
    page.goto(f"{hub.url}/supervisor?lang=en")
    expect(page.locator("#alerts .sup-alert-printer")).to_contain_text(
        "Kiosk Pintu utama printer: not connected", timeout=10000)
