"""The hub's gevent request handler (server/wsgi_handler.py): Nagle off and a small answer in
one ``send`` (no 40 ms delayed-ACK stall per API answer), and a 2 KB read buffer per
connection instead of 8 KB, with requests of any size read as before."""

from __future__ import annotations

import queue
import socket as socket_module
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import requests
import socketio
from gevent import pywsgi, socket

from loket.server.wsgi_handler import ONE_SEND, READ_BUFFER, HubHandler, server_options


def _reader_size(handler_class: Any) -> int:
    ours, theirs = socket.socketpair()
    try:
        handler = handler_class(ours, ("127.0.0.1", 1), None)
        size = sys.getsizeof(handler.rfile)  # a buffered reader counts its buffer
        handler.rfile.close()
        return size
    finally:
        ours.close()
        theirs.close()


def _nagle_off(handler_class: Any) -> bool:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    ours, address = listener.accept()
    try:
        handler = handler_class(ours, address, None)
        handler.rfile.close()
        return bool(ours.getsockopt(socket_module.IPPROTO_TCP, socket_module.TCP_NODELAY))
    finally:
        for s in (ours, client, listener):
            s.close()


def test_nagle_is_off_on_every_connection() -> None:
    assert _nagle_off(HubHandler)
    assert not _nagle_off(pywsgi.WSGIHandler)  # gevent leaves it on: the 40 ms stall


class _CountingHandler(HubHandler):
    sends: ClassVar[list[int]] = []

    def _sendall(self, data: bytes) -> None:
        self.sends.append(len(data))
        super()._sendall(data)


def _app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    if environ["PATH_INFO"] == "/chunked":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"first ", b"second"])
    size = int(environ["PATH_INFO"].strip("/") or 0)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(size))])
    return [b"x" * size]


def _exchange(client: Any, path: str) -> bytes:
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    if b"chunked" in head.lower():
        while not body.endswith(b"0\r\n\r\n"):
            body += client.recv(65536)
        return body
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += client.recv(65536)
    return body


def test_a_small_answer_leaves_with_its_headers_in_one_send() -> None:
    server = pywsgi.WSGIServer(("127.0.0.1", 0), _app, handler_class=_CountingHandler, log=None)
    server.start()
    client = socket.create_connection(("127.0.0.1", server.server_port))
    try:
        sends = _CountingHandler.sends
        for size in (0, 63, ONE_SEND):
            sends.clear()
            assert _exchange(client, f"/{size}") == b"x" * size
            assert len(sends) == 1 and sends[0] > size, (size, sends)
        sends.clear()
        assert _exchange(client, f"/{ONE_SEND + 1}") == b"x" * (ONE_SEND + 1)
        assert sends[1:] == [ONE_SEND + 1], sends  # a large body: gevent's own second send
        sends.clear()
        assert _exchange(client, "/chunked") == b"6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n"
        assert len(sends) == 4, sends  # headers, two chunks, the end: gevent's chunked path
    finally:
        client.close()
        server.stop()


def test_a_connection_is_read_through_a_small_buffer() -> None:
    assert _reader_size(pywsgi.WSGIHandler) - _reader_size(HubHandler) == 8192 - READ_BUFFER
    assert server_options("gevent") == {"handler_class": HubHandler}
    assert server_options("threading") == {}  # werkzeug's server has no such option


def test_requests_larger_than_the_buffer_and_websockets_are_served_whole(
    live_hub: Callable[..., Any],
) -> None:
    hub = live_hub()
    token = hub.token()
    pad = "x" * (3 * READ_BUFFER)
    assert requests.get(hub.url + "/healthz", headers={"X-Pad": pad}, timeout=10).ok
    auth = {"Authorization": f"Bearer {token}", "X-Pad": pad}
    # a body past the buffer is read whole (cut short, it would not be JSON)
    answer = requests.post(hub.url + "/api/tickets", headers=auth, timeout=10,
                           json={"service": "A", "note": "n" * 5 * READ_BUFFER})
    assert answer.status_code == 400 and "unknown field 'note'" in answer.text, answer.text

    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in ("snapshot", "call"):
        client.on(name, lambda data, name=name: events.put((name, data)), namespace="/display")
    client.connect(hub.url, namespaces=["/display"], transports=["websocket"],
                   headers={"X-Pad": pad}, wait_timeout=10)
    try:
        assert events.get(timeout=10)[0] == "snapshot"
        answer = requests.post(hub.url + "/api/tickets", json={"service": "A"}, headers=auth,
                               timeout=10)
        assert answer.status_code == 201, answer.text
        ticket = answer.json()["ticket"]
        assert requests.post(hub.url + "/api/counters/1/next", headers=auth,
                             timeout=10).status_code == 200
        name, call = events.get(timeout=10)
        assert (name, call["ticket"]) == ("call", ticket)
    finally:
        client.disconnect()
