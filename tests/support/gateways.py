"""Real HTTP gateways and a real SMTP server for the notice tests: each records what it
acknowledged, so a test can check every notice arrived exactly once and in order."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Gateway:
    """``mode``: ``ok`` (200), ``fail`` (500 for the first ``failures`` requests), ``drop``
    (close the connection without answering, first ``failures`` requests), ``hang`` (never
    answer the first ``failures`` requests; until ``release`` is set)."""

    mode: str = "ok"
    failures: int = 0
    delay_s: float = 0.0
    hang_after: int | None = None
    """Answer this many requests, then hang every later one (until ``release``; then close
    it unanswered) while this is not None."""
    acked: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def acked_keys(self) -> list[str]:
        with self.lock:
            return [a["key"] for a in self.acked]

    def start(self) -> Gateway:
        handler = type("Handler", (_GatewayHandler,), {"gateway": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class _GatewayHandler(BaseHTTPRequestHandler):
    """One request to a :class:`Gateway` (set as ``gateway`` on a subclass)."""

    protocol_version = "HTTP/1.1"
    gateway: Gateway

    def log_message(self, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with self.gateway.lock:
            self.gateway.requests += 1
            n = self.gateway.requests
            # decided when counted: a test clearing hang_after later must not turn
            # a request that was due to hang into an answered one
            hang = self.gateway.hang_after is not None and n > self.gateway.hang_after
        failing = n <= self.gateway.failures
        if self._withheld(hang, failing):
            self.close_connection = True
            return
        if self.gateway.delay_s:
            time.sleep(self.gateway.delay_s)
        if self.gateway.mode == "fail" and failing:
            self._answer(500, b'{"error":"gateway down"}')
            return
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            body = json.loads(raw or b"{}")
        elif raw:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        else:
            body = {k: v[0] for k, v in parse_qs(self.path.partition("?")[2]).items()}
        record = {"key": self.headers.get("Idempotency-Key"), "path": self.path,
                  "method": self.command, "headers": dict(self.headers), "body": body}
        try:
            self._answer(200, b'{"ok":true}')
        except OSError:
            return  # the client gave up: not acknowledged
        with self.gateway.lock:
            self.gateway.acked.append(record)

    def _withheld(self, hang: bool, failing: bool) -> bool:
        """Leave this request unanswered (and close its connection)?"""
        if hang:
            self.gateway.release.wait(60)
            return True
        if self._client_gone():
            # a killed client's request read from the socket after its death: an
            # answer would be written into the kernel and "succeed", though nobody
            # can receive it, so it is not acknowledged
            return True
        if self.gateway.mode == "drop" and failing:
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if self.gateway.mode == "hang" and failing:
            self.gateway.release.wait(30)
            return True
        return False

    def _client_gone(self) -> bool:
        """Whether the client has closed its end (end of stream is waiting to be
        read). HTTP clients do not half-close while waiting for an answer."""
        sock = self.connection
        try:
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False  # open, nothing more sent
        except OSError:
            return True  # reset

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    do_POST = do_PUT = do_GET = _handle


class MailBox:
    """A real SMTP server (aiosmtpd) on a free port that keeps what it received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                box.messages.append(envelope)
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self._port)

    def start(self) -> MailBox:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return self._port

    def stop(self) -> None:
        self.controller.stop()


def main() -> None:
    """``python -m tests.support.gateways MODE [FAILURES]``: a gateway in its own process (for
    benchmarks: its threads do not compete with the measuring process). Prints its URL, and
    ``{"requests": n, "acked": n}`` when standard input closes."""
    import sys

    mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
    failures = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    gateway = Gateway(mode=mode, failures=failures).start()
    print(gateway.url, flush=True)
    sys.stdin.read()
    print(json.dumps({"requests": gateway.requests, "acked": len(gateway.acked)}), flush=True)
    gateway.release.set()


if __name__ == "__main__":
    main()
