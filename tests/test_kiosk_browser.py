"""End to end in headless Chromium: a citizen takes a ticket at the kiosk, python-escpos's
dummy printer receives the ticket (number, QR code, cut), the phone's status page switches to
"Silakan menuju Loket 5" when the officer presses NEXT."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from loket.server.kiosk.printing import DUMMY_DIR_ENV
from tests.support.hall import SMALL_HALL, LiveHub
from tests.support.kiosk import cli_pair_code

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KIOSKS = """
[kiosk]
idle_timeout_s = 10

[[kiosks]]
id = "pintu"
printer = "dummy://"
paper_width_mm = 58
"""


def test_kiosk_prints_and_phone_follows_the_call(
    page: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "printed"
    out.mkdir()
    monkeypatch.setenv(DUMMY_DIR_ENV, str(out))
    config_path = write_config(SMALL_HALL, KIOSKS)
    hub = live_hub(config_path)
    device = hub.token("device", "keypad-5", "5")

    # The technician pairs the kiosk: `loket kiosk pair pintu`, then the code on the kiosk.
    page.goto(f"{hub.url}/kiosk/pair?code={cli_pair_code(config_path, 'pintu')}")
    page.get_by_role("button", name="Pasangkan").click()
    page.wait_for_url(re.compile(r".*/kiosk\?id=pintu.*"))
    page.get_by_role("button", name="Imigrasi").click()
    page.get_by_role("button", name="Paspor").click()
    page.get_by_role("button", name="Prioritas").click()
    assert page.locator("#priority-toggle").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    assert page.locator("#ticket-number").inner_text() == "C-001"
    assert page.locator("#ticket-priority").is_visible()
    page.wait_for_selector("body[data-last-print='ok']", state="attached", timeout=10000)
    assert "ambil tiket" in page.locator("#print-state").inner_text()

    printed = (out / "pintu.bin").read_bytes()
    assert b"C-001" in printed and b"PRIORITAS" in printed
    assert b"\x1d(k" in printed  # GS ( k: the QR code
    assert b"\x1dV" in printed[-8:]  # GS V: the cut
    status_url = page.locator("#ticket-qr").get_attribute("data-status-url")
    assert status_url and status_url.startswith("/t/")
    assert status_url[3:].encode() in printed  # the QR holds the status page's address
    assert page.locator("#ticket-qr").evaluate("img => img.naturalWidth") > 0

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(hub.url + status_url)
    assert phone.locator("#status-number").inner_text() == "C-001"
    phone.wait_for_selector("#status-badge:has-text('Menunggu')")
    phone.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    response = requests.post(f"{hub.url}/api/counters/5/next",
                             headers={"Authorization": f"Bearer {device}"}, timeout=5)
    assert response.status_code == 200 and response.json()["ticket"] == "C-001"
    phone.wait_for_selector("#status-call-text:has-text('Silakan menuju Loket 5')", timeout=10000)
    assert phone.locator("#status-badge").inner_text() == "Dipanggil"
    assert all(u.startswith(hub.url) for u in page.requests_seen)


def test_kiosk_shows_live_counts_closed_services_and_rate_limit(
    page: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
) -> None:
    extra = """
[kiosk]
rate_limit = "2 per minute"
idle_timeout_s = 10
"""
    hub = live_hub(write_config(SMALL_HALL.replace('quota = 50', 'quota = 1'), extra))
    page.set_viewport_size({"width": 1080, "height": 1920})  # portrait kiosk
    page.goto(f"{hub.url}/kiosk?agency=dukcapil")
    # One agency: straight to its services, no browser print dialog opened by itself.
    page.wait_for_selector("#screen-service:not([hidden])")
    kk = page.locator(".service-choice[data-service='B'] .waiting-count")
    assert kk.inner_text() == "0 orang menunggu"
    page.wait_for_selector("body[data-live='1']", state="attached")  # Socket.IO connected
    device = hub.token("device", "bridge")
    requests.post(f"{hub.url}/api/tickets", json={"service": "B"},
                  headers={"Authorization": f"Bearer {device}"}, timeout=5)
    page.wait_for_selector(
        ".service-choice[data-service='B'] .waiting-count:has-text('1 orang menunggu')",
        timeout=5000)
    requests.post(f"{hub.url}/api/tickets", json={"service": "A"},
                  headers={"Authorization": f"Bearer {device}"}, timeout=5)
    full = page.locator(".service-choice[data-service='A']")
    full.locator(".choice-reason").wait_for(timeout=5000)
    assert full.is_disabled()
    assert "Kuota hari ini habis" in full.inner_text()

    for expected in ("B-002", "B-003"):
        page.locator(".service-choice[data-service='B']").click()
        page.get_by_role("button", name="Ambil Nomor Antrean").click()
        page.wait_for_selector("#screen-ticket:not([hidden])")
        assert page.locator("#ticket-number").inner_text() == expected
        assert page.locator("#browser-print").is_visible()  # no printer: the browser prints
        if expected == "B-002":  # the paper copy the print dialog gets (print CSS)
            assert re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}\.\d{2}",
                                page.locator("#pt-time").text_content() or "")
            page.emulate_media(media="print")
            assert page.locator("#pt-number").is_visible()
            assert page.locator("#pt-number").inner_text() == "B-002"
            assert not page.locator("#kiosk-app").is_visible()
            page.emulate_media(media="screen")
            assert not page.locator("#pt-number").is_visible()
        page.get_by_role("button", name="Selesai").click()
        page.wait_for_selector("#screen-service:not([hidden])")
    page.locator(".service-choice[data-service='B']").click()
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#issue-error:not([hidden])")
    assert "Terlalu banyak nomor" in page.locator("#issue-error").inner_text()
    # Left alone, the kiosk returns to its start screen ([kiosk] idle_timeout_s = 10).
    page.wait_for_selector("#screen-confirm", state="hidden", timeout=15000)
    assert page.locator("#screen-service").is_visible()
