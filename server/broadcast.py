"""One broadcast, encoded once: the hub's pushes to many Socket.IO clients (a call to every
wall screen, waiting counts to every screen and phone) as one WebSocket frame written to each
client's socket.

python-socketio already serialises a broadcast once, but then hands every client its own
Engine.IO packet: a queue, a writer greenlet woken for it, a fresh WebSocket frame built by
wsproto, and only then the ``send``. On the hub's 2-core machine that path, not the
``send`` itself, was most of the CPU of a call (bench/hub_load.py under py-spy;
docs/benchmarks.md, "Hub: faster"). Here the frame is built once per broadcast and, for each
WebSocket client with nothing else waiting to be written, given to the kernel at once with a
non-blocking ``send``. Everything else takes Engine.IO's ordinary path, so the order of a
client's messages never changes:

* a client still on long-polling, or whose connection compresses (permessage-deflate), or
  whose writer has packets queued or is in the middle of a write: the ordinary packet;
* a kernel buffer that takes only part of the frame: the rest goes through the client's own
  queue, ahead of anything sent later.

Only with gevent (one thread: nothing runs between the check and the ``send``), the
simple-websocket transport and a single process (no message queue: with Redis every process
must see the emit). Otherwise :meth:`Broadcaster.emit` is ``server.emit``.

The hub also declines permessage-deflate, which every browser offers: the hub's messages are
small JSON on a local network, and a compressing connection costs the hub a zlib compressor
per client (about 100 KB of memory each, measured: 47 MB for 500) and a compression of every
message for every client, and could not share the frame.
"""

from __future__ import annotations

import logging
from typing import Any

from engineio import packet as eio_packet
from engineio import socket as eio_socket
from socketio import packet as sio_packet

log = logging.getLogger(__name__)
_installed = False


class _Frame(bytes):
    """A ready WebSocket frame (or the rest of one) for the writer to send as it is."""


class _FramePacket:
    """Stands in a WebSocket client's Engine.IO queue for a packet: its writer sends
    ``encode()``, here an already built frame (only ever queued for upgraded WebSockets)."""

    packet_type = eio_packet.MESSAGE
    binary = False

    def __init__(self, frame: bytes) -> None:
        self.frame = _Frame(frame)

    def encode(self, b64: bool = False) -> Any:
        return self.frame


def frame_text(payload: bytes) -> bytes:
    """A final, unmasked WebSocket text frame of ``payload`` (what a server sends)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 65536:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


def install() -> bool:
    """Teach Engine.IO's simple-websocket transport the shortcut (idempotent); False when
    this Engine.IO does not look as expected (then nothing is changed)."""
    global _installed
    if _installed:
        return True
    try:
        from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
    except ImportError:  # pragma: no cover - another transport
        return False
    handler = getattr(eio_socket.Socket, "_websocket_handler", None)
    original_send = getattr(SimpleWebSocketWSGI, "send", None)
    if handler is None or original_send is None:  # pragma: no cover
        return False

    def websocket_handler(self: Any, ws: Any) -> Any:
        self.loket_ws = ws
        try:
            return handler(self, ws)
        finally:
            self.loket_ws = None

    def send(self: Any, message: Any) -> Any:
        self.loket_busy = True
        try:
            if isinstance(message, _Frame):
                try:
                    self.ws.sock.sendall(message)
                except OSError:
                    raise
                except Exception as exc:  # as the original: a closed socket is an OSError
                    raise OSError() from exc
                return None
            return original_send(self, message)
        finally:
            self.loket_busy = False

    import simple_websocket.ws as simple_ws
    from wsproto.extensions import PerMessageDeflate

    class Declined(PerMessageDeflate):
        """permessage-deflate, declined whatever the client offers (see module)."""

        def accept(self, offer: str) -> None:
            return None

    if getattr(simple_ws, "PerMessageDeflate", None) is PerMessageDeflate:
        simple_ws.PerMessageDeflate = Declined
    eio_socket.Socket._websocket_handler = websocket_handler
    SimpleWebSocketWSGI.send = send
    _installed = True
    return True


def _compresses(ws: Any) -> bool:
    """Whether the WebSocket connection negotiated an extension (permessage-deflate); True
    too when that cannot be told (then the ordinary path is taken)."""
    cached = getattr(ws, "loket_plain", None)
    if cached is None:
        connection = getattr(getattr(ws.ws, "ws", None), "connection", None)
        extensions = getattr(getattr(connection, "_proto", None), "extensions", None)
        cached = isinstance(extensions, list) and not any(
            getattr(e, "enabled", lambda: True)() for e in extensions)
        ws.loket_plain = cached
    return not cached


def _direct(sock: Any, frame: bytes) -> bool:
    """Write ``frame`` to the client of Engine.IO socket ``sock`` now if nothing may come
    before it; True when it was sent (or the rest queued in order)."""
    ws = getattr(sock, "loket_ws", None)
    if ws is None or sock.closed or sock.closing or not sock.upgraded \
            or getattr(ws, "loket_busy", False) or not sock.queue.empty() or _compresses(ws):
        return False
    raw = getattr(ws.ws.sock, "_sock", None)
    if raw is None:
        return False
    try:
        sent = raw.send(frame)
    except BlockingIOError:
        return False
    except OSError:
        return True  # the connection is gone; Engine.IO's reader ends it
    if sent < len(frame):
        sock.queue.put(_FramePacket(frame[sent:]))
    return True


def fast_path_ready(server: Any) -> bool:
    """Whether the python-socketio ``server`` can use the shortcut (see module)."""
    import socketio

    eio = server.eio
    return (eio.async_mode == "gevent" and type(server.manager) is socketio.Manager
            and getattr(eio, "_async", {}).get("websocket") is not None and install())


class Broadcaster:
    """Emits broadcasts for one python-socketio server (see module)."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.fast = fast_path_ready(server)
        self.direct = self.queued = 0
        """Messages written at once and through Engine.IO's queue (for tests and the bench)."""

    def emit(self, event: str, data: Any, namespace: str, to: Any = None) -> None:
        """``server.emit(event, data, namespace=namespace, to=to)``, encoded once."""
        server = self.server
        if not self.fast:
            server.emit(event, data, namespace=namespace, to=to)
            return
        if namespace not in server.manager.rooms:
            return
        # Nobody to send to (a ticket nobody follows, counter events no screen asked for):
        # no encoding either.
        targets = list(server.manager.get_participants(namespace, to))
        if not targets:
            return
        encoded = server.packet_class(sio_packet.EVENT, namespace=namespace,
                                      data=[event, data]).encode()
        if not isinstance(encoded, str):  # binary attachments: the ordinary way
            server.emit(event, data, namespace=namespace, to=to)
            return
        eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = frame_text(eio_pkt.encode().encode("utf-8"))
        sockets = server.eio.sockets
        for _sid, eio_sid in targets:
            sock = sockets.get(eio_sid)
            if sock is not None and _direct(sock, frame):
                self.direct += 1
            else:
                self.queued += 1
                server._send_eio_packet(eio_sid, eio_pkt)
