"""The officer panel on a 1366x768 laptop in headless Chromium against a real hub: the keys
stay on screen, NEXT during a break asks first, a given number is called, a skipped citizen is
brought back, the transfer list never starts on the ticket's own service, old messages clear
after a keypad press or a reconnect, durations carry Indonesian units; axe-core finds nothing
at WCAG 2.1 A/AA + best practice in every state, and the focus ring keeps 3:1."""

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
PASSWORD = "rahasia-petugas-1"
WIDTH, HEIGHT = 1366, 768


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    yield page
    context.close()


def keys_on_screen(page: Any) -> None:
    """Every visible key of the panel lies inside the 1366x768 viewport, unscrolled."""
    boxes = page.eval_on_selector_all(
        ".cp-key:not([hidden])",
        "keys => keys.map(k => { const r = k.getBoundingClientRect();"
        " return [k.dataset.action, r.top, r.bottom, r.right]; })")
    assert len(boxes) >= 7
    for action, top, bottom, right in boxes:
        assert top >= 0 and bottom <= HEIGHT and right <= WIDTH, (action, top, bottom, boxes)


def test_officer_panel_at_1366x768(
    write_config: Callable[..., Path], live_hub: Any, laptop: Any, tmp_path: Path
) -> None:
    page = laptop
    config = write_config()
    hub = live_hub(config)
    add_user(config, "siti", "officer", PASSWORD, counters="1,5")
    device = {"Authorization": f"Bearer {hub.token('device', 'keypads', counters='1')}"}

    def ticket(service: str = "A") -> str:
        response = requests.post(f"{hub.url}/api/tickets", json={"service": service},
                                 headers=device, timeout=5)
        assert response.status_code == 201, response.text
        return str(response.json()["ticket"])

    # The chooser (two counters), then the idle panel.
    sign_in(page, hub.url, "siti", PASSWORD, "/counter")
    page.wait_for_url(f"{hub.url}/counter")
    expect(page.locator("#counter-choices")).to_contain_text("Loket 5")
    assert_clean(page, "/counter (chooser)")
    assert not focus_ring_failures(page, 6)
    shot(page, tmp_path, "officer-chooser-1366x768")
    page.click("text=Loket 1")
    page.wait_for_url(f"{hub.url}/counter/1")
    expect(page.locator("#cp-ticket")).to_have_text("Belum ada nomor")
    expect(page.locator("#cp-status")).to_have_text("Siap melayani")
    keys_on_screen(page)
    ticket_box = page.locator("#cp-ticket").bounding_box()
    assert ticket_box and ticket_box["height"] < 150  # one line, not two lines of 8rem
    assert_clean(page, "/counter/1 idle")
    failures = focus_ring_failures(page, 14)
    assert not failures, failures
    shot(page, tmp_path, "officer-panel-idle-1366x768")

    for _ in range(3):
        ticket()
    expect(page.locator("#cp-waiting-total")).to_contain_text("3")
    page.keyboard.press("n")
    expect(page.locator("#cp-ticket")).to_have_text("A-001")
    expect(page.locator("#cp-message")).to_have_text("A-001 dipanggil")
    keys_on_screen(page)
    assert_clean(page, "/counter/1 serving")
    shot(page, tmp_path, "officer-panel-serving-1366x768")

    # Transfer: the ticket's own service is never the choice offered first.
    page.keyboard.press("t")
    expect(page.locator("#cp-transfer")).to_be_visible()
    assert page.input_value("#cp-transfer-service") == "B"
    assert page.eval_on_selector('#cp-transfer-service option[value="A"]', "o => o.disabled")
    expect(page.locator("#cp-transfer-service")).to_be_focused()
    assert_clean(page, "/counter/1 transfer form")
    page.keyboard.press("Escape")
    expect(page.locator("#cp-transfer")).to_be_hidden()

    # Done: the served list shows the service time with Indonesian units.
    page.keyboard.press("d")
    expect(page.locator("#cp-served tr[data-ticket='A-001']")).to_contain_text("0 mnt")
    expect(page.locator("#cp-served")).not_to_contain_text(re.compile(r"\bmin\b"))

    # Call a given number: A-003 before A-002.
    page.keyboard.press("p")
    expect(page.locator("#cp-number-input")).to_be_focused()
    assert_clean(page, "/counter/1 number form")
    page.keyboard.type("a-3")
    page.click("#cp-number button[data-ticket-action='call']")
    expect(page.locator("#cp-ticket")).to_have_text("A-003")
    expect(page.locator("#cp-message")).to_have_text("A-003 dipanggil")
    expect(page.locator("#cp-number")).to_be_hidden()

    # Skip it, then bring the citizen back from the served list.
    page.keyboard.press("s")
    row = page.locator("#cp-served tr[data-ticket='A-003']")
    expect(row).to_contain_text("Tidak hadir")
    expect(page.locator("#cp-waiting-total")).to_contain_text("1 orang")
    assert_clean(page, "/counter/1 with a no-show")
    row.get_by_role("button", name="Kembalikan A-003 ke antrean").click()
    expect(page.locator("#cp-message")).to_have_text("A-003 dikembalikan ke antrean")
    expect(page.locator("#cp-waiting-total")).to_contain_text("2 orang")
    state = requests.get(f"{hub.url}/api/counters/1", headers=device, timeout=5).json()
    assert state["waiting"] == 2

    # A wrong number is refused in the page's language; a keypad press clears that message.
    page.keyboard.press("p")
    page.keyboard.type("A-099")
    page.keyboard.press("Enter")
    expect(page.locator("#cp-message")).to_contain_text("A-099 tidak ditemukan")
    assert requests.post(f"{hub.url}/api/counters/1/next", headers=device,
                         timeout=5).status_code == 200
    expect(page.locator("#cp-ticket")).to_have_text("A-002")
    expect(page.locator("#cp-message")).to_have_text("")

    # A break: NEXT asks before it ends the break; "Batal" keeps the break.
    page.click("button[data-action='break']")
    expect(page.locator("#cp-status")).to_have_text("Istirahat")
    expect(page.locator("button[data-action='resume']")).to_be_visible()
    keys_on_screen(page)
    assert_clean(page, "/counter/1 on a break")
    shot(page, tmp_path, "officer-panel-break-1366x768")
    page.keyboard.press("n")
    confirm = page.locator("#cp-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Akhiri istirahat dan panggil nomor berikutnya?")
    expect(page.locator("#cp-confirm-yes")).to_be_focused()
    assert_clean(page, "/counter/1 asking to end the break")
    shot(page, tmp_path, "officer-panel-break-confirm-1366x768")
    page.click("#cp-confirm-no")
    expect(confirm).to_be_hidden()
    state = requests.get(f"{hub.url}/api/counters/1", headers=device, timeout=5).json()
    assert state["status"] == "break" and state["waiting"] == 1
    # the keypad gets its distinct refusal too (409 on_break over the API)
    response = requests.post(f"{hub.url}/api/counters/1/next", headers=device, timeout=5)
    assert (response.status_code, response.json()["error"]) == (409, "on_break")
    page.keyboard.press("n")
    page.click("#cp-confirm-yes")
    expect(page.locator("#cp-ticket")).to_have_text("A-003")
    expect(page.locator("#cp-status")).to_have_text("Melayani")

    # A message from before a lost connection is gone once the panel is back.
    hub.stop()
    expect(page.locator("#cp-offline")).to_be_visible(timeout=10000)
    page.click("button[data-action='recall']")
    expect(page.locator("#cp-message")).to_have_class(re.compile("error"))
    hub.start()
    expect(page.locator("#cp-offline")).to_be_hidden(timeout=20000)
    expect(page.locator("#cp-message")).to_have_text("")

    # English is available, with its own units.
    page.goto(f"{hub.url}/counter/1?lang=en")
    expect(page.locator("#cp-served tr[data-ticket='A-001']")).to_contain_text("0 min")
    expect(page.locator("#cp-ticket")).to_have_text("A-003")
    keys_on_screen(page)
    assert_clean(page, "/counter/1 in English")
    page.click("button[data-action='done']")
    expect(page.locator("#cp-ticket")).to_have_text("No ticket")
    keys_on_screen(page)
