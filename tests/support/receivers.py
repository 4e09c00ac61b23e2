"""A real HTTP receiver for the webhook tests (answers, fails or hangs on request) and the
secrets the tests sign with."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "uji-rahasia-webhook-0123456789abcdef"
OTHER_SECRET = "rahasia-lain-yang-cukup-panjang-42"


class Receiver:
    """A real HTTP receiver on a fixed port. ``mode``: ``ok`` (204), ``fail`` (500 for
    the first ``failures`` requests), ``hang`` (answers nothing until ``release``).
    :meth:`down` closes the listening socket (connections are refused) until :meth:`up`."""

    def __init__(self, mode: str = "ok", failures: int = 0) -> None:
        self.mode, self.failures = mode, failures
        self.requests: list[dict[str, Any]] = []
        self.acked: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/loket"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                record = {"headers": dict(self.headers), "raw": raw, "path": self.path}
                with receiver.lock:
                    receiver.requests.append(record)
                    n = len(receiver.requests)
                if receiver.mode == "hang":
                    receiver.release.wait(30)
                    self.close_connection = True
                    return
                if receiver.mode == "fail" and n <= receiver.failures:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()
                with receiver.lock:
                    receiver.acked.append(record)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        self.server = None

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.down()

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["raw"]) for r in self.acked]
