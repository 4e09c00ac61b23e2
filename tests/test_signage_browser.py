"""The wall screens' media area, layouts and running texts in headless Chromium against a real
hub: uploaded media play, a call takes the screen over a video (muted), playlist changes arrive
live, scheduled running texts follow a fake clock, the portrait layout, every text readable from
5 m (at least 2.5 % of the screen's height), and screenshots of each layout."""

from __future__ import annotations

import os
import shutil
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from tests.support.display import Hall, assert_only_hub, demo_hall_config, open_display
from tests.support.signage import (
    Signage,
    add_survey_answers,
    clipped_texts,
    make_video,
    off_screen_texts,
    png_bytes,
    set_standar,
    small_texts,
)

pytestmark = pytest.mark.browser

FAST_FLASH = "[display]\nflash_seconds = 1.0\n"


def _busy_hall(hall: Hall) -> None:
    for service, count in {"A": 12, "B": 7, "C": 5, "D": 9, "E": 4, "F": 3, "G": 2}.items():
        for _ in range(count):
            hall.ticket(service)


def _pause(hall: Hall, sig: Signage, service: str) -> None:
    import requests

    response = requests.post(hall.url + "/api/supervisor/paused", headers=sig.headers,
                             json={"service": service, "paused": True}, timeout=5)
    assert response.status_code == 200, response.text


def _settle(page: Any) -> None:
    page.wait_for_function("() => !window.__loketSignage.calling", timeout=15_000)
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(700)


