"""Connection limits in front of Socket.IO: a cap per address, and 503 before the process runs
out of file descriptors, so a flood of WebSocket connections from one machine cannot stop
``/healthz``, the kiosks and the displays.

Every Socket.IO request (a WebSocket for its whole life, a long-poll while it waits) is counted
from the moment the WSGI server hands it over until its response is closed. Other requests are
short and never refused here: the reserve of descriptors (``[security] connection_reserve``)
is kept for them."""

from __future__ import annotations

import json
import logging
import resource
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import ClosingIterator

from loket.server.config.security import SecuritySection
from loket.server.i18n import register, translate

log = logging.getLogger(__name__)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
RECOMMENDED_NOFILE = 65536
"""``LimitNOFILE`` recommended for the systemd unit (docs/deploy.md, docs/security.md)."""

register({
    "error.too_many_connections": {
        "id": "Terlalu banyak koneksi dari alamat ini.",
        "en": "Too many connections from this address.",
    },
    "error.busy": {
        "id": "Server sedang sibuk. Silakan coba lagi sebentar lagi.",
        "en": "The server is busy. Please try again in a moment.",
    },
})


def open_files_limit() -> int:
    """The process's soft limit of open file descriptors."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def raise_open_files_limit(wanted: int = RECOMMENDED_NOFILE) -> int:
    """Raise the soft limit towards ``wanted`` (never above the hard limit); returns the limit
    in force. systemd's default soft limit (1024) is far too low for a hall's sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - refused by the system
            log.warning("cannot raise the open files limit from %d to %d", soft, target)
    return soft


def warn_if_proxies_spoofable(trusted_proxies: int, listen_host: str) -> bool:
    """Warn when X-Forwarded-For is trusted but the hub is reachable without the proxy: then
    anyone can forge their address (login lockout, connection limits). True if it warned."""
    if not trusted_proxies or listen_host in ("127.0.0.1", "::1", "localhost") \
            or listen_host.startswith("127."):
        return False
    log.warning(
        "[server] trusted_proxies = %d but the hub listens on %s: any machine that reaches it "
        "directly can forge X-Forwarded-For (and so its address for the login lockout and the "
        "connection limits). Listen on 127.0.0.1 behind the proxy, or firewall the port "
        "(docs/security.md)", trusted_proxies, listen_host)
    return True


def client_address(environ: dict[str, Any], trusted_proxies: int) -> str:
    """The client's address: REMOTE_ADDR, or with ``trusted_proxies = n`` the n-th address
    from the right of X-Forwarded-For (as werkzeug's ProxyFix)."""
    if trusted_proxies:
        forwarded = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if a.strip()]
        if len(forwarded) >= trusted_proxies:
            return str(forwarded[-trusted_proxies])
    return str(environ.get("REMOTE_ADDR", ""))


class ConnectionGuard:
    """WSGI middleware that caps open Socket.IO connections per address and in total."""

    def __init__(self, app: WSGIApp, settings: SecuritySection, trusted_proxies: int = 0,
                 *, nofile: int | None = None, path: str = "/socket.io") -> None:
        self.app = app
        self.settings = settings
        self.trusted_proxies = trusted_proxies
        self.path = path
        self.nofile = self.max_open = 0
        self.set_limit(nofile if nofile is not None else open_files_limit())
        self._lock = threading.Lock()
        self._by_address: dict[str, int] = {}
        self.open = 0

    def set_limit(self, nofile: int) -> None:
        """The process's descriptor limit (after `loket serve` raised it)."""
        self.nofile = nofile
        self.max_open = max(1, nofile - self.settings.connection_reserve)

    def stats(self) -> dict[str, int]:
        """Open Socket.IO connections, the most allowed, and the descriptor limit."""
        return {"open": self.open, "max": self.max_open, "nofile": self.nofile}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not str(environ.get("PATH_INFO", "")).startswith(self.path):
            return self.app(environ, start_response)
        address = client_address(environ, self.trusted_proxies)
        with self._lock:
            if self.open >= self.max_open:
                refusal: tuple[int, str] | None = (503, "busy")
            elif self._by_address.get(address, 0) >= self.settings.max_connections_per_address:
                refusal = (429, "too_many_connections")
            else:
                refusal = None
                self.open += 1
                self._by_address[address] = self._by_address.get(address, 0) + 1
        if refusal is not None:
            return self._refuse(start_response, *refusal, address=address)
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            with self._lock:
                self.open -= 1
                left = self._by_address.get(address, 1) - 1
                if left > 0:
                    self._by_address[address] = left
                else:
                    self._by_address.pop(address, None)

        try:
            result = self.app(environ, start_response)
        except BaseException:
            release()
            raise
        return ClosingIterator(result, [release])

    def _refuse(self, start_response: Callable[..., Any], status: int, code: str,
                address: str) -> list[bytes]:
        log.warning("refused a Socket.IO connection from %s: %s (%d open of %d)",
                    address, code, self.open, self.max_open)
        body = json.dumps({"error": code, "message": translate(f"error.{code}", "id")},
                          ensure_ascii=False).encode()
        reason = "Service Unavailable" if status == 503 else "Too Many Requests"
        start_response(f"{status} {reason}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("Retry-After", "10"),
        ])
        return [body]
