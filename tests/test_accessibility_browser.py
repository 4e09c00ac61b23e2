"""Issue 19 in headless Chromium: axe-core (npm, served to the test only) finds no WCAG 2.1 A/AA
or best-practice violation on the citizen pages in every screen and state, and the pages work
by keyboard: the kiosk keeps focus through a queue update, each screen takes focus, the phone's
live regions change on each event, the survey fits a phone and 200 % zoom. The accessible
kiosk mode keeps every control in the lower half and speaks through the page's audio element;
a help request goes from the kiosk to the dashboard and the officer panel until it is taken."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from loket.audio import pcm
from tests.support.hall import ROOT, SMALL_HALL, LiveHub

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
KIOSK = """
[kiosk]
idle_timeout_s = 10

[[kiosks]]
id = "pintu"
"""
PASSWORD = "rahasia-petugas-1"
KIOSK_SIZES = [(1080, 1920), (1280, 800)]


def hall_config(write_config: Callable[..., Path], quota_c: bool = False) -> Path:
    text = SMALL_HALL
    if quota_c:
        paspor = 'prefix = "C"\nname = "Paspor"'
        text = text.replace(paspor, paspor + "\nquota = 1")
    return write_config(text, KIOSK)


@pytest.fixture
def contexts(browser: Any) -> Iterator[Callable[..., Any]]:
    """New pages in their own contexts; CSP bypassed so axe-core can be injected."""
    made: list[Any] = []

    def new_page(width: int, height: int, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      bypass_csp=True, **options)
        made.append(context)
        return context.new_page()

    yield new_page
    for context in made:
        context.close()


def axe(page: Any, label: str) -> list[str]:
    """axe-core's violations on the page as it is now, one line each."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)")
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' ' +
                    (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | '));
        }""",
        TAGS,
    )
    return [f"{label}: {v}" for v in found]


def device(hub: LiveHub, counters: str = "1,2,5") -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.token('device', 'keypads', counters)}"}


def ticket(hub: LiveHub, service: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = requests.post(f"{hub.url}/api/tickets", json={"service": service},
                             headers=headers or {}, timeout=5)
    assert response.status_code == 201, response.text
    return dict(response.json())


def act(hub: LiveHub, headers: dict[str, str], counter: str, action: str) -> dict[str, Any]:
    response = requests.post(f"{hub.url}/api/counters/{counter}/{action}", headers=headers,
                             timeout=5)
    assert response.status_code == 200, response.text
    return dict(response.json())


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def controls_top(page: Any) -> list[tuple[str, float]]:
    """The top edge of every visible control (buttons, links, form fields)."""
    return [(name, float(top)) for name, top in page.evaluate("""() =>
        Array.from(document.querySelectorAll('button, a[href], input, select, textarea'))
          .filter(e => { const r = e.getBoundingClientRect();
                         return r.width > 0 && r.height > 0
                           && getComputedStyle(e).visibility !== 'hidden'; })
          .map(e => [(e.id || e.className || e.tagName) + ' '
                       + (e.textContent || '').trim().slice(0, 30),
                     e.getBoundingClientRect().top])""")]


# --------------------------------------------------------------------------- kiosk
@pytest.mark.parametrize("size", KIOSK_SIZES, ids=["portrait", "landscape"])
def test_kiosk_every_screen_passes_axe(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path], size: tuple[int, int],
) -> None:
    hub = live_hub(hall_config(write_config, quota_c=True))
    ticket(hub, "C")  # Imigrasi's only service is now full: the agency looks unavailable
    page = contexts(*size)
    page.goto(f"{hub.url}/kiosk?id=pintu")
    page.wait_for_selector("body[data-live='1']", state="attached")
    imigrasi = page.locator(".agency-choice[data-agency='imigrasi']")
    imigrasi.locator(".choice-reason").wait_for()
    assert "unavailable" in (imigrasi.get_attribute("class") or "")
    # The hub says why (GET /api/services gives each agency a reason_text).
    assert "Kuota hari ini habis" in imigrasi.inner_text()
    found = axe(page, "agency")
    page.get_by_role("button", name="Dukcapil").click()
    found += axe(page, "service")
    page.locator(".service-choice[data-service='A']").click()
    found += axe(page, "confirm")
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    found += axe(page, "ticket")
    # The ticket's buttons are on screen without scrolling, the QR code has a real text
    # alternative, and the status address, date and time are there as text.
    for button in ("#ticket-done", "#browser-print", "#help-on-call"):
        box = page.locator(button).bounding_box()
        assert box and box["y"] + box["height"] <= size[1], (button, box)
    assert no_horizontal_scroll(page)
    tools = page.locator("#kiosk-tools").bounding_box()
    assert tools and tools["y"] + tools["height"] > size[1] - 60  # the page fills the screen
    if size[1] > size[0]:  # portrait: the ticket uses the height, not only the top half
        card = page.locator(".ticket-card").bounding_box()
        assert card and card["height"] > 0.45 * size[1] and card["y"] > 0.1 * size[1]
    alt = page.locator("#ticket-qr").get_attribute("alt") or ""
    url = page.locator("#ticket-url").inner_text()
    assert "A-001" in alt and url in alt and "/t/" in url
    assert page.locator("#ticket-time").inner_text().startswith("Diambil ")
    assert page.locator("h1#ticket-title").inner_text().split() == [
        "Nomor", "antrean", "Anda", "A-001"]
    page.get_by_role("button", name="Butuh Bantuan").click()
    found += axe(page, "help")
    page.get_by_role("button", name="Di anjungan ini").click()
    page.wait_for_selector("#help-result:has-text('Petugas segera datang')")
    found += axe(page, "help sent")
    page.locator("#help-cancel").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    page.wait_for_selector("body[data-idle='warning']", timeout=10_000)  # idle_timeout_s = 10
    found += axe(page, "idle warning")
    page.get_by_role("button", name="Saya masih di sini").click()
    assert page.locator("#screen-ticket").is_visible()
    page.get_by_role("button", name="Mode mudah").click()
    found += axe(page, "easy ticket")
    page.get_by_role("button", name="Selesai").click()
    page.get_by_role("button", name="Mode mudah").click()
    found += axe(page, "easy agency")
    page.get_by_role("button", name="Dukcapil").click()
    found += axe(page, "easy service")
    page.locator(".service-choice[data-service='B']").click()
    found += axe(page, "easy confirm")
    assert found == []


def test_kiosk_keeps_focus_through_updates_and_focuses_each_screen(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path],
) -> None:
    hub = live_hub(hall_config(write_config))
    page = contexts(1280, 800)
    page.goto(f"{hub.url}/kiosk?id=pintu")
    page.wait_for_selector("body[data-live='1']", state="attached")
    page.wait_for_selector(".agency-choice")
    assert page.locator("#kiosk-app").get_attribute("aria-live") is None  # not one big region
    # The contract: "Bantuan" and "Mode mudah" on the first screen, reachable by keyboard.
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert any("Bantuan" in n for n in names) and any("Mode mudah" in n for n in names)

    page.locator(".agency-choice[data-agency='dukcapil']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "service-title"
    for _ in range(4):  # KTP-el, then Kartu Keluarga
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.service") == "B":
            break
    focused = page.evaluate("""() => { const e = document.activeElement;
        e.__marked = true; return e.dataset.service; }""")
    assert focused == "B"
    count = page.locator(".service-choice[data-service='B'] .waiting-count")
    assert count.inner_text() == "0 orang menunggu"
    ticket(hub, "B")  # another citizen, another kiosk
    page.wait_for_selector(
        ".service-choice[data-service='B'] .waiting-count:has-text('1 orang menunggu')")
    page.wait_for_timeout(1500)  # the refetch of estimates and quotas has landed too
    assert page.evaluate("() => document.activeElement.__marked === true")
    assert page.evaluate("() => document.activeElement.dataset.service") == "B"

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "confirm-title"
    page.locator("#take-btn").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#screen-ticket:not([hidden])")
    assert page.evaluate("() => document.activeElement.id") == "ticket-title"
    page.locator("#help-btn").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "help-title"
    page.keyboard.press("Escape")
    page.locator("#help-cancel").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "ticket-title"
    # The focus ring: an ink band on the control's edge and a white one outside it.
    page.locator("#ticket-done").focus()
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineColor, s.boxShadow]; }""")
    assert ring[0] == "solid" and ring[1] == "rgb(255, 255, 255)" and "rgb(13, 27, 42)" in ring[2]


