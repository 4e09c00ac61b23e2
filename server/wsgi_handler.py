"""The hub's request handler for gevent's WSGI server (``loket serve`` on gevent).

**No Nagle delay.** gevent writes a response's status line and headers in one ``send`` and its
body in a second, on a socket with Nagle's algorithm on. The body then waits in the kernel for
the client to acknowledge the headers, and a client acknowledges late on purpose (delayed ACK:
40 ms on Linux): measured, every API answer to a keep-alive client (a keypad bridge, a kiosk,
an integration) took 44 ms whatever its work, and the ticket bench's 32 clients got their
answers late enough to leave the hub idle a quarter of the time (docs/benchmarks.md, "Nagle").
:class:`HubHandler` turns Nagle off on every connection it serves (``TCP_NODELAY``, as nginx's
``tcp_nodelay``, gunicorn and uvicorn do: the hub's writes are whole messages, never a byte
stream worth coalescing), which also sends a WebSocket frame that follows another to the same
screen at once, and writes a response of at most :data:`ONE_SEND` bytes of body with its
headers in one ``send`` (one system call instead of two).

**A small read buffer.** gevent's ``WSGIHandler`` reads each connection through a buffered
reader of 8 KB, allocated when the connection is accepted and kept for the connection's life.
A display's or a phone's WebSocket lives for hours and, once upgraded, is read by
simple-websocket from the socket itself: the 8 KB stay unused, 4 MB for the bench's 500
connections (docs/benchmarks.md, "Hub: faster", perf-mem). :class:`HubHandler` reads through
:data:`READ_BUFFER` bytes instead: a request's line and headers (typically under 1 KB) still
come in one or two reads, and a larger body is read past the buffer as before.
"""

from __future__ import annotations

import socket
from typing import Any

from gevent import pywsgi

READ_BUFFER = 2048
"""Bytes of the read buffer of each connection (gevent's default: 8192)."""

ONE_SEND = 16384
"""A body of at most this many bytes goes out in the same ``send`` as the headers (an API
answer, a page; a larger one, such as a signage video, keeps gevent's separate write)."""


def no_delay(sock: Any) -> bool:
    """Turn Nagle's algorithm off on a TCP socket; False for a socket that has none (a Unix
    socket, a test's socket pair)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True


class HubHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
    """gevent's handler without Nagle's delay, with a response's headers and small body in
    one ``send``, and with a :data:`READ_BUFFER`-byte read buffer per connection."""

    rfile: Any
    response_use_chunked: bool
    status: bytes
    response_headers: list[tuple[bytes, bytes]]

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        super().__init__(sock, address, server, rfile)
        no_delay(sock)
        if rfile is None:
            self.rfile.close()  # the socket stays open: only this reader of it is closed
            self.rfile = sock.makefile("rb", READ_BUFFER)

    def _write_with_headers(self, data: bytes) -> None:
        """The first write of a response: gevent's ``WSGIHandler._write_with_headers`` (status
        line and headers, then the body through ``_write``), with a body of at most
        :data:`ONE_SEND` bytes, not chunked, in the same ``send`` as the headers."""
        self.headers_sent = True
        self.finalize_headers()  # decides chunked or not, so it comes first
        towrite = bytearray(b"HTTP/1.1 ")
        towrite += self.status
        towrite += b"\r\n"
        for header, value in self.response_headers:
            towrite += header
            towrite += b": "
            towrite += value
            towrite += b"\r\n"
        towrite += b"\r\n"
        if self.response_use_chunked or len(data) > ONE_SEND:
            self._sendall(towrite)
            self._write(data)
            return
        towrite += data
        self._sendall(towrite)


def server_options(async_mode: str) -> dict[str, Any]:
    """Keyword arguments for ``socketio.run`` in ``async_mode``: the handler on gevent."""
    return {"handler_class": HubHandler} if async_mode == "gevent" else {}
