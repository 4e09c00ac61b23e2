"""End to end across real processes: `loket serve` starts the sender for webhook events (no
notices configured), and a ticket issued and called over HTTP reaches a real receiver, signed
and in order."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.hall import SMALL_HALL
from tests.support.receivers import SECRET, Receiver
from tests.support.wait import wait_until

pytestmark = [pytest.mark.slow]


def test_serve_starts_the_sender_for_webhooks(tmp_path: Path, live_hub: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_LIVE_HOOK_SECRET", SECRET)  # inherited by the hub's processes
    receiver = Receiver()
    try:
        path = tmp_path / "loket.toml"
        path.write_text(SMALL_HALL + f"""
[integrations]
retry_base_s = 0.5

[[integrations.webhooks]]
url = "{receiver.url}"
events = ["ticket.issued", "ticket.called"]
secret = "env:LOKET_LIVE_HOOK_SECRET"
""")
        hub = live_hub(path)
        token = hub.token("device", "webhook-live")
        auth = {"Authorization": f"Bearer {token}"}
        issued = requests.post(f"{hub.url}/api/tickets", json={"service": "A"}, headers=auth,
                               timeout=5)
        assert issued.status_code == 201
        called = requests.post(f"{hub.url}/api/counters/1/next", headers=auth, timeout=5)
        assert called.status_code == 200
        assert wait_until(lambda: len(receiver.acked) == 2), receiver.requests
        types = [json.loads(r["raw"])["type"] for r in receiver.acked]
        assert types == ["ticket.issued", "ticket.called"]
        for record in receiver.acked:
            expected = "sha256=" + hmac.new(SECRET.encode(), record["raw"],
                                            hashlib.sha256).hexdigest()
            assert record["headers"]["X-Loket-Signature"] == expected
    finally:
        receiver.stop()


@pytest.mark.browser
def test_dashboard_shows_a_failing_webhook(tmp_path: Path, live_hub: Any, page: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.staff import PASSWORD, add_supervisor

    monkeypatch.setenv("LOKET_LIVE_HOOK_SECRET", SECRET)
    good, bad = Receiver(), Receiver("fail", failures=10**6)
    try:
        path = tmp_path / "loket.toml"
        path.write_text(SMALL_HALL + f"""
[integrations]
retry_base_s = 0.2
retry_max_s = 0.5
alert_after = 3

[[integrations.webhooks]]
name = "dukcapil"
url = "{good.url}"
events = ["*"]
secret = "env:LOKET_LIVE_HOOK_SECRET"

[[integrations.webhooks]]
name = "bpjs"
url = "{bad.url}"
events = ["ticket.issued"]
secret = "env:LOKET_LIVE_HOOK_SECRET"
""")
        hub = live_hub(path)
        add_supervisor(path)
        device = {"Authorization": f"Bearer {hub.token('device', 'bridge')}"}
        for _ in range(3):
            assert requests.post(f"{hub.url}/api/tickets", json={"service": "A"},
                                 headers=device, timeout=5).status_code == 201
        assert wait_until(lambda: len(good.acked) == 3 and len(bad.requests) >= 4, timeout=30)
        page.goto(f"{hub.url}/login?next=/supervisor")
        page.fill("input[name=username]", "sup")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{hub.url}/supervisor")
        failing = page.locator("#webhook-health tr[data-webhook=bpjs]")
        failing.wait_for()
        assert "webhook-failing" in (failing.get_attribute("class") or "")
        assert "HTTP 500" in failing.inner_text()
        assert page.locator("#webhook-health tr[data-webhook=dukcapil] td").nth(1
                                                                              ).inner_text() == "3"
        page.locator("#alerts", has_text="Webhook bpjs gagal").wait_for()
        page.locator("#webhook-health").screenshot(path=str(tmp_path / "webhooks.png"))
        if os.environ.get("LOKET_SCREENSHOTS") == "1":
            page.locator("#webhook-health").screenshot(
                path=str(Path(__file__).resolve().parent.parent / "docs"
                         / "webhooks-dashboard.png"))
    finally:
        good.stop()
        bad.stop()
