"""The citizen's side of notices in headless Chromium: the kiosk offers WhatsApp/SMS after the
ticket and takes the number on its on-screen pad; the phone's status page takes a number,
refuses a bad one with a clear message, and shows a system notification when called."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from loket.server.app import database_url
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.notify.models import NotifyOutbox, NotifyPhone
from tests.support.gateways import Gateway
from tests.support.hall import SMALL_HALL, LiveHub
from tests.support.wait import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DOCS = Path(__file__).resolve().parent.parent / "docs"


def shot(target: Any, name: str, folder: Path, **options: Any) -> None:
    """Screenshot into the test's folder; into docs/ (the pictures docs/notifications.md shows)
    only when LOKET_DOCS_SCREENSHOTS=1, so a test run leaves the work tree as it was."""
    where = DOCS if os.environ.get("LOKET_DOCS_SCREENSHOTS") == "1" else folder
    target.screenshot(path=str(where / name), **options)
    assert (where / name).stat().st_size > 5_000


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway().start()
    yield g
    g.stop()


def notify_config(write_config: Callable[..., Path], gateway: Gateway) -> Path:
    return write_config(SMALL_HALL, f"""
[kiosk]
public_url = "http://antrean.test"

[[notify.channels]]
name = "gw"
kind = "webhook"
url = "{gateway.url}/send"
body = {{ to = "{{phone}}", message = "{{text}}" }}
""")


def phones(path: Path) -> list[str]:
    db = Database(database_url(load_config(path)))
    try:
        with db.read() as s:
            return [p.phone for p in s.scalars(select(NotifyPhone))]
    finally:
        db.dispose()


def test_kiosk_offers_notices_with_a_number_pad(
    browser: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
    gateway: Gateway, tmp_path: Path,
) -> None:
    path = notify_config(write_config, gateway)
    hub = live_hub(path)
    context = browser.new_context(viewport={"width": 1280, "height": 1024})
    page = context.new_page()
    page.goto(f"{hub.url}/kiosk")
    page.get_by_role("button", name="Imigrasi").click()
    page.get_by_role("button", name="Paspor").click()
    page.get_by_role("button", name="Ambil Nomor Antrean").click()
    page.wait_for_selector("#screen-ticket:not([hidden])")
    offer = page.locator("#notify-offer")
    offer.wait_for(state="visible")
    assert "Kirim pemberitahuan ke WhatsApp/SMS?" in offer.inner_text()
    page.get_by_role("button", name="Ya, kirim").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "notify-pad-phone"
    for key in "0812":
        page.locator(f".notify-key[data-key='{key}']").click()
    page.get_by_role("button", name="Simpan nomor").click()
    page.wait_for_selector("#notify-pad-error:has-text('Nomor HP tidak valid')")
    for key in "34567890":
        page.locator(f".notify-key[data-key='{key}']").click()
    shot(page, "notify-kiosk-pad.png", tmp_path)
    page.get_by_role("button", name="Simpan nomor").click()
    page.wait_for_selector("#notify-result:has-text('••••7890')")
    assert dialog.is_hidden()
    assert phones(path) == ["+6281234567890"]
    page.get_by_role("button", name="Selesai").click()
    page.wait_for_selector("#screen-ticket", state="hidden")
    assert offer.is_hidden()
    context.close()


def test_status_page_opt_in_and_system_notification_when_called(
    browser: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
    gateway: Gateway, tmp_path: Path,
) -> None:
    path = notify_config(write_config, gateway)
    hub = live_hub(path)
    device = hub.token("device", "loket-5", "5")
    ticket = requests.post(f"{hub.url}/api/tickets", json={"service": "C"},
                           headers={"Authorization": f"Bearer {device}"}, timeout=5).json()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["notifications"], origin=hub.url)
    # Record what the page shows as system notifications (headless Chromium shows none).
    context.add_init_script("""
        window.__shown = [];
        window.Notification = class { constructor(title, options) {
            window.__shown.push({title: title, body: options && options.body}); } };
        window.Notification.permission = "granted";
        window.Notification.requestPermission = () => Promise.resolve("granted");
    """)
    phone = context.new_page()
    phone.goto(f"{hub.url}/t/{ticket['status_token']}")
    phone.wait_for_selector("#status-live:has-text('Diperbarui langsung')")
    field = phone.get_by_label("Nomor HP (WhatsApp/SMS)")
    field.fill("+1 202 555 0100")
    phone.get_by_role("button", name="Simpan nomor").click()
    phone.wait_for_selector("#notify-form-error:has-text('Nomor HP tidak valid')")
    field.fill("0813 1111 2222")
    phone.get_by_role("button", name="Simpan nomor").click()
    phone.wait_for_selector("#notify-result:has-text('••••2222')")
    assert phone.locator("#notify-form").is_hidden()
    shot(phone, "notify-status.png", tmp_path, full_page=True)
    assert phones(path) == ["+6281311112222"]
    response = requests.post(f"{hub.url}/api/counters/5/next",
                             headers={"Authorization": f"Bearer {device}"}, timeout=5)
    assert response.status_code == 200
    phone.wait_for_selector("#status-call-text:has-text('Silakan menuju Loket 5')", timeout=10000)
    phone.wait_for_function("window.__shown.length === 1")
    shown = phone.evaluate("window.__shown[0]")
    assert shown["title"] == "Giliran Anda! C-001"
    assert "Loket 5" in shown["body"]
    db = Database(database_url(load_config(path)))
    with db.read() as s:
        kinds = [r.kind for r in s.scalars(select(NotifyOutbox).order_by(NotifyOutbox.id))]
    db.dispose()
    assert kinds == ["issued", "called"]
    context.close()


def test_dashboard_shows_delivery_health_and_a_failing_channel(
    page: Any, live_hub: Callable[..., LiveHub], write_config: Callable[..., Path],
    gateway: Gateway, tmp_path: Path,
) -> None:
    from tests.support.login import PASSWORD
    from tests.support.staff import add_supervisor

    down = Gateway(mode="fail", failures=10**9).start()
    try:
        path = write_config(SMALL_HALL, f"""