def test_kiosk_language_resets_after_a_ticket(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path],
) -> None:
    hub = live_hub(hall_config(write_config))
    page = contexts(1280, 800)
    page.goto(f"{hub.url}/kiosk?id=pintu")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert "id=pintu" in page.url  # the kiosk id survives the language switch
    page.get_by_role("button", name="Imigrasi").click()
    page.locator(".service-choice[data-service='C']").click()
    page.get_by_role("button", name="Take a number").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    page.get_by_role("button", name="Done").click()
    page.wait_for_url("**lang=id**")
    page.wait_for_selector("#agency-title:has-text('Pilih instansi')")
    assert "id=pintu" in page.url


# --------------------------------------------------------------------------- accessible mode
def _wav_peak(data: bytes) -> tuple[float, int]:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate(), pcm.peak(w.readframes(w.getnframes()))


@pytest.mark.parametrize("size", KIOSK_SIZES, ids=["portrait", "landscape"])
def test_accessible_mode_is_large_low_and_spoken(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path], size: tuple[int, int],
) -> None:
    hub = live_hub(hall_config(write_config))
    page = contexts(*size)
    page.goto(f"{hub.url}/kiosk?id=pintu")
    page.wait_for_selector(".agency-choice")
    name_size = ("() => parseFloat(getComputedStyle("
                 "document.querySelector('.choice-name')).fontSize)")
    normal_font = page.evaluate(name_size)
    page.locator("#easy-toggle").focus()
    page.keyboard.press("Enter")
    assert page.locator("#easy-toggle").get_attribute("aria-pressed") == "true"
    easy_font = page.evaluate(name_size)
    assert easy_font >= normal_font * 1.1  # large text
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    half = size[1] / 2
    heard: list[str] = []

    def check_screen(name: str) -> None:
        page.wait_for_timeout(250)
        high = [(n, top) for n, top in controls_top(page) if top < half]
        assert high == [], f"{name}: controls in the upper half: {high}"
        spoken = page.evaluate("() => document.body.dataset.spoken")
        assert spoken and spoken.startswith("/kiosk/speech/")
        heard.append(spoken)

    check_screen("agency")
    page.wait_for_function("() => Number(document.body.dataset.voicePlayed || 0) >= 1")
    page.get_by_role("button", name="Dukcapil").click()
    check_screen("service")
    assert heard[-1].startswith("/kiosk/speech/service.wav")
    page.locator(".service-choice[data-service='A']").click()
    check_screen("confirm")
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    check_screen("ticket")
    assert heard[-1].startswith("/kiosk/speech/ticket/")
    page.wait_for_function(
        "() => document.getElementById('kiosk-voice').currentSrc.includes('/kiosk/speech/ticket/')")
    page.wait_for_function("() => Number(document.body.dataset.voicePlayed || 0) >= 3")
    page.get_by_role("button", name="Butuh Bantuan").click()
    check_screen("help")
    # What the page's audio element played is real speech, in the hall's voice.
    for url in {heard[0], heard[-2], heard[-1]}:
        response = page.request.get(hub.url + url)
        assert response.ok and response.headers["content-type"] == "audio/wav"
        seconds, peak = _wav_peak(response.body())
        assert seconds > 0.8 and peak > 2000, url
    page.locator("#tool-back").click()
    page.get_by_role("button", name="Selesai").click()
    # The next citizen gets the normal kiosk.
    page.wait_for_selector("body:not(.easy)", state="attached")
    assert page.locator("#easy-toggle").get_attribute("aria-pressed") == "false"


