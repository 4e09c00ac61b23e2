"""Helpers shared by the display tests: a live hall driven through the API,
and small readers of the display page's DOM. Pages run under the real CSP, so every script
given to Playwright is a function (Playwright calls it without eval)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from loket.server.auth import create_token
from loket.server.config import load_config
from loket.server.context import database_url
from loket.server.db import Database

ROOT = Path(__file__).resolve().parents[2]


class Hall:
    """A live hub plus a device token to press counter keys through the API."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self.url = hub.url
        self._token = token(hub.config_path)
        self.headers = {"Authorization": f"Bearer {self._token}"}

    def ticket(self, service: str, privileged: bool = True) -> str:
        headers = self.headers if privileged else {}
        response = requests.post(
            self.url + "/api/tickets", json={"service": service}, headers=headers, timeout=5
        )
        response.raise_for_status()
        return str(response.json()["ticket"])

    def press(self, counter: str, action: str = "next") -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/api/counters/{counter}/{action}", headers=self.headers, timeout=5
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def token(config_path: Path, role: str = "device", name: str = "display-test") -> str:
    """A token written straight into the hub's database (faster than `loket token create`)."""
    db = Database(database_url(load_config(config_path)))
    try:
        return create_token(db, name, role)
    finally:
        db.dispose()


def open_display(page: Any, url: str) -> None:
    """Load a display page and wait for its first snapshot; script errors are collected."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Failed loads (the hub down, no audio yet) are expected; the handlers' own errors are not.
    def on_console(message: Any) -> None:
        if message.type == "error" and message.text.startswith("display:"):
            errors.append(message.text)

    page.on("console", on_console)
    page.display_errors = errors
    page.goto(url)
    page.wait_for_function("() => (window.__loketSnapshots || 0) >= 1", timeout=10_000)


def recent_tickets(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        "#recent-list .r-ticket", "els => els.map(e => e.textContent)"
    ))


def wait_recent(page: Any, ticket: str, timeout_ms: float) -> None:
    page.wait_for_function(
        "t => [...document.querySelectorAll('#recent-list .r-ticket')]"
        ".some(e => e.textContent === t)",
        arg=ticket,
        timeout=timeout_ms,
    )


def flash_log(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__loketFlashLog.slice()"))


def render_time(page: Any, ticket: str) -> float | None:
    """Epoch seconds at which the page first drew ``ticket`` (its performance mark)."""
    value = page.evaluate("t => (window.__loketRenders || {})[t] || null", ticket)
    return None if value is None else float(value) / 1000.0


def assert_only_hub(page: Any, base_url: str) -> None:
    others = [url for url in page.requests_seen
              if not url.startswith(base_url + "/") and not url.startswith(("data:", "blob:"))]
    assert others == [], f"the page reached another host: {others}"
    assert getattr(page, "display_errors", []) == [], "the page had script errors"


def demo_hall_config(flash_seconds: float = 1.0) -> str:
    """The sample hall (two floors, seven services) without speakers, with short flashes."""
    text = (ROOT / "server" / "demo_hall.toml").read_text(encoding="utf-8")
    text = text.replace("[audio]\nenabled = true", "[audio]\nenabled = false")
    text = text.replace("[display]\n", f"[display]\nflash_seconds = {flash_seconds}\n")
    return text + "\n[realtime]\nqueue_event_interval_s = 0.05\n"
