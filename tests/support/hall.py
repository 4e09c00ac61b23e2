"""The test hall and real hub processes: the small hall's config, free ports and
``LiveHub`` (a ``loket serve`` process on real sockets)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]

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
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path,
                 timeout: float = 20.0) -> requests.Response:
    """Wait until the server process at ``url`` answers ``/healthz`` with 200 and return that
    answer; fail with the tail of its log if it exits or does not come up in time."""
    answers: list[requests.Response] = []

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log_path.read_text()[-3000:]}")
        try:
            answers[:] = [requests.get(url + "/healthz", timeout=0.5)]
        except requests.RequestException:
            return False
        return answers[0].status_code == 200

    if not wait_until(healthy, timeout, step=0.05):
        raise RuntimeError(f"{url} did not come up: {log_path.read_text()[-3000:]}")
    return answers[0]


def hall_with_counters(n: int = 100) -> str:
    """A hall of ``n`` counters (two services, two floors) for load and concurrency tests."""
    parts = [
        '[hall]\nname = "MPP Beban"\ntimezone = "Asia/Jakarta"\n',
        '[[services]]\nprefix = "A"\nname = "KTP-el"\nagency = "Dukcapil"\n',
        '[[services]]\nprefix = "B"\nname = "Paspor"\nagency = "Imigrasi"\n',
    ]
    for i in range(1, n + 1):
        services = '["A", "B"]' if i % 2 else '["B", "A"]'
        zone = "lantai-1" if i <= n // 2 else "lantai-2"
        parts.append(f'[[counters]]\nid = "{i}"\nname = "Loket {i}"\nzone = "{zone}"\n'
                     f"services = {services}\n")
    parts.append("[audio]\nenabled = false\n")
    return "\n".join(parts)


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
            [sys.executable, "-m", "loket", "serve", "--config", str(self.config_path),
             "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_healthy(self.url, self.process, self.log_path, timeout)
        return self

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
        args = [sys.executable, "-m", "loket", "token", "create", "--config",
                str(self.config_path), "--role", role, "--name", name]
        if counters:
            args += ["--counters", counters]
        out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]
