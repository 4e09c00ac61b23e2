"""End to end across real processes: `loket serve` starts the sender for webhook events (no
notices configured), and a ticket issued and called over HTTP reaches a real receiver, signed
and in order."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import SMALL_HALL
from test_webhooks import SECRET, Receiver

pytestmark = [pytest.mark.slow]


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


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