def _shoot(page: Any, name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    target = os.environ.get("LOKET_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / name)
    return path


@pytest.mark.parametrize(("width", "height", "layout", "slide"), [
    (1920, 1080, "calls", None),
    (1920, 1080, "media", "image"),
    (1920, 1080, "media", "skm"),
    (1920, 1080, "media", "standar"),
    (1080, 1920, "portrait", "image"),
    (1080, 1920, "portrait", None),
])
def test_every_text_is_readable_from_five_metres(
    browser: Any, live_hub: Any, write_config: Any, tmp_path: Path,
    width: int, height: int, layout: str, slide: str | None,
) -> None:
    hall = Hall(live_hub(write_config(demo_hall_config(flash_seconds=1.0))))
    sig = Signage(hall.hub)
    _busy_hall(hall)
    if slide == "image":
        image = sig.upload(png_bytes(), "poster.png", "Poster")
        sig.playlist("hall", [{"media": image["id"], "seconds": 600}])
    elif slide == "skm":
        sig.playlist("hall", [{"slide": "skm", "seconds": 600}])
    elif slide == "standar":
        import requests

        sig.playlist("hall", [{"slide": "standar", "service": "A", "seconds": 600}])
        requests.put(hall.url + "/api/supervisor/skm-public", headers=sig.headers, timeout=5,
                     json={"from": "2026-01-01", "to": "2026-12-31", "follow_up": "x"})
    _pause(hall, sig, "A")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.requests_seen = seen
    try:
        query = "" if layout in ("calls", "portrait") and slide is None else f"?layout={layout}"
        if layout == "calls":
            query = "?layout=calls"
        open_display(page, hall.url + "/display" + query)
        for counter in ("1", "4", "8", "6"):
            hall.press(counter)
        hall.press("4", "recall")
        page.wait_for_function("() => window.__loketFlashLog.length >= 5", timeout=30_000)
        _settle(page)
        shot = _shoot(page, f"display-{layout}-{slide or 'none'}-{width}x{height}.png", tmp_path)
        info = page.evaluate("() => window.__loketSignage")
        assert info["layout"] == layout
        small = small_texts(page)
        assert small == [], small
        assert off_screen_texts(page) == []
        # The paused service's label is shown whole, not cut.
        assert clipped_texts(page, ".w-unit") == []
        assert clipped_texts(page, ".r-counter, .hero-counter, .skm-grade") == []
        assert page.text_content(".w-tile[data-key='A'] .w-unit") == "Dihentikan sementara"
        assert shot.stat().st_size > 30_000
        assert_only_hub(page, hall.url)
    finally:
        context.close()


def test_image_then_video_play_live_and_a_call_takes_over(
    page: Any, live_hub: Any, write_config: Any, tmp_path: Path
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    sig = Signage(hall.hub)
    image = sig.upload(png_bytes(), "poster.png", "Poster")
    video = sig.upload(make_video(tmp_path, "webm", seconds=8).read_bytes(), "clip.webm", "Klip")
    sig.playlist("hall", [{"media": image["id"], "seconds": 600}])
    open_display(page, hall.url + "/display")
    page.wait_for_function(
        "() => { const i = document.querySelector('#media-stage img');"
        " return i && i.complete && i.naturalWidth === 1280; }", timeout=10_000)
    src = page.get_attribute("#media-stage img", "src")
    assert src == image["url"]
    assert page.evaluate("() => window.__loketSignage.layout") == "media"
    changes = page.evaluate("() => window.__loketSignage.changes")

    # A supervisor changes the playlist: the open TV switches to the video, no reload.
    sig.playlist("hall", [{"media": video["id"], "seconds": 600}])
    page.wait_for_function(
        "() => { const v = document.querySelector('#media-stage video');"
        " return v && !v.paused && v.currentTime > 0.6; }", timeout=10_000)
    assert page.evaluate("() => window.__loketSignage.changes") > changes
    assert page.evaluate("() => document.querySelector('#media-stage video').muted") is True
    assert page.evaluate("() => new URL(document.querySelector('#media-stage video').src).origin"
                         ) == hall.url
    media_box = page.locator("#media-area").bounding_box()
    hero_before = page.locator("#hero").bounding_box()
    assert media_box["width"] > hero_before["width"]

    # A call: the call panel takes the screen, the video stops and stays muted.
    hall.ticket("A")
    hall.press("1")
    page.wait_for_function("() => window.__loketSignage.calling", timeout=2000)
    state = page.evaluate(
        """() => { const v = document.querySelector('#media-stage video');
                   const a = document.getElementById('media-area');
                   return {paused: v.paused, muted: v.muted,
                           opacity: Number(getComputedStyle(a).opacity),
                           visibility: getComputedStyle(a).visibility,
                           width: a.getBoundingClientRect().width}; }""")
    assert state["paused"] and state["muted"]
    assert state["opacity"] == 0 and state["visibility"] == "hidden"
    hero_during = page.locator("#hero").bounding_box()
    assert hero_during["width"] > hero_before["width"] * 1.5
    assert page.text_content("#hero-ticket") == "A-001"
    # Then the media comes back, playing and muted, where the group's clock is.
    page.wait_for_function("() => !window.__loketSignage.calling", timeout=10_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('#media-stage video');"
        " return v && !v.paused && v.muted; }", timeout=10_000)
    assert_only_hub(page, hall.url)


def test_a_burst_of_calls_keeps_the_screen_until_the_last(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    sig = Signage(hall.hub)
    image = sig.upload(png_bytes(), "poster.png")
    sig.playlist("hall", [{"media": image["id"], "seconds": 600}])
    tickets = [hall.ticket(s) for s in ("A", "B", "C")]
    open_display(page, hall.url + "/display")
    page.wait_for_selector("#media-stage img", timeout=10_000)
    page.evaluate("""() => { window.__hidden = [];
        new MutationObserver(() => {
            const calling = document.getElementById('screen').classList.contains('is-calling');
            if (window.__loketFlashLog.length && window.__loketFlashLog.length < 3 && !calling)
                window.__hidden.push(window.__loketFlashLog.length);
        }).observe(document.getElementById('screen'), {attributes: true}); }""")
    for counter in ("1", "2", "5"):
        hall.press(counter)
    page.wait_for_function("() => window.__loketFlashLog.length >= 3", timeout=15_000)
    assert page.evaluate("() => window.__hidden") == []
    assert page.evaluate("() => window.__loketFlashLog") == tickets
    page.wait_for_function("() => !window.__loketSignage.calling", timeout=10_000)


def test_running_text_appears_only_in_its_window(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    from datetime import datetime

    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    sig = Signage(hall.hub)
    sig.text(text="Layanan Paspor istirahat 12.00-13.00", time="10:00-11:00",
             days=["mon"], **{"from": "2026-11-01", "until": "2026-12-31"})
    sig.text(text="Khusus lantai dua", zone="lantai-2")
    # Monday 30 November 2026, 09:30 in Jakarta (UTC+7).
    page.clock.set_fixed_time(datetime(2026, 11, 30, 2, 30, tzinfo=UTC))
    open_display(page, hall.url + "/display?zone=lantai-1")
    ticker = "() => document.getElementById('ticker-text').textContent"
    page.wait_for_timeout(300)
    assert "Paspor istirahat" not in page.evaluate(ticker)
    assert "Selamat datang" in page.evaluate(ticker)
    page.clock.set_fixed_time(datetime(2026, 11, 30, 3, 15, tzinfo=UTC))  # 10.15
    page.wait_for_function(
        "() => document.getElementById('ticker-text').textContent.includes('Paspor istirahat')",
        timeout=8000)
    text = page.evaluate(ticker)
    assert text.index("Selamat datang") < text.index("Paspor istirahat")  # the hall's text first
    assert "Khusus lantai dua" not in text  # another zone's
    page.clock.set_fixed_time(datetime(2026, 11, 30, 4, 1, tzinfo=UTC))  # 11.01
    page.wait_for_function(
        "() => !document.getElementById('ticker-text').textContent.includes('Paspor')",
        timeout=8000)
    page.clock.set_fixed_time(datetime(2026, 12, 1, 3, 15, tzinfo=UTC))  # Tuesday 10.15
    page.wait_for_timeout(5600)
    assert "Paspor" not in page.evaluate(ticker)
    page.clock.set_fixed_time(datetime(2027, 1, 4, 3, 15, tzinfo=UTC))  # after `until`
    page.wait_for_timeout(5600)
    assert "Paspor" not in page.evaluate(ticker)
    # The same rules, straight: overnight windows and weekday lists.
    rules = page.evaluate("""() => {
        const a = window.LoketDisplay.signageRules.applies;
        const at = (day, h, m, weekday) => ({day, minutes: h * 60 + m, weekday});
        return [a({time: '22:00-02:00'}, at('2026-11-30', 23, 0, 'mon')),
                a({time: '22:00-02:00'}, at('2026-11-30', 3, 0, 'mon')),
                a({days: ['sat', 'sun']}, at('2026-11-28', 9, 0, 'sat')),
                a({from: '2026-12-01'}, at('2026-11-30', 9, 0, 'mon'))]; }""")
    assert rules == [True, False, True, False]


def test_skm_slide_shows_the_published_results(
    page: Any, live_hub: Any, write_config: Any, tmp_path: Path
) -> None:
    from datetime import date

    import requests

    hub = live_hub(write_config(demo_hall_config(flash_seconds=1.0)))
    hall = Hall(hub)
    sig = Signage(hub)
    add_survey_answers(hub.config_path, [[4] * 9, [3] * 9, [4, 4, 3, 4, 4, 4, 4, 3, 4]])
    requests.put(hall.url + "/api/supervisor/skm-public", headers=sig.headers, timeout=5, json={
        "from": f"{date.today().year}-01-01", "to": f"{date.today().year}-12-31",
        "follow_up": "Kursi ruang tunggu ditambah; papan petunjuk diperjelas."}).raise_for_status()
    sig.playlist("hall", [{"slide": "skm", "seconds": 600}])
    open_display(page, hall.url + "/display")
    page.wait_for_selector(".slide-skm", timeout=10_000)
    assert page.text_content(".skm-ikm") == "89,81"
    assert page.text_content(".skm-grade").startswith("A")
    assert page.text_content(".skm-resp") == "3"
    assert page.locator(".skm-element").count() == 9
    assert "Kursi ruang tunggu" in page.text_content(".skm-follow")
    assert small_texts(page) == []
    _shoot(page, "display-skm-slide.png", tmp_path)


def test_standar_slide_and_maklumat(page: Any, live_hub: Any, write_config: Any,
                                    tmp_path: Path) -> None:
    hub = live_hub(write_config(demo_hall_config(flash_seconds=1.0)))
    hall = Hall(hub)
    sig = Signage(hub)
    set_standar(hub.config_path, "A", {
        "persyaratan": "Fotokopi Kartu Keluarga\nSurat pengantar RT/RW", "prosedur":
        "Ambil nomor, foto, sidik jari, tanda tangan", "waktu": "Selesai pada hari yang sama",
        "biaya": "Gratis", "produk": "KTP-el", "pengaduan": "Meja informasi atau /pengaduan"})
    sig.playlist("hall", [{"slide": "standar", "service": "A", "seconds": 600}])
    open_display(page, hall.url + "/display")
    page.wait_for_selector(".slide-standar", timeout=10_000)
    assert "Fotokopi Kartu Keluarga" in page.text_content(".standar-list")
    assert "Gratis" in page.text_content(".standar-list")
    assert small_texts(page) == []
    _shoot(page, "display-standar-slide.png", tmp_path)


def test_kiosk_info_layanan_before_taking_a_ticket(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    hub = live_hub(write_config())
    set_standar(hub.config_path, "C", {"persyaratan": "Paspor lama dan KTP-el asli",
                                       "biaya": "Rp350.000 (48 halaman)"})
    page.goto(f"{hub.url}/kiosk")
    page.get_by_role("button", name="Imigrasi").click()
    page.get_by_role("button", name="Paspor").click()
    page.get_by_role("button", name="Info layanan").click()
    dialog = page.locator("#kiosk-info")
    dialog.wait_for(state="visible", timeout=5000)
    assert "Paspor lama dan KTP-el asli" in dialog.text_content()
    assert "Rp350.000" in dialog.text_content()
    assert "Persyaratan" in dialog.text_content()
    page.get_by_role("button", name="Tutup").click()
    dialog.wait_for(state="hidden", timeout=2000)
    # The ticket can still be taken after reading.
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#ticket-number:has-text('C-001')", timeout=5000)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_counter_screen_with_its_playlist_is_readable(
    browser: Any, live_hub: Any, write_config: Any, tmp_path: Path, width: int, height: int
) -> None:
    hall = Hall(live_hub(write_config(demo_hall_config(flash_seconds=1.0))))
    sig = Signage(hall.hub)
    image = sig.upload(png_bytes(), "poster.png")
    sig.playlist("counter:8", [{"media": image["id"], "seconds": 600}])
    hall.ticket("C")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        open_display(page, hall.url + "/display/counter/8")
        page.wait_for_selector("#media-stage img", timeout=10_000)
        expected = "portrait" if height > width else "media"
        assert page.evaluate("() => window.__loketSignage.layout") == expected
        hall.press("8")
        page.wait_for_function("() => window.__loketSignage.calling", timeout=3000)
        page.wait_for_function("() => !window.__loketSignage.calling", timeout=15_000)
        page.wait_for_timeout(500)
        _shoot(page, f"display-counter-media-{width}x{height}.png", tmp_path)
        assert small_texts(page) == []
        assert off_screen_texts(page) == []
    finally:
        context.close()


def test_a_screen_that_was_offline_catches_up_on_reconnect(
    page: Any, live_hub: Any, write_config: Any
) -> None:
    import re

    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    sig = Signage(hall.hub)
    first = sig.upload(png_bytes(color="#1d4a82"), "one.png")
    second = sig.upload(png_bytes(color="#6fe3a5"), "two.png")
    sig.playlist("hall", [{"media": first["id"], "seconds": 600}])
    open_display(page, hall.url + "/display")
    page.wait_for_selector(f"#media-stage img[src='{first['url']}']", timeout=10_000)
    socket_io = re.compile(r"/socket\.io/")
    page.route(socket_io, lambda route: route.abort())
    page.evaluate("() => window.__loketSocket.io.engine.close()")
    page.wait_for_selector("#reconnect", state="visible", timeout=3000)
    sig.playlist("hall", [{"media": second["id"], "seconds": 600}])  # missed while offline
    page.wait_for_timeout(700)
    assert page.get_attribute("#media-stage img", "src") == first["url"]
    page.unroute(socket_io)
    page.wait_for_selector(f"#media-stage img[src='{second['url']}']", timeout=8000)


def test_supervisor_manages_the_screens_in_the_browser(
    browser: Any, live_hub: Any, write_config: Any, tmp_path: Path
) -> None:
    import subprocess
    import sys

    config_path = write_config(extra=FAST_FLASH)
    hub = live_hub(config_path)
    password = "rahasia-supervisor-1"
    subprocess.run([sys.executable, "-m", "loket", "user", "add", "sup", "--role", "supervisor",
                    "--password-stdin", "--config", str(config_path)], input=password + "\n",
                   text=True, check=True, capture_output=True)
    add_survey_answers(config_path, [[4] * 9, [2, 3, 3, 3, 3, 3, 3, 3, 3]])
    poster = tmp_path / "poster.png"
    poster.write_bytes(png_bytes())
    tv = browser.new_page(viewport={"width": 1920, "height": 1080})
    admin = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        open_display(tv, hub.url + "/display")
        admin.goto(f"{hub.url}/login?next=/supervisor/signage")
        admin.fill("input[name=username]", "sup")
        admin.fill("input[name=password]", password)
        admin.click("button[type=submit]")
        admin.wait_for_url(f"{hub.url}/supervisor/signage")
        admin.set_input_files("#upload-file", str(poster))
        admin.click("#upload-form button[type=submit]")
        admin.wait_for_selector("#media-list li img", timeout=10_000)
        admin.click("#pl-add-media")
        admin.click("#pl-save")
        admin.wait_for_selector("#sig-status:has-text('Tersimpan')", timeout=5000)
        tv.wait_for_selector("#media-stage img", timeout=5000)  # live, no reload
        admin.fill("#text-form input[name=text]", "Pelayanan Samsat pindah ke lantai 2")
        admin.click("#text-form button[type=submit]")
        tv.wait_for_function("() => document.getElementById('ticker-text').textContent"
                             ".includes('Samsat pindah')", timeout=5000)
        assert "Dasbor" in admin.text_content(".sig-nav")
        # The Standar Pelayanan is read-only for a supervisor.
        assert admin.locator("#std-form textarea").first.get_attribute("readonly") is not None
        admin.screenshot(path=str(tmp_path / "signage-admin.png"), full_page=True)
        if os.environ.get("LOKET_SCREENSHOTS"):
            shutil.copy(tmp_path / "signage-admin.png", os.environ["LOKET_SCREENSHOTS"])
        # The report shows the nine elements per group and for the hall.
        admin.goto(f"{hub.url}/supervisor/reports")
        admin.wait_for_selector("#report-elements tfoot th:nth-child(10)", timeout=5000)
        total = admin.eval_on_selector_all("#report-elements tfoot th",
                                           "cells => cells.map(c => c.textContent)")
        assert total[1] == "3.00" and total[2] == "3.50"
        admin.wait_for_selector("#report-elements-legend li", timeout=5000)
        assert admin.locator("#report-elements-legend li").count() == 9
    finally:
        tv.close()
        admin.close()


def test_public_pages_fit_a_phone(browser: Any, live_hub: Any, write_config: Any,
                                  tmp_path: Path) -> None:
    hub = live_hub(write_config(demo_hall_config(flash_seconds=1.0)))
    set_standar(hub.config_path, "A", {
        "persyaratan": "1. Fotokopi Kartu Keluarga\n2. Surat pengantar RT/RW\n3. Akta kelahiran",
        "prosedur": "Ambil nomor antrean, tunggu panggilan, perekaman foto dan sidik jari",
        "waktu": "Selesai pada hari yang sama", "biaya": "Gratis (tidak dipungut biaya)",
        "produk": "KTP elektronik", "pengaduan": "Meja informasi, /pengaduan, SP4N-LAPOR!"})
    add_survey_answers(hub.config_path, [[4] * 9, [3, 3, 4, 4, 3, 4, 4, 3, 3]])
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        for path, name in (("/info/A", "info-phone.png"), ("/skm", "skm-phone.png"),
                           ("/pengaduan", "pengaduan-phone.png")):
            phone.goto(hub.url + path)
            phone.wait_for_load_state("networkidle")
            width = phone.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            smallest = phone.evaluate(
                "() => Math.min(...[...document.querySelectorAll('main *')]"
                ".filter(e => e.childNodes.length && e.offsetParent)"
                ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
            assert smallest >= 14, (path, smallest)
            _shoot(phone, name, tmp_path)
        phone.goto(hub.url + "/skm")
        phone.wait_for_function("() => window.Chart && Chart.getChart('skm-chart')")
        assert phone.evaluate("() => Chart.getChart('skm-chart').data.datasets[0].data.length") == 9
        # Every link to a form field has a label; the LAPOR! link is a plain link.
        phone.goto(hub.url + "/pengaduan")
        assert phone.get_attribute("a[href='https://www.lapor.go.id']", "rel") is not None
        for field in ("service", "text", "contact"):
            assert phone.locator(f"label[for={field}]").count() == 1
    finally:
        phone.close()


def test_an_h264_mp4_plays_in_the_media_area(
    page: Any, live_hub: Any, write_config: Any, tmp_path: Path
) -> None:
    hall = Hall(live_hub(write_config(extra=FAST_FLASH)))
    sig = Signage(hall.hub)
    video = sig.upload(make_video(tmp_path, "mp4", seconds=4).read_bytes(), "clip.mp4")
    sig.playlist("hall", [{"media": video["id"]}])  # no seconds: the video's own length
    open_display(page, hall.url + "/display")
    page.wait_for_function(
        "() => { const v = document.querySelector('#media-stage video');"
        " return v && !v.paused && v.currentTime > 0.5 && v.muted; }", timeout=10_000)
    seen = [url for url in page.requests_seen if f"/media/{video['id']}" in url]
    assert seen and all(url.startswith(hall.url + "/") for url in seen)
    assert_only_hub(page, hall.url)
