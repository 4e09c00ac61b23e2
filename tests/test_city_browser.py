"""End to end: a hall hub, its forwarder and the city-wide view as three real processes; a
supervisor watches the city page in headless Chromium while the hall issues and calls
tickets, and the figures change without a reload. The page loads nothing from other hosts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.support.hall import ROOT, SMALL_HALL, free_port, wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "kata-sandi-kota-1"


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "loket", *args], cwd=ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def test_city_page_follows_a_hall_live(
    page: Any, live_hub: Callable[..., Any], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    central = tmp_path / "city.db"
    hall_path = write_config(SMALL_HALL, f'[city]\nurl = "sqlite:///{central}"\n'
                             'hall_id = "mpp-uji"\ninterval_s = 0.5\n')
    hall = live_hub(hall_path)
    city_toml = tmp_path / "city.toml"
    city_toml.write_text(f'[city]\nname = "Kota Uji"\nrefresh_s = 1\n\n'
                         f'[storage]\nurl = "sqlite:///{central}"\n')
    subprocess.run([sys.executable, "-m", "loket", "city", "user", "add", "kota", "--role",
                    "supervisor", "--password-stdin", "--config", str(city_toml)],
                   input=PASSWORD + "\n", text=True, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    processes = [
        start(["city", "forward", "--config", str(hall_path)], tmp_path / "forward.log"),
        start(["city", "serve", "--config", str(city_toml), "--host", "127.0.0.1",
               "--port", str(port)], tmp_path / "city.log"),
    ]
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, processes[1], tmp_path / "city.log")
        device = {"Authorization": f"Bearer {hall.token('device', 'bridge')}"}
        for _ in range(3):
            assert requests.post(f"{hall.url}/api/tickets", json={"service": "C"},
                                 headers=device, timeout=5).status_code == 201

        page.goto(url + "/")
        page.fill("input[name=username]", "kota")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(url + "/")
        hall_card = page.locator("[data-hall='mpp-uji']")
        waiting = hall_card.locator("tr[data-agency=imigrasi] [data-field=waiting]")
        expect(waiting).to_have_text("3", timeout=10000)
        expect(hall_card.locator(".badge-online")).to_be_visible()
        page.evaluate("() => { window.notReloaded = true; }")

        called = requests.post(f"{hall.url}/api/counters/5/next", headers=device, timeout=5)
        assert called.status_code == 200
        expect(waiting).to_have_text("2", timeout=10000)
        assert page.evaluate("() => window.notReloaded") is True
        expect(page.locator(".city-totals")).to_contain_text("2 menunggu")

        page.goto(url + "/?lang=en")
        expect(page.locator("h1")).to_have_text("City-wide queue view")
        outside = [u for u in page.requests_seen if not u.startswith(url)]
        assert outside == []
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


def test_hall_dashboard_alerts_when_nothing_is_forwarded(
    page: Any, live_hub: Callable[..., Any], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    hall_path = write_config(SMALL_HALL, f'[city]\nurl = "sqlite:///{tmp_path / "c.db"}"\n')
    hall = live_hub(hall_path)
    subprocess.run([sys.executable, "-m", "loket", "user", "add", "sup", "--role",
                    "supervisor", "--password-stdin", "--config", str(hall_path)],
                   input=PASSWORD + "\n", text=True, cwd=ROOT, check=True, capture_output=True)
    page.goto(f"{hall.url}/login?next=/supervisor")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hall.url}/supervisor")
    alert = page.locator("#alerts li[data-kind=city]")
    expect(alert).to_have_text(
        "Penerusan data ke pusat kota belum berjalan (jalankan `loket city forward`)")
