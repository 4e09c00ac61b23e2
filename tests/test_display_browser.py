"""The wall screens in headless Chromium against a real hub process: calls pushed within a
second, bursts shown in full, reconnect after a hub restart, zone and counter screens, escaping,
in-browser sound, and nothing fetched from any other host."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.display import (
    Hall,
    assert_only_hub,
    demo_hall_config,
    flash_log,
    open_display,
    recent_tickets,
    render_time,
    token,
    wait_recent,
)
from tests.support.hall import SMALL_HALL, LiveHub

pytestmark = pytest.mark.browser

FAST_FLASH = "[display]\nflash_seconds = 1.0\n"


def test_a_call_appears_within_one_second(page: Any, live_hub: Any, write_config: Any) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("A", privileged=False)
    open_display(page, hall.url + "/display")
    assert page.locator("#hero").get_attribute("class").split().count("is-empty") == 1

    started = time.time()
    hall.press("1")
    wait_recent(page, "A-001", timeout_ms=1000)
    drawn = render_time(page, "A-001")
    assert drawn is not None and drawn - started < 1.0
    assert page.text_content("#hero-ticket") == "A-001"
    assert page.text_content("#hero-counter") == "LOKET 1"
    assert flash_log(page) == ["A-001"]
    # it flashes, then stays highlighted
    page.wait_for_function(
        "() => document.getElementById('hero').classList.contains('is-steady')", timeout=3000
    )
    assert page.text_content("#hero-ticket") == "A-001"
    assert page.is_hidden("#reconnect")
    assert_only_hub(page, hall.url)


def test_burst_of_five_calls_each_flashes_in_turn(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    tickets = [hall.ticket(s) for s in ("A", "A", "B", "C", "C")]
    open_display(page, hall.url + "/display")
    called = []
    for counter in ("1", "2", "5", "1", "5"):  # five presses within a second
        called.append(hall.press(counter)["ticket"])
    assert sorted(called) == sorted(tickets)
    for ticket in called:
        wait_recent(page, ticket, timeout_ms=2000)
    assert recent_tickets(page) == list(reversed(called))
    # Each call gets its own flash, in call order; none is skipped or overwritten.
    page.wait_for_function("() => window.__loketFlashLog.length >= 5", timeout=15_000)
    assert flash_log(page) == called
    page.wait_for_function(
        "() => document.getElementById('hero').classList.contains('is-steady')", timeout=5000
    )
    assert page.text_content("#hero-ticket") == called[-1]
    assert_only_hub(page, hall.url)


def test_recall_is_marked(page: Any, live_hub: Any, write_config: Any) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("C")
    open_display(page, hall.url + "/display")
    hall.press("5")
    wait_recent(page, "C-001", 2000)
    page.wait_for_function("() => window.__loketFlashLog.length >= 1")
    hall.press("5", "recall")
    page.wait_for_function("() => window.__loketFlashLog.length >= 2", timeout=5000)
    assert page.is_visible("#hero-recall")
    assert page.text_content("#hero-recall") == "Panggilan ulang"
    assert recent_tickets(page) == ["C-001"]  # one row per ticket, marked as recalled
    assert page.text_content("#recent-list .recent-row .r-tag") == "Panggilan ulang"


def test_reconnects_and_resyncs_after_hub_restart(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    config_path = write_config(extra=FAST_FLASH)
    first = live_hub(config_path)
    hall = Hall(first)
    hall.ticket("A")
    hall.ticket("C")
    open_display(page, hall.url + "/display")
    hall.press("1")
    wait_recent(page, "A-001", 2000)

    first.kill()
    page.wait_for_selector("#reconnect", state="visible", timeout=5000)
    assert page.text_content("#reconnect").strip() == "Menghubungkan ulang…"

    second = LiveHub(config_path, first.port)
    try:
        second.start()
        back = time.monotonic()
        # Changed while the page was still offline: a call and new waiting counts.
        hall.press("5")
        hall.ticket("B")
        hall.ticket("B")
        page.wait_for_function(
            """() => {
                const rows = [...document.querySelectorAll('#recent-list .r-ticket')]
                    .map(e => e.textContent);
                const b = document.querySelector('#waiting-list [data-key="B"] .w-count');
                return document.getElementById('reconnect').hidden
                    && rows.join() === 'C-001,A-001' && b && b.textContent === '2';
            }""",
            timeout=3000,
        )
        assert time.monotonic() - back < 3.0
        # The call made while offline is caught up with its own flash, not lost.
        page.wait_for_function("() => window.__loketFlashLog.includes('C-001')", timeout=3000)
        assert flash_log(page).count("A-001") == 1  # already shown: not flashed again
        assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
        assert_only_hub(page, hall.url)
    finally:
        second.stop()


def test_zone_display_ignores_other_zones(page: Any, live_hub: Any, write_config: Any) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("A")
    hall.ticket("C")
    open_display(page, hall.url + "/display?zone=lantai-2")
    assert page.text_content(".brand-zone") == "Lantai 2"
    hall.press("1")  # lantai-1 calls A-001
    hall.press("5")  # lantai-2 calls C-001
    wait_recent(page, "C-001", 2000)
    time.sleep(0.3)
    assert recent_tickets(page) == ["C-001"]
    assert "A-001" not in flash_log(page)
    keys = page.eval_on_selector_all("#waiting-list .w-tile", "els => els.map(e => e.dataset.key)")
    assert keys == ["A", "C"]  # the services lantai-2's counter serves
    assert requests.get(hall.url + "/display?zone=lantai-9", timeout=5).status_code == 404


def test_counter_screen_shows_only_its_counter(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("B")
    hall.ticket("B")
    open_display(page, hall.url + "/display/counter/2")
    assert page.text_content("#cs-name") == "Loket 2"
    assert page.text_content("#cs-ticket") == "—"
    assert page.text_content("#cs-waiting") == "2"
    assert hall.press("1")["ticket"] == "B-001"
    assert hall.press("2")["ticket"] == "B-002"
    page.wait_for_function(
        "() => document.getElementById('cs-ticket').textContent === 'B-002'", timeout=1000
    )
    assert "B-001" not in flash_log(page)
    assert page.text_content("#cs-status") == "Silakan menuju loket ini"
    hall.press("2", "recall")
    page.wait_for_selector("#cs-recall", state="visible", timeout=3000)
    hall.press("2", "start")
    page.wait_for_function(
        "() => document.getElementById('cs-status').textContent === 'Sedang dilayani'",
        timeout=2000,
    )
    hall.press("2", "done")
    page.wait_for_function(
        "() => document.getElementById('cs-ticket').textContent === '—'", timeout=2000
    )
    assert page.text_content("#cs-status") == "Siap melayani"
    assert page.text_content("#cs-waiting") == "0"
    assert_only_hub(page, hall.url)

    missing = requests.get(hall.url + "/display/counter/99", timeout=5)
    assert missing.status_code == 404
    assert "Loket tidak ditemukan" in missing.text and "/display/counter/5" in missing.text


def test_english_labels_and_waiting_per_agency(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    extra = FAST_FLASH + 'group_waiting_by = "agency"\n'
    hall = Hall(live_hub(write_config(extra=extra)))
    for service in ("A", "B", "B", "C"):
        hall.ticket(service)
    open_display(page, hall.url + "/display?lang=en")
    assert page.text_content(".panel-title") == "Recent Calls"
    assert page.text_content("#hero-label") == "Ticket Number"
    assert page.text_content(".waiting-title") == "People Waiting"
    tiles = page.eval_on_selector_all(
        "#waiting-list .w-tile",
        "els => els.map(e => [e.querySelector('.w-prefix').textContent,"
        " e.querySelector('.w-name').textContent, e.querySelector('.w-count').textContent])",
    )
    assert tiles == [["A B", "Dukcapil", "3"], ["C", "Imigrasi", "1"]]
    hall.press("1")  # A-001 leaves the Dukcapil line
    page.wait_for_function(
        "() => document.querySelector('#waiting-list .w-count').textContent === '2'",
        timeout=2000,
    )
    assert page.evaluate("() => document.documentElement.lang") == "en"


HOSTILE = "<script>alert(1)</script>"


def test_config_and_supervisor_text_is_escaped(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    config = SMALL_HALL.replace('name = "Paspor"', 'name = "<script>alert(1)</script>"')
    config = config.replace('name = "MPP Uji"', 'name = "<b>MPP</b> Uji"')
    hub = live_hub(write_config(config, extra=FAST_FLASH))
    hall = Hall(hub)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hall.ticket("C")
    open_display(page, hall.url + "/display")
    assert page.text_content(".w-tile[data-key='C'] .w-name") == HOSTILE
    assert page.text_content("#hall-name") == "<b>MPP</b> Uji"
    hall.press("5")
    page.wait_for_function("() => window.__loketFlashLog.length >= 1", timeout=3000)
    assert page.text_content("#hero-service") == HOSTILE

    supervisor = token(hub.config_path, "supervisor", "sup")
    hostile_text = '<img src="x" id="evil" onerror="alert(2)"> Info'
    response = requests.post(
        hall.url + "/api/supervisor/running-text", json={"text": hostile_text},
        headers={"Authorization": f"Bearer {supervisor}"}, timeout=5,
    )
    assert response.status_code == 200, response.text
    page.wait_for_function(
        "t => document.getElementById('ticker-text').textContent === t", arg=hostile_text,
        timeout=2000,
    )
    paused = requests.post(
        hall.url + "/api/supervisor/paused", json={"service": "C", "paused": True},
        headers={"Authorization": f"Bearer {supervisor}"}, timeout=5,
    )
    assert paused.status_code == 200, paused.text
    page.wait_for_function(
        "() => document.querySelector(\".w-tile[data-key='C'] .w-unit\").textContent"
        " === 'Dihentikan sementara'",
        timeout=2000,
    )
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert page.locator("#evil").count() == 0
    assert dialogs == []
    assert_only_hub(page, hall.url)


def _audio_requests(page: Any) -> list[str]:
    return [u.split("/audio/", 1)[1] for u in page.requests_seen if "/audio/" in u]


def test_sound_plays_each_call_in_turn_or_stays_silent(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("A")
    hall.ticket("C")
    open_display(page, hall.url + "/display?sound=1")
    assert page.text_content("#sound-label") == "Suara aktif"  # autoplay allowed here
    first = hall.press("1")
    second = hall.press("5")
    page.wait_for_function("() => window.__loketSound.played.length >= 2", timeout=20_000)
    played = page.evaluate("() => window.__loketSound.played.map(p => p.id)")
    assert len(played) == 2 and played[0] < played[1]  # one after another, in call order
    asked = _audio_requests(page)
    assert asked[0].startswith("calls/"), asked
    assert any(a.startswith("calls/") for a in asked[1:])
    # Whatever the audio engine answered, the page went on.
    assert recent_tickets(page) == [second["ticket"], first["ticket"]]
    assert_only_hub(page, hall.url)


def test_sound_is_off_until_clicked(page: Any, live_hub: Any, write_config: Any) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    hall.ticket("A")
    hall.ticket("A")
    open_display(page, hall.url + "/display")
    assert page.text_content("#sound-label") == "Aktifkan suara"
    hall.press("1")
    wait_recent(page, "A-001", 2000)
    time.sleep(0.3)
    assert _audio_requests(page) == []  # off by default
    page.click("#sound-btn")
    assert page.text_content("#sound-label") == "Suara aktif"
    hall.press("1")
    page.wait_for_function("() => window.__loketSound.played.length >= 1", timeout=20_000)
    assert _audio_requests(page)[0].startswith("calls/")


def test_screenshots(page: Any, browser: Any, live_hub: Any, write_config: Any,
                     tmp_path: Path) -> None:
    """A realistic hall, photographed at 1920x1080; copied to LOKET_SCREENSHOTS if set."""
    hall = Hall(live_hub(write_config(demo_hall_config(flash_seconds=1.0))))
    waiting = {"A": 26, "B": 14, "C": 11, "D": 17, "E": 9, "F": 5, "G": 3}
    for service, count in waiting.items():
        for _ in range(count):
            hall.ticket(service)
    open_display(page, hall.url + "/display")
    for counter in ("1", "4", "8", "6", "2", "10", "3", "12", "9"):
        hall.press(counter)
    hall.press("4", "recall")
    page.wait_for_function("() => window.__loketFlashLog.length >= 10", timeout=30_000)
    page.wait_for_function(
        "() => document.getElementById('hero').classList.contains('is-steady')", timeout=5000
    )
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")  # running text from the start
    page.wait_for_timeout(600)
    hall_png = tmp_path / "display-hall.png"
    page.screenshot(path=str(hall_png))

    counter_page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        open_display(counter_page, hall.url + "/display/counter/8")
        counter_page.wait_for_timeout(1200)
        counter_png = tmp_path / "display-counter.png"
        counter_page.screenshot(path=str(counter_png))
    finally:
        counter_page.close()
    assert hall_png.stat().st_size > 50_000 and counter_png.stat().st_size > 20_000
    target = os.environ.get("LOKET_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(hall_png, Path(target) / "display-hall.png")
        shutil.copy(counter_png, Path(target) / "display-counter.png")


def test_clock_in_hall_timezone_and_call_rules(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    config = SMALL_HALL.replace('timezone = "Asia/Jakarta"', 'timezone = "Asia/Jayapura"')
    hall = Hall(live_hub(write_config(config, extra=FAST_FLASH)))
    open_display(page, hall.url + "/display")
    assert page.text_content("#clock-tz") == "WIT"
    shown = page.text_content("#clock-hm")
    now = datetime.now(ZoneInfo("Asia/Jayapura"))
    allowed = {(now + timedelta(minutes=d)).strftime("%H.%M") for d in (-1, 0, 1)}
    assert shown in allowed, (shown, allowed)

    rules = page.evaluate(
        """() => {
            const D = window.LoketDisplay;
            const at = s => new Date(Date.parse('2026-11-28T10:00:00+09:00') + s * 1000)
                .toISOString();
            const c = (id, ticket, s, extra) =>
                Object.assign({id, ticket, counter: '1', at: at(s)}, extra || {});
            const ledger = new D.CallLedger();
            const first = ledger.catchUp([c(2, 'A-002', 0), c(1, 'A-001', -5)], at(1), true);
            ledger.add(c(3, 'A-003', 10));
            // offline: 4 is fresh, 5 is a recall of A-002, 3 was already shown
            const missed = ledger.catchUp(
                [c(5, 'A-002', 60, {recall: true}), c(4, 'A-004', 50), c(3, 'A-003', 10)],
                at(70), false);
            const stale = new D.CallLedger();
            stale.catchUp([c(7, 'A-007', 0)], at(1), true);
            const old = stale.catchUp([c(8, 'A-008', 0)], at(600), false);
            const reset = stale.catchUp([c(1, 'B-001', 590)], at(600), false);
            const merged = D.mergeCalls(
                [c(2, 'A-002', 0), c(1, 'A-001', -5)], [c(5, 'A-002', 60, {recall: true})], 8);
            return {
                first: first.map(x => x.id), missed: missed.map(x => x.id),
                old: old.map(x => x.id), reset: reset.map(x => x.id),
                merged: merged.map(x => [x.id, x.ticket]),
                capped: D.mergeCalls([], [1, 2, 3, 4, 5, 6, 7, 8, 9].map(
                    i => c(i, 'C-00' + i, i)), 6).map(x => x.id),
            };
        }"""
    )
    assert rules["first"] == []  # a first load flashes nothing
    assert rules["missed"] == [4, 5]  # oldest first; the shown one is not repeated
    assert rules["old"] == []  # missed more than two minutes ago: listed, not flashed
    assert rules["reset"] == []  # the hub's history went backwards: start over quietly
    assert rules["merged"] == [[5, "A-002"], [1, "A-001"]]  # one row per ticket
    assert rules["capped"] == [9, 8, 7, 6, 5, 4]


def test_calls_missed_while_offline_are_caught_up(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    import re

    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    for service in ("A", "B", "C"):
        hall.ticket(service)
    open_display(page, hall.url + "/display")
    hall.press("1")
    wait_recent(page, "A-001", 2000)

    # The TV's network drops: its reconnect attempts fail until the route is lifted.
    socket_io = re.compile(r"/socket\.io/")
    page.route(socket_io, lambda route: route.abort())
    page.evaluate("() => window.__loketSocket.io.engine.close()")
    page.wait_for_selector("#reconnect", state="visible", timeout=3000)
    hall.press("5")  # C-001, missed
    hall.press("2")  # B-001, missed
    page.wait_for_timeout(500)
    assert recent_tickets(page) == ["A-001"]

    page.unroute(socket_io)
    page.wait_for_function("() => document.getElementById('reconnect').hidden", timeout=5000)
    wait_recent(page, "B-001", 1000)
    assert recent_tickets(page) == ["B-001", "C-001", "A-001"]
    page.wait_for_function("() => window.__loketFlashLog.length >= 3", timeout=5000)
    assert flash_log(page) == ["A-001", "C-001", "B-001"]  # missed ones in call order, once
    assert_only_hub(page, hall.url)
