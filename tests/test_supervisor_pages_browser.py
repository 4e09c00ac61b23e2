"""The supervisor's pages in headless Chromium at 1366x768 and 1920x1080 against a real hub:
times carry units, moving tickets asks first with the count, a complaint is closed with a note
typed in the page, a reversed date range is refused in Indonesian; axe-core finds nothing at
WCAG 2.1 A/AA + best practice on /supervisor, /supervisor/reports and /login, and the focus
ring keeps 3:1."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.axe import assert_clean
from tests.support.staff import add_user, focus_ring_failures, shot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "rahasia-supervisor-1"
UNITS = re.compile(r"^(–|\d+ dtk|\d+(,\d)? mnt|\d+ j \d\d mnt)$")


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def screen(request: Any, browser: Any) -> Iterator[tuple[Any, str]]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page(), f"{width}x{height}"
    context.close()


def test_supervisor_pages(
    write_config: Callable[..., Path], live_hub: Any, screen: tuple[Any, str], tmp_path: Path
) -> None:
    page, size = screen
    config = write_config()
    hub = live_hub(config)
    add_user(config, "sup", "supervisor", PASSWORD)
    device = {"Authorization": f"Bearer {hub.token('device', 'bridge')}"}

    def post(path: str, body: Any = None) -> Any:
        response = requests.post(hub.url + path, json=body, headers=device, timeout=5)
        assert response.status_code in (200, 201), response.text
        return response.json()

    issued = [post("/api/tickets", {"service": "A"}) for _ in range(4)]
    post("/api/counters/1/next")
    post("/api/counters/1/done")
    post("/api/counters/1/next")  # A-002 is being served: a green "Melayani" badge
    post("/api/survey", {"status_token": issued[0]["status_token"],
                         "scores": [2, 3, 3, 4, 3, 3, 4, 2, 3],
                         "comment": "Antrean di loket A lambat."})

    # /login itself, and the start page
    page.goto(f"{hub.url}/")
    assert_clean(page, "/")
    page.goto(f"{hub.url}/login")
    assert_clean(page, "/login")
    failures = focus_ring_failures(page, 6)
    assert not failures, failures

    sign_in(page, hub.url, "sup", PASSWORD, "/supervisor")
    page.wait_for_url(f"{hub.url}/supervisor")
    page.wait_for_selector("#live[data-state=live]")
    page.wait_for_selector("#counters tr[data-counter='1'][data-status=serving]")
    expect(page.locator("#complaints")).to_contain_text("Antrean di loket A lambat.")
    # every time in the services table carries its unit
    times = page.eval_on_selector_all(
        "#services tbody tr",
        "rows => rows.flatMap(r => [2, 3, 4].map(i => r.cells[i].textContent))")
    assert times and all(UNITS.match(t) for t in times), times
    service_time = page.text_content("#counters tr[data-counter='1'] td:nth-child(5)") or ""
    assert UNITS.match(service_time), service_time
    expect(page.get_by_label("Teks berjalan di layar TV (paling banyak 500 huruf)")).to_be_visible()
    assert_clean(page, f"/supervisor at {size}")
    failures = focus_ring_failures(page, 14)
    assert not failures, failures
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    shot(page, tmp_path, f"supervisor-dashboard-{size}")

    # Move: asked first, with the count; "Batal" moves nothing.
    page.select_option("#move-form select[name=from]", "A")
    page.select_option("#move-form select[name=to]", "C")
    page.click("#move-form button[type=submit]")
    confirm = page.locator("#move-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Pindahkan 2 nomor antrean yang menunggu dari A ke C?")
    expect(page.locator("#move-yes")).to_have_text("Ya, pindahkan 2 nomor")
    expect(page.locator("#move-yes")).to_be_focused()
    assert_clean(page, f"/supervisor asking to move at {size}")
    shot(page, tmp_path, f"supervisor-move-confirm-{size}")
    page.click("#move-no")
    expect(confirm).to_be_hidden()
    state = requests.get(f"{hub.url}/api/state", timeout=5).json()
    assert {s["prefix"]: s["waiting"] for s in state["services"]}["A"] == 2
    page.click("#move-form button[type=submit]")
    page.click("#move-yes")
    expect(page.locator("#control-message")).to_have_text("2 nomor antrean dipindahkan.")
    state = requests.get(f"{hub.url}/api/state", timeout=5).json()
    waiting = {s["prefix"]: s["waiting"] for s in state["services"]}
    assert (waiting["A"], waiting["C"]) == (0, 2)

    # A complaint is closed with a note typed in the page; the note is stored and audited.
    complaint = page.locator("#complaints li[data-complaint]")
    complaint.get_by_label("Catatan tindak lanjut untuk A-001").fill("Petugas ditambah.")
    complaint.get_by_role("button", name="Tandai sudah ditindaklanjuti").click()
    expect(page.locator("#control-message")).to_have_text(
        "Pengaduan A-001 ditandai sudah ditindaklanjuti.")
    expect(page.locator("#complaints")).to_contain_text("Tidak ada pengaduan terbuka.")
    expect(page.locator("#audit")).to_contain_text("Petugas ditambah.")
    assert_clean(page, f"/supervisor after the changes at {size}")

    # Reports: times with units; a reversed range is refused in Indonesian.
    page.goto(f"{hub.url}/supervisor/reports")
    expect(page.locator("#report tfoot")).to_contain_text("Jumlah")
    cells = page.eval_on_selector_all(
        "#report tbody tr",
        "rows => rows.flatMap(r => [5, 6, 7, 8].map(i => r.cells[i].textContent))")
    assert cells and all(UNITS.match(c) for c in cells), cells
    assert_clean(page, f"/supervisor/reports at {size}")
    failures = focus_ring_failures(page, 10)
    assert not failures, failures
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    shot(page, tmp_path, f"supervisor-reports-{size}")
    page.fill("input[name=from]", "2026-11-20")
    page.fill("input[name=to]", "2026-11-10")
    page.click("#report-form button[type=submit]")
    expect(page.locator("#report-message")).to_have_text(
        "Permintaan tidak valid: tanggal akhir lebih awal dari tanggal mulai.")
    assert_clean(page, f"/supervisor/reports with an error at {size}")


def test_dashboard_tables_fit_their_panels(
    write_config: Callable[..., Path], live_hub: Any, screen: tuple[Any, str]
) -> None:
    """No table of the dashboard is wider than its panel (at 1366 px the services table's
    buttons were cut off by the panel beside it)."""
    page, size = screen
    config = write_config()
    hub = live_hub(config)
    add_user(config, "sup", "supervisor", PASSWORD)
    sign_in(page, hub.url, "sup", PASSWORD, "/supervisor")
    page.wait_for_url(f"{hub.url}/supervisor")
    page.wait_for_selector("#services tr[data-service=C]")
    overflow = page.eval_on_selector_all(
        ".sup-table", "tables => tables.map(t => [t.id, t.getBoundingClientRect().right,"
        " t.closest('.panel').getBoundingClientRect().right])")
    assert overflow, "the dashboard has its tables"
    for table, right, panel_right in overflow:
        assert right <= panel_right + 0.5, (size, table, right, panel_right)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
