"""Online booking in headless Chromium on a hall clock the test moves
(tests/support/booking_web.py): a citizen books on a phone-sized screen and gets a code and a
QR; at the hall the kiosk checks the code in (typed on its keys, or "scanned" by a
keyboard-wedge scanner) and prints a booked ticket; the officer's NEXT calls it on the
phone's status page. The kiosk's too-early and too-late answers, the officer's check-in box,
the supervisor's bookings page, and axe-core on /booking, /b/<token> and those screens."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from loket.server.auth import add_user
from tests.support import axe
from tests.support.booking_web import WebHall
from tests.support.display import open_display, wait_recent
from tests.support.kiosk import pair
from tests.support.login import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1280, "height": 800}


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[WebHall]:
    booking_hall = WebHall(tmp_path, start="2026-12-01 07:00").serve()
    yield booking_hall
    booking_hall.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.requests_seen = seen
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    yield page
    context.close()


def kiosk_page(browser: Any, hall: WebHall) -> Any:
    context = browser.new_context(viewport=KIOSK)
    context.add_cookies([hall.kiosk_cookie("lobi")])
    page = context.new_page()
    page.goto(f"{hall.url}/kiosk")
    page.wait_for_selector("#booked-btn:not([hidden])")
    return page


def book_on_phone(page: Any, hall: WebHall, start: str,
                  number: str = "081234567890") -> tuple[str, str]:
    """Book KTP-el today at ``start`` through the page; returns (code, /b/ path)."""
    page.goto(f"{hall.url}/booking")
    page.get_by_role("button", name="Dukcapil").click()
    page.get_by_role("button", name="KTP-el").click()
    page.get_by_role("button", name=re.compile(r"^hari ini, Selasa, 1 Desember 2026")).click()
    page.locator(f'.bk-slot[data-start="{start}"]').click()
    page.wait_for_selector("#step-details:not([hidden])")
    page.get_by_label("Nomor HP (tidak wajib)").fill(number)
    page.get_by_role("button", name="Pesan sekarang").click()
    page.wait_for_selector("#step-done:not([hidden])")
    code = page.locator("#done-code").inner_text()
    link = page.locator("#done-link").get_attribute("href")
    assert link and link.startswith("/b/")
    return code, link.split("?")[0]


def test_book_on_a_phone_check_in_at_the_kiosk_and_get_called(
        browser: Any, phone: Any, hall: WebHall) -> None:
    phone.goto(f"{hall.url}/booking")
    axe.assert_clean(phone, "/booking (agencies)")
    phone.get_by_role("button", name="Dukcapil").click()
    phone.get_by_role("button", name="KTP-el").click()
    phone.get_by_role("button", name=re.compile(r"^hari ini")).click()
    phone.wait_for_selector(".bk-slot")
    # What is left is shown per slot.
    assert phone.locator('.bk-slot[data-start="09:00"] .bk-slot-left').inner_text() == "sisa 2"
    axe.assert_clean(phone, "/booking (slots)")
    phone.locator('.bk-slot[data-start="09:00"]').click()
    phone.wait_for_selector("#step-details:not([hidden])")
    assert phone.locator("#nik-field").is_hidden()  # KTP-el asks for no NIK in this hall
    assert "dihapus 9 hari setelah tanggal reservasi" in phone.locator(".bk-privacy").inner_text()
    axe.assert_clean(phone, "/booking (details)")
    phone.get_by_label("Nomor HP (tidak wajib)").fill("081234567890")
    phone.get_by_role("button", name="Pesan sekarang").click()
    phone.wait_for_selector("#step-done:not([hidden])")
    code = phone.locator("#done-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", code), code
    phone.wait_for_function("() => document.getElementById('done-qr').naturalWidth > 0")
    # The code is the largest text on the page and fits the phone's width.
    box = phone.locator("#done-code").bounding_box()
    assert box["width"] <= PHONE["width"]
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    axe.assert_clean(phone, "/booking (done)")

    phone.locator("#done-link").click()
    phone.wait_for_url(re.compile(r".*/b/[A-Za-z0-9_-]+.*"))
    booking_page = phone.url
    assert phone.locator("#bk-code").inner_text() == code
    assert phone.locator("#bk-status").inner_text() == "Terpesan"
    assert phone.locator("#bk-time").inner_text() == "09:00–09:30"
    phone.wait_for_function("() => document.getElementById('bk-qr').naturalWidth > 0")
    axe.assert_clean(phone, "/b/<token>")
    with phone.expect_download() as download:
        phone.locator("#bk-ics").click()
    ics = Path(download.value.path()).read_bytes()
    assert b"DTSTART;TZID=Asia/Jakarta:20261201T090000" in ics and code.encode() in ics

    # 08:40 at the hall: inside the check-in window (30 min before to 15 min after 09:00).
    hall.clock.set("2026-12-01 08:40")
    kiosk = kiosk_page(browser, hall)
    kiosk.get_by_role("button", name="Saya sudah reservasi").click()
    kiosk.wait_for_selector("#screen-booked:not([hidden])")
    axe.assert_clean(kiosk, "kiosk check-in screen")
    for char in code.replace("-", ""):
        kiosk.locator(".booked-key", has_text=re.compile(f"^{char}$")).click()
    assert kiosk.locator("#booked-code").input_value() == code.replace("-", "")
    kiosk.get_by_role("button", name="Lapor hadir").click()
    kiosk.wait_for_selector("#screen-ticket:not([hidden])")
    assert kiosk.locator("#ticket-number").inner_text() == "A-001"
    assert kiosk.locator("#ticket-booked").is_visible()
    assert kiosk.locator("#pt-booked").inner_text() == "Reservasi"  # on the paper too
    status_url = kiosk.locator("#ticket-qr").get_attribute("data-status-url")
    assert status_url and status_url.startswith("/t/")

    tv = browser.new_page(viewport={"width": 1920, "height": 1080})
    open_display(tv, hall.url + "/display")
    counter_tv = browser.new_page(viewport={"width": 1920, "height": 1080})
    open_display(counter_tv, hall.url + "/display/counter/1")
    # The booking's page now says so and leads to the ticket's status page.
    phone.goto(booking_page)
    assert phone.locator("#bk-status").inner_text() == "Sudah lapor hadir"
    assert phone.locator("#bk-ticket").inner_text() == "A-001"
    axe.assert_clean(phone, "/b/<token> (checked in)")
    phone.get_by_role("link", name="Pantau antrean Anda").click()
    phone.wait_for_url(hall.url + status_url)
    phone.wait_for_selector("#status-badge:has-text('Menunggu')")
    phone.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    device = hall.token()
    called = requests.post(f"{hall.url}/api/counters/1/next",
                           headers={"Authorization": f"Bearer {device}"}, timeout=5)
    assert called.status_code == 200 and called.json()["ticket"] == "A-001"
    assert called.json().get("booked") is True
    phone.wait_for_selector("#status-call-text:has-text('Silakan menuju Loket 1')",
                            timeout=10_000)
    # The TVs mark the call as booked: a tag beside the number and in the recent calls.
    wait_recent(tv, "A-001", 5000)
    tv.wait_for_selector("#hero-booked:visible")
    assert tv.text_content("#hero-booked") == "Reservasi" and tv.is_hidden("#hero-priority")
    assert tv.text_content("#recent-list .recent-row .r-tag") == "Reservasi"
    counter_tv.wait_for_selector("#cs-booked:visible")
    assert counter_tv.text_content("#cs-ticket") == "A-001"
    assert tv.display_errors == [] and counter_tv.display_errors == []
    tv.close()
    counter_tv.close()
    assert phone.script_errors == []
    outside = [u for u in phone.requests_seen if not u.startswith((hall.url, "data:", "blob:"))]
    assert outside == []  # the pages load nothing from another host


def test_kiosk_answers_too_early_and_too_late_and_offers_a_walk_in(
        browser: Any, phone: Any, hall: WebHall) -> None:
    early, _ = book_on_phone(phone, hall, "10:00")
    late, _ = book_on_phone(phone, hall, "08:00", "081298765432")
    hall.clock.set("2026-12-01 08:40")
    kiosk = kiosk_page(browser, hall)

    kiosk.get_by_role("button", name="Saya sudah reservasi").click()
    kiosk.locator("#booked-code").fill(early.lower())  # typed as it comes: case and dash
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_selector("#booked-result.too_early")
    text = kiosk.locator("#booked-result").inner_text()
    assert "pukul 10.00" in text and "Silakan kembali nanti" in text, text
    assert kiosk.locator("#booked-walk-in").is_hidden()

    kiosk.get_by_role("button", name="Hapus", exact=True).click()
    kiosk.locator("#booked-code").fill(late)
    kiosk.get_by_role("button", name="Lapor hadir").click()
    kiosk.wait_for_selector("#booked-result.too_late")
    text = kiosk.locator("#booked-result").inner_text()
    assert "sudah lewat batas waktu check-in" in text and "nomor antrean biasa" in text, text
    kiosk.get_by_role("button", name="Ambil nomor antrean biasa").click()
    kiosk.wait_for_selector("#screen-agency:not([hidden])")
    kiosk.get_by_role("button", name="Dukcapil").click()
    kiosk.get_by_role("button", name="KTP-el").click()
    kiosk.get_by_role("button", name="Ambil Nomor Antrean").click()
    kiosk.wait_for_selector("#screen-ticket:not([hidden])")
    assert kiosk.locator("#ticket-booked").is_hidden()  # a walk-in ticket is not marked

    kiosk.get_by_role("button", name="Selesai").click()
    kiosk.get_by_role("button", name="Saya sudah reservasi").click()
    kiosk.locator("#booked-code").fill("ZZZ-ZZZ")
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_selector("#booked-result.not_found")
    assert "Kode reservasi tidak ditemukan" in kiosk.locator("#booked-result").inner_text()


def test_a_scanner_typing_on_the_start_screen_checks_in(
        browser: Any, phone: Any, hall: WebHall) -> None:
    _, link = book_on_phone(phone, hall, "09:00")
    hall.clock.set("2026-12-01 08:50")
    kiosk = kiosk_page(browser, hall)
    # The page tells a scanner from a person by the page's clock between keydowns. In real
    # time a loaded renderer handles a fast scan's keys more than the allowed gap apart and
    # takes it for a person (under a CPU burner; always with Chromium's CPU throttled 40x).
    # So the page's clock is the test's: paused, the scan's keys all come at one instant;
    # the person's keys come 250 ms of page time apart.
    kiosk.clock.install()
    kiosk.clock.pause_at(time.time() * 1000 + 1000)
    # A USB scanner: the QR's text typed fast, then Enter, while nothing is focused.
    kiosk.keyboard.type(f"https://antrean.example.go.id{link}")
    kiosk.keyboard.press("Enter")
    kiosk.clock.resume()
    kiosk.wait_for_selector("#screen-ticket:not([hidden])")
    assert kiosk.locator("#ticket-booked").is_visible()
    # Slow typing is a person, not a scanner: nothing happens on the start screen.
    kiosk.get_by_role("button", name="Selesai").click()
    kiosk.wait_for_selector("#booked-btn:not([hidden])")  # back on the start screen
    kiosk.clock.pause_at(time.time() * 1000 + 60_000)
    for key in "K7MQ4P":
        kiosk.keyboard.press(key)
        kiosk.clock.run_for(250)
    kiosk.keyboard.press("Enter")
    assert kiosk.locator("#screen-booked").is_hidden()


def test_officer_checks_a_booking_in_from_the_panel(
        browser: Any, phone: Any, hall: WebHall) -> None:
    code, _ = book_on_phone(phone, hall, "09:00")
    hall.clock.set("2026-12-01 08:45")
    add_user(hall.db, "siti", PASSWORD, "officer", ["1"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hall.url}/login?next=/counter/1")
    page.fill('input[name="username"]', "siti")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_selector("#cp-checkin")
    page.get_by_label("Check-in reservasi").fill(code)
    page.get_by_role("button", name="Check-in", exact=True).click()
    page.wait_for_selector("#cp-checkin[data-result='ok']")
    assert "A-001" in page.locator("#cp-checkin-result").inner_text()
    page.locator('.cp-key[data-action="next"]').click()
    page.wait_for_selector("#cp-booked:not([hidden])")
    assert page.locator("#cp-ticket").inner_text() == "A-001"
    page.locator('.cp-key[data-action="done"]').click()
    page.wait_for_selector('#cp-served tr[data-ticket="A-001"] .cp-booked')
    assert page.locator("#cp-booked").is_hidden()  # nobody at the counter now
    page.get_by_label("Check-in reservasi").fill(code)
    page.get_by_role("button", name="Check-in", exact=True).click()
    page.wait_for_selector("#cp-checkin[data-result='error']")
    assert "sudah check-in" in page.locator("#cp-checkin-result").inner_text()
    context.close()


def test_supervisor_sees_todays_bookings_no_shows_and_assigns_outreach_teams(
        browser: Any, hall: WebHall) -> None:
    api = hall.client
    came = api.post("/api/bookings", json={"service": "A", "date": "2026-12-01",
                                           "start": "08:00", "phone": "081200000001"})
    missed = api.post("/api/bookings", json={"service": "A", "date": "2026-12-01",
                                             "start": "08:30", "phone": "081200000002"})
    visit = api.post("/api/bookings", json={
        "service": "B", "date": "2026-12-01", "start": "13:00", "phone": "081200000003",
        "address": "Jl. Melati No. 5, RT 02/RW 03", "contact": "Bu Sri (anak)"})
    assert {came.status_code, missed.status_code, visit.status_code} == {201}, visit.get_json()
    hall.clock.set("2026-12-01 07:50")
    pair(hall.app, api, "lobi")
    assert api.post("/api/bookings/checkin",
                    json={"code": came.get_json()["code"]}).status_code == 201
    hall.clock.set("2026-12-01 09:00")  # the 08:30 slot's window (to 08:45) is over

    add_user(hall.db, "rina", PASSWORD, "supervisor")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hall.url}/login?next=/supervisor/bookings")
    page.fill('input[name="username"]', "rina")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_selector('#bsup-services tr[data-service="A"]')
    cells = page.locator('#bsup-services tr[data-service="A"] td').all_inner_texts()
    assert cells == ["A · KTP-el", "2", "0", "1", "0", "1"]
    missed_row = page.locator(f'#bsup-list tr[data-code="{missed.get_json()["code"]}"]')
    assert "Tidak hadir" in missed_row.inner_text()
    came_row = page.locator(f'#bsup-list tr[data-code="{came.get_json()["code"]}"]')
    assert "A-001" in came_row.inner_text()

    code = visit.get_json()["code"]
    outreach = page.locator(f'#bsup-outreach tr[data-code="{code}"]')
    outreach.wait_for()
    assert "Jl. Melati No. 5" in outreach.inner_text() and "Bu Sri" in outreach.inner_text()
    axe.assert_clean(page, "/supervisor/bookings")
    page.get_by_label(f"Tim untuk {code}").fill("Tim Jemput 2")
    outreach.get_by_role("button", name="Simpan").click()
    page.wait_for_selector(f"#bsup-team-message:has-text('Tim {code} disimpan')")
    sup = hall.token("supervisor", "sup-api")
    listed = requests.get(f"{hall.url}/api/supervisor/outreach",
                          headers={"Authorization": f"Bearer {sup}"}, timeout=5).json()
    assert [b["team"] for b in listed["bookings"] if b["code"] == code] == ["Tim Jemput 2"]

    # The reports gain the booked vs walk-in columns (one walk-in ticket beside the booked one).
    assert api.post("/api/tickets", json={"service": "A"}).status_code == 201
    page.goto(f"{hall.url}/supervisor/reports")
    page.wait_for_selector("#report tbody tr")
    head = page.eval_on_selector_all("#report thead th", "cells => cells.map(c => c.textContent)")
    assert head[-2:] == ["Reservasi", "Datang langsung"]
    first = page.eval_on_selector_all("#report tbody tr:first-child td",
                                      "cells => cells.map(c => c.textContent)")
    assert first[0].startswith("A") and first[-2:] == ["1", "1"], first
    total = page.eval_on_selector_all("#report tfoot th", "cells => cells.map(c => c.textContent)")
    assert total[-2:] == ["1", "1"]
    context.close()


def test_admin_edits_booking_sessions(browser: Any, hall: WebHall) -> None:
    add_user(hall.db, "adi", PASSWORD, "admin")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{hall.url}/login?next=/admin")
    page.fill('input[name="username"]', "adi")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_selector("#badm-form")
    found = axe.violations(page, "#booking")
    assert not found, axe.describe(found)
    rows = page.locator("tr.badm-row")
    assert rows.count() == 4  # three sessions of the hall and the empty new one
    first = rows.nth(0)
    assert first.locator('[name="service"]').input_value() == "A"
    first.get_by_label("Kapasitas per slot 1").fill("4")
    rows.nth(1).get_by_label("Hapus 2").check()  # the NIK session of C goes
    new = rows.nth(3)
    new.get_by_label("Layanan 4").select_option("C")
    new.get_by_label("Hari 4").fill("sat")
    new.get_by_label("Mulai 4").fill("08:00")
    new.get_by_label("Selesai 4").fill("10:00")
    new.get_by_label("Menit per slot 4").fill("60")
    new.get_by_label("Kapasitas per slot 4").fill("3")
    page.get_by_role("button", name="Simpan sesi reservasi").click()
    page.wait_for_function("() => document.querySelectorAll('tr.badm-row').length === 4"
                           " && location.hash === '#booking'")
    token = hall.token("admin", "adm-api")
    sessions = requests.get(f"{hall.url}/api/admin/booking/sessions",
                            headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    got = [(s["service"], s["days"], s["start"], s["capacity"]) for s in sessions["sessions"]]
    assert got == [("A", "daily", "08:00", 4), ("B", "mon-fri", "13:00", 1),
                   ("C", "sat", "08:00", 3)]
    slots = requests.get(f"{hall.url}/api/booking/slots?service=A&date=2026-12-01",
                         timeout=5).json()["slots"]
    assert slots[0]["capacity"] == 4

    # A refusal is shown, nothing is saved.
    page.wait_for_selector("#badm-form")
    page.locator("tr.badm-row").nth(0).get_by_label("Selesai 1").fill("08:10")
    page.get_by_role("button", name="Simpan sesi reservasi").click()
    page.wait_for_function("() => document.getElementById('badm-error').textContent !== ''")
    context.close()


def test_easy_mode_speaks_the_check_in_screen_and_leads_back(
        browser: Any, hall: WebHall) -> None:
    kiosk = kiosk_page(browser, hall)
    kiosk.get_by_role("button", name="Mode mudah").click()
    kiosk.get_by_role("button", name="Saya sudah reservasi").click()
    kiosk.wait_for_function(
        "() => (document.body.dataset.spoken || '').startsWith('/kiosk/speech/booked.wav')")
    prompt = requests.get(f"{hall.url}/kiosk/speech/booked.wav?lang=id", timeout=30)
    assert prompt.status_code == 200 and prompt.headers["Content-Type"] == "audio/wav"
    # The screen's own back button is hidden in Mode mudah; the tools row's one leads back.
    kiosk.locator("#tool-back").click()
    kiosk.wait_for_selector("#screen-agency:not([hidden])")
