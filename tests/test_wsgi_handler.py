"""The hub's gevent request handler (server/wsgi_handler.py): a 2 KB read buffer per
connection instead of 8 KB, with requests of any size read as before."""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable
from typing import Any

import requests
import socketio
from gevent import pywsgi, socket

from loket.server.wsgi_handler import READ_BUFFER, HubHandler, server_options


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
