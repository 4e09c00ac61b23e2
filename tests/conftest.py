"""Shared fixtures: a fresh hall config and database per test, a Flask app in threading mode
for request-level tests, and a real hub process (``loket serve``) on a free port for tests
that need real sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from server.app import create_app
from server.auth import create_token
from server.config import LoketConfig, load_config

ROOT = Path(__file__).resolve().parent.parent

SMALL_HALL = """
[hall]
name = "MPP Uji"
timezone = "Asia/Jakarta"

[queue]
priority_policy = "first"

[[services]]
prefix = "A"
name = "KTP-el"
agency = "Dukcapil"
quota = 50

[[services]]
prefix = "B"
name = "Kartu Keluarga"
agency = "Dukcapil"

[[services]]
prefix = "C"
name = "Paspor"
agency = "Imigrasi"

[[counters]]
id = "1"
name = "Loket 1"
zone = "lantai-1"
services = ["A", "B"]

[[counters]]
id = "2"
name = "Loket 2"
zone = "lantai-1"
services = ["B"]

[[counters]]
id = "5"
name = "Loket 5"
zone = "lantai-2"
services = ["C", "A"]

[audio]
enabled = false

[realtime]
queue_event_interval_s = 0.05
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


class LiveHub:
    """A real `loket serve` process (gevent, real sockets) for end-to-end tests."""

    def __init__(self, config_path: Path, port: int, extra_args: list[str] | None = None):
        self.config_path = config_path
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.extra_args = ["--no-devices"] if extra_args is None else extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = config_path.parent / f"hub-{port}.log"

    def start(self, timeout: float = 20.0) -> LiveHub:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--config", str(self.config_path),
             "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=0.5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hub did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def token(self, role: str = "device", name: str = "test", counters: str = "") -> str:
        args = [sys.executable, "-m", "server", "token", "create", "--config",
                str(self.config_path), "--role", role, "--name", name]
        if counters:
            args += ["--counters", counters]
        out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]


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


CHROMIUM = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # Any host but loopback fails to resolve, so a page that reaches out is caught.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


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