# --------------------------------------------------------------------------- help on request
def add_user(config: Path, name: str, role: str, counters: str = "") -> None:
    args = [sys.executable, "-m", "loket", "user", "add", name, "--role", role,
            "--name", name.title(), "--password-stdin", "--config", str(config)]
    if counters:
        args += ["--counters", counters]
    subprocess.run(args, input=PASSWORD + "\n", text=True, cwd=ROOT, check=True,
                   capture_output=True)


def log_in(page: Any, hub: LiveHub, name: str, path: str) -> None:
    page.goto(f"{hub.url}/login?next={path}")
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{hub.url}{path}")


def test_help_request_from_kiosk_to_dashboard_and_panel_until_taken(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path],
) -> None:
    config = hall_config(write_config)
    hub = live_hub(config)
    add_user(config, "siti", "officer", "5")
    add_user(config, "budi", "supervisor")
    officer = contexts(1366, 768)
    log_in(officer, hub, "siti", "/counter/5")
    officer.wait_for_selector("body[data-assist-live='1']", state="attached")
    supervisor = contexts(1366, 900)
    log_in(supervisor, hub, "budi", "/supervisor")
    supervisor.wait_for_selector("body[data-assist-live='1']", state="attached")
    kiosk = contexts(1080, 1920)
    kiosk.goto(f"{hub.url}/kiosk?id=pintu")
    kiosk.wait_for_selector(".agency-choice")

    kiosk.get_by_role("button", name="Bantuan").click()
    kiosk.get_by_role("button", name="Di pintu masuk").click()
    kiosk.wait_for_selector("#help-result:has-text('Petugas segera datang')")

    for page in (officer, supervisor):
        page.wait_for_selector("#assist-list li:has-text('Di pintu masuk')", timeout=5000)
        page.wait_for_function("() => Number(document.body.dataset.assistSounds || 0) >= 1")
        assert "Di pintu masuk" in page.locator("#assist-alert").inner_text()
    supervisor.wait_for_selector("#alerts li[data-kind='assistance']:has-text('Di pintu masuk')")
    officer.get_by_role("button", name="Saya tangani").click()
    officer.wait_for_selector("#assist-box", state="hidden")
    supervisor.wait_for_selector("#assist-box", state="hidden", timeout=5000)
    supervisor.wait_for_selector("#alerts li[data-kind='assistance']", state="detached",
                                 timeout=15_000)

    # A ticket marked at the kiosk: its call tells the officer to fetch the citizen.
    kiosk.get_by_role("button", name="Imigrasi").click()
    kiosk.locator(".service-choice[data-service='C']").click()
    kiosk.get_by_role("button", name="Ambil Nomor Antrean").click()
    kiosk.wait_for_selector("#screen-ticket:not([hidden])")
    kiosk.locator("#help-on-call").click()
    kiosk.wait_for_selector("#help-call-state:has-text('Dicatat')")
    assert kiosk.locator("#help-on-call").get_attribute("aria-pressed") == "true"
    officer.locator('button[data-action="next"]').click()
    officer.wait_for_selector("#assist-list li.assist-fetch:has-text('C-001')", timeout=5000)
    assert "jemput" in officer.locator("#assist-alert").inner_text()