[kiosk]
public_url = "http://antrean.test"

[notify]
alert_after = 2
retry_base_s = 0.2

[[notify.channels]]
name = "wa"
kind = "webhook"
url = "{down.url}/send"
body = {{ to = "{{phone}}", message = "{{text}}" }}

[[notify.channels]]
name = "sms"
kind = "webhook"
url = "{gateway.url}/send"
body = {{ to = "{{phone}}", message = "{{text}}" }}
""")
        hub = live_hub(path)  # runs its own sender
        add_supervisor(path)
        device = {"Authorization": f"Bearer {hub.token('device', 'bridge')}"}
        for i in range(3):
            assert requests.post(f"{hub.url}/api/tickets", headers=device, timeout=5, json={
                "service": "A", "phone": f"0812 3456 {i:04d}"}).status_code == 201
        wait_until(lambda: len(gateway.acked) >= 3, 20)
        assert len(gateway.acked) == 3, "the backup channel delivered every notice"
        page.goto(f"{hub.url}/login?next=/supervisor")
        page.fill("input[name=username]", "sup")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{hub.url}/supervisor")
        failing = page.locator("#notify-health tr[data-channel=wa]")
        failing.wait_for()
        assert "notify-failing" in (failing.get_attribute("class") or "")
        assert "HTTP 500" in failing.inner_text()
        assert page.locator("#notify-health tr[data-channel=sms] td").nth(1).inner_text() == "3"
        alert = page.locator("#alerts .sup-alert-notify")
        alert.wait_for()
        assert "saluran wa gagal" in alert.inner_text()
        shot(page.locator("#notify-health"), "notify-dashboard.png", tmp_path)
    finally:
        down.stop()
