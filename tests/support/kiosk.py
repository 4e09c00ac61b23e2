"""Pairing a test client (or a Playwright context) as a kiosk, as `/kiosk/pair` would."""

from __future__ import annotations

import re
from typing import Any

from loket.server.kiosk import devices

ADMIN_PAIRING = "test-admin"


def pair(app: Any, client: Any, kiosk_id: str) -> str:
    """Pair ``client`` (a Flask test client) as ``kiosk_id``; returns the cookie value."""
    hub = app.extensions["loket.hub"]
    value = devices.pair_directly(hub.config, hub.db, kiosk_id, hub.clock(), ADMIN_PAIRING)
    client.set_cookie(devices.COOKIE, value)
    return value


def pair_code(app: Any, kiosk_id: str, base_url: str = "") -> str:
    hub = app.extensions["loket.hub"]
    return devices.start_pairing(hub.config, hub.db, kiosk_id, hub.clock(), base_url)


def csrf_from(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def cli_pair_code(config_path: Any, kiosk_id: str) -> str:
    """`loket kiosk pair ID` in a subprocess, as a technician runs it: the pairing code."""
    import subprocess
    import sys

    from tests.support.hall import ROOT

    out = subprocess.run(
        [sys.executable, "-m", "loket", "kiosk", "pair", kiosk_id, "--config",
         str(config_path)], cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    found = re.search(r"/kiosk/pair\?code=(\d{8})", out)
    assert found, out
    return found.group(1)


def pair_session(session: Any, base_url: str, code: str) -> None:
    """Pair a ``requests.Session`` through the pairing page, like a kiosk's browser."""
    page = session.get(f"{base_url}/kiosk/pair?code={code}", timeout=5)
    done = session.post(f"{base_url}/kiosk/pair",
                        data={"code": code, "csrf_token": csrf_from(page.text)}, timeout=5)
    assert done.status_code == 200 and devices.COOKIE in session.cookies, done.text[:500]