# --------------------------------------------------------------------------- phone status page
def test_status_page_every_state_live_regions_and_zoom(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path],
) -> None:
    hub = live_hub(hall_config(write_config))
    keys = device(hub)
    ticket(hub, "C")
    mine = ticket(hub, "C")
    skipped = ticket(hub, "A")
    phone = contexts(390, 844)
    phone.goto(hub.url + mine["status_url"])
    phone.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    assert phone.locator("h1").inner_text().split()[-1] == mine["ticket"]
    live = phone.locator("#status-wait")
    assert live.get_attribute("role") == "status"
    assert phone.locator("#status-live").get_attribute("role") == "status"
    assert phone.locator("#status-badge").get_attribute("role") == "status"
    assert phone.locator("#status-call").get_attribute("role") == "alert"
    assert "1 orang di depan" in phone.locator("#status-ahead").inner_text()
    found = axe(phone, "waiting")

    # The page and the number at 200 % zoom (a 390 px phone: 195 CSS px).
    zoomed = contexts(195, 422)
    zoomed.goto(hub.url + mine["status_url"])
    zoomed.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    assert no_horizontal_scroll(zoomed)
    number = zoomed.locator("#status-number")
    box = number.bounding_box()
    line = float(zoomed.evaluate("""() => {
        const s = getComputedStyle(document.getElementById('status-number'));
        return parseFloat(s.lineHeight) || parseFloat(s.fontSize); }"""))
    assert box and box["height"] < line * 1.5  # one line: "C-002" never breaks
    bar = zoomed.locator(".status-bar").bounding_box()
    assert bar and bar["width"] <= 195

    act(hub, keys, "5", "next")  # calls C-001: one fewer ahead
    phone.wait_for_selector("#status-ahead:has-text('Tidak ada yang di depan')", timeout=5000)
    act(hub, keys, "5", "done")
    act(hub, keys, "5", "next")  # calls mine
    phone.wait_for_selector("#status-call-text:has-text('Silakan menuju Loket 5')", timeout=5000)
    assert phone.locator("#status-badge").inner_text() == "Dipanggil"
    assert phone.locator("#status-sound").is_visible()
    found += axe(phone, "called")
    act(hub, keys, "5", "start")
    phone.wait_for_selector("#status-badge:has-text('Sedang dilayani')", timeout=5000)
    assert "Dilayani di Loket 5" in phone.locator("#status-call-text").inner_text()
    found += axe(phone, "serving")
    act(hub, keys, "5", "done")
    phone.wait_for_selector("#status-badge:has-text('Selesai dilayani')", timeout=5000)
    assert phone.locator("#status-call-text").inner_text() == ""
    assert not phone.locator("#status-sound").is_visible()  # no call sound after the end
    assert phone.locator("#status-survey").is_visible()
    assert not phone.locator("#status-help").is_visible()
    found += axe(phone, "done")

    other = contexts(390, 844)
    other.goto(hub.url + skipped["status_url"])
    other.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    # Help from the phone.
    other.get_by_role("button", name="Butuh bantuan").click()
    other.get_by_label("Di mana Anda?").select_option(label="Di pintu masuk")
    found += axe(other, "help form")
    other.get_by_role("button", name="Panggil petugas").click()
    other.wait_for_selector("#status-help-result:has-text('Petugas segera datang')")
    act(hub, keys, "1", "next")
    other.wait_for_selector("#status-badge:has-text('Dipanggil')", timeout=5000)
    act(hub, keys, "1", "skip")
    other.wait_for_selector("#status-badge:has-text('Dilewati')", timeout=5000)
    assert "tidak hadir" in other.locator("#status-note").inner_text()
    assert not other.locator("#status-sound").is_visible()
    found += axe(other, "no-show")

    # The connection state is a live region too.
    hub.kill()
    other.wait_for_selector("#status-live:has-text('Sambungan terputus')", timeout=30_000)
    assert found == []


