"""The hub's request handler for gevent's WSGI server (``loket serve`` on gevent).

gevent's ``WSGIHandler`` reads each connection through a buffered reader of 8 KB, allocated
when the connection is accepted and kept for the connection's life. A display's or a phone's
WebSocket lives for hours and, once upgraded, is read by simple-websocket from the socket
itself: the 8 KB stay unused, 4 MB for the bench's 500 connections (docs/benchmarks.md,
"Hub: faster", perf-mem). :class:`HubHandler` reads through :data:`READ_BUFFER` bytes instead:
a request's line and headers (typically under 1 KB) still come in one or two reads, and a
larger body is read past the buffer as before.
"""

from __future__ import annotations

from typing import Any

from gevent import pywsgi

READ_BUFFER = 2048
"""Bytes of the read buffer of each connection (gevent's default: 8192)."""


class HubHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
    """gevent's handler with a :data:`READ_BUFFER`-byte read buffer per connection."""

    rfile: Any

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        super().__init__(sock, address, server, rfile)
        if rfile is None:
            self.rfile.close()  # the socket stays open: only this reader of it is closed
            self.rfile = sock.makefile("rb", READ_BUFFER)


def server_options(async_mode: str) -> dict[str, Any]:
    """Keyword arguments for ``socketio.run`` in ``async_mode``: the handler on gevent."""
    return {"handler_class": HubHandler} if async_mode == "gevent" else {}
