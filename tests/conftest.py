"""Shared fixtures: a fresh hall config and database per test, a Flask app in threading mode
for request-level tests, and a real hub process (``loket serve``) on a free port for tests
that need real sockets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from loket.server.app import create_app
from loket.server.auth import create_token
from loket.server.config import LoketConfig, load_config
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.hall import ROOT, SMALL_HALL, LiveHub, free_port

__all__ = ["ROOT", "SMALL_HALL", "LiveHub", "free_port"]  # older tests import them from here

@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config (the small test hall by default, plus extra TOML) and return its path."""

    def write(text: str = SMALL_HALL, extra: str = "", name: str = "loket.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text) + "\n" + textwrap.dedent(extra), encoding="utf-8")
        return path

    return write


@pytest.fixture
def config(write_config: Callable[..., Path]) -> LoketConfig:
    return load_config(write_config())


@pytest.fixture
def app(config: LoketConfig) -> Iterator[Any]:
    app = create_app(config, async_mode="threading", testing=True)
    yield app
    app.extensions["loket.hub"].db.dispose()


@pytest.fixture
def hub(app: Any) -> Any:
    return app.extensions["loket.hub"]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def device_token(hub: Any) -> str:
    return create_token(hub.db, "test-bridge", "device")


@pytest.fixture
def live_hub(write_config: Callable[..., Path]) -> Iterator[Callable[..., LiveHub]]:
    """Factory: ``live_hub()`` starts a hub on the small hall (or ``live_hub(path)``)."""
    started: list[LiveHub] = []

    def start(config_path: Path | None = None, extra_args: list[str] | None = None) -> LiveHub:
        hub = LiveHub(config_path or write_config(), free_port(), extra_args)
        started.append(hub)
        return hub.start()

    yield start
    for hub in started:
        hub.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh 1920x1080 page that records every request it makes (``page.requests_seen``)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.requests_seen = seen
    yield page
    context.close()