# --------------------------------------------------------------------------- survey
@pytest.mark.parametrize("size", [(390, 844), (640, 400)], ids=["phone", "zoom200"])
def test_survey_on_a_phone_and_zoomed(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path], size: tuple[int, int],
) -> None:
    hub = live_hub(hall_config(write_config))
    keys = device(hub)
    served = ticket(hub, "C")
    waiting = ticket(hub, "C")
    act(hub, keys, "5", "next")
    act(hub, keys, "5", "done")
    page = contexts(*size)

    page.goto(f"{hub.url}/survey?token={waiting['status_token']}")
    assert "masih menunggu" in page.locator("#survey-not-yet").inner_text()
    assert page.locator(".survey-q").count() == 0  # said before the nine questions
    found = axe(page, "not yet")

    page.goto(f"{hub.url}/survey?token={served['status_token']}")
    assert no_horizontal_scroll(page)
    found += axe(page, "survey")
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.evaluate("() => document.activeElement.name") == "u1"
    assert page.locator("#survey-message").inner_text() == "Silakan jawab kesembilan pertanyaan."
    assert page.locator("#q1-error").is_visible()
    found += axe(page, "survey errors")
    for n in (1, 2, 3, 5, 6, 7, 8, 9):
        page.locator(f"input[name='u{n}'][value='4']").check()
    assert not page.locator("#q1-error").is_visible()
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.evaluate("() => document.activeElement.name") == "u4"
    page.locator("input[name='u4'][value='3']").check()
    page.get_by_role("button", name="Kirim penilaian").click()
    page.wait_for_selector("#survey-done:has-text('Terima kasih')")
    assert page.evaluate("() => document.activeElement.id") == "survey-done"
    assert page.locator("#survey-done").get_attribute("role") == "status"
    assert no_horizontal_scroll(page)
    found += axe(page, "thanks")

    page.goto(f"{hub.url}/survey")  # no ticket: the code is asked, in Indonesian
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.evaluate("() => document.activeElement.id") == "survey-token"
    assert page.locator("#survey-message").inner_text() == "Silakan isi kode tiket."
    assert found == []


# --------------------------------------------------------------------------- TV
DISPLAY_KNOWN: set[str] = set()
"""Rules /display may still break (none: the hall's name is the TV's h1)."""


def test_display_axe(contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
                     write_config: Callable[..., Path]) -> None:
    hub = live_hub(hall_config(write_config))
    keys = device(hub)
    ticket(hub, "A")
    ticket(hub, "C")
    page = contexts(1920, 1080)
    page.goto(f"{hub.url}/display")
    page.wait_for_timeout(800)
    act(hub, keys, "1", "next")
    page.wait_for_timeout(1500)
    found = axe(page, "display")
    unexpected = [v for v in found if v.split(": ")[1].split(" ")[0] not in DISPLAY_KNOWN]
    assert unexpected == [], "\n".join(found)


# --------------------------------------------------------------------------- screenshots
def test_kiosk_screenshots(contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
                           write_config: Callable[..., Path], tmp_path: Path) -> None:
    """The kiosk (start, accessible mode, ticket) in portrait and landscape, and the phone;
    copied to LOKET_SCREENSHOTS (docs/) if set."""
    hub = live_hub(hall_config(write_config))
    keys = device(hub)
    for service in "AAABCC":
        ticket(hub, service, keys)
    shots: list[Path] = []
    for width, height in KIOSK_SIZES:
        page = contexts(width, height)
        page.goto(f"{hub.url}/kiosk?id=pintu")
        page.wait_for_selector("body[data-live='1']", state="attached")
        page.wait_for_selector(".agency-choice")
        tag = f"{width}x{height}"
        shots.append(tmp_path / f"kiosk-start-{tag}.png")
        page.screenshot(path=str(shots[-1]))
        page.get_by_role("button", name="Dukcapil").click()
        page.locator(".service-choice[data-service='A']").click()
        page.get_by_role("button", name="Ambil Nomor Antrean").click()
        page.wait_for_selector("#screen-ticket:not([hidden])")
        page.locator("#ticket-qr").evaluate("img => img.decode()")
        page.locator("body").click(position={"x": 5, "y": height - 5})  # no focus ring
        shots.append(tmp_path / f"kiosk-ticket-{tag}.png")
        page.screenshot(path=str(shots[-1]))
        page.get_by_role("button", name="Selesai").click()
        page.get_by_role("button", name="Mode mudah").click()
        page.get_by_role("button", name="Dukcapil").click()
        page.wait_for_timeout(300)
        shots.append(tmp_path / f"kiosk-easy-{tag}.png")
        page.screenshot(path=str(shots[-1]))
    phone = contexts(390, 844)
    mine = ticket(hub, "B", keys)
    phone.goto(hub.url + mine["status_url"])
    phone.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    shots.append(tmp_path / "status-phone.png")
    phone.screenshot(path=str(shots[-1]))
    assert all(p.stat().st_size > 10_000 for p in shots)
    target = os.environ.get("LOKET_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(target) / shot.name)


# --------------------------------------------------------------------------- public information
def test_public_information_pages_pass_axe(
    contexts: Callable[..., Any], live_hub: Callable[..., LiveHub],
    write_config: Callable[..., Path],
) -> None:
    """/info, /info/<prefix>, /skm, /pengaduan and a complaint's own page, on a phone and at
    200 % zoom (a 390 px phone zoomed is 195 CSS px): no violation, no sideways scrolling."""
    from tests.support.signage import add_survey_answers, set_standar

    config = hall_config(write_config)
    hub = live_hub(config)
    set_standar(config, "A", {
        "persyaratan": "1. Fotokopi Kartu Keluarga\n2. Surat pengantar RT/RW",
        "prosedur": "Ambil nomor antrean, tunggu panggilan", "waktu": "Hari yang sama",
        "biaya": "Gratis", "produk": "KTP elektronik", "pengaduan": "Meja informasi"})
    add_survey_answers(config, [[4] * 9, [3, 3, 4, 4, 3, 4, 4, 3, 3]])
    found: list[str] = []
    for width in (390, 195):
        page = contexts(width, 844)
        for path in ("/info", "/info/A", "/skm", "/pengaduan"):
            page.goto(hub.url + path)
            page.wait_for_load_state("networkidle")
            found += axe(page, f"{path} at {width}px")
            assert no_horizontal_scroll(page), (path, width)
    page = contexts(390, 844)
    page.goto(hub.url + "/pengaduan")
    page.fill("#text", "Antrean Dukcapil terlalu lama, mohon ditambah loketnya.")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{hub.url}/pengaduan/**")
    found += axe(page, "complaint status")
    assert found == []
