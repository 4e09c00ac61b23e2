"""How a keypad bridge reaches the hub: in the same process (``loket serve``), or over the
network (``loket keypads --hub URL --token TOKEN``). Both give the bridge the same small
interface: :meth:`action`, :meth:`state`, and callbacks on a :class:`Listener`."""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from loket.server.backoff import FailureLog, retrying

log = logging.getLogger(__name__)


class BackendError(Exception):
    """The hub refused (``code`` is the API's error code) or cannot be reached
    (``code == "offline"``)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class Listener(Protocol):
    def on_counter(self, state: dict[str, Any]) -> None: ...

    def on_queue(self, payload: dict[str, Any]) -> None: ...

    def on_online(self, online: bool) -> None: ...


class Backend(Protocol):
    def start(self, listener: Listener) -> None: ...

    def stop(self) -> None: ...

    def action(
        self, counter_id: str, action: str, service: str | None = None, actor: str = "keypad"
    ) -> dict[str, Any]: ...

    def state(self, counter_id: str) -> dict[str, Any]: ...


class InProcessBackend:
    """Calls the :class:`loket.server.hub.Hub` directly and listens on its event bus."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self._unsubscribe: Any = None

    def start(self, listener: Listener) -> None:
        def on_event(event: Any) -> None:
            if event.kind == "counter":
                listener.on_counter(event.data)
            elif event.kind == "queue":
                listener.on_queue(event.data)

        self._unsubscribe = self.hub.events.subscribe(on_event, {"counter", "queue"})
        listener.on_online(True)

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def action(
        self, counter_id: str, action: str, service: str | None = None, actor: str = "keypad"
    ) -> dict[str, Any]:
        from loket.server.errors import HubError

        try:
            result: dict[str, Any] = self.hub.counter_action(
                counter_id, action, actor=actor, service=service
            )
            return result
        except HubError as exc:
            raise BackendError(exc.code) from None

    def state(self, counter_id: str) -> dict[str, Any]:
        from loket.server.errors import HubError

        try:
            result: dict[str, Any] = self.hub.counter_state(counter_id)
            return result
        except HubError as exc:
            raise BackendError(exc.code) from None


class RemoteBackend:
    """The hub's HTTP API with a device token, and its ``/display`` Socket.IO namespace for
    counter and queue events. Keeps retrying while the hub is away."""

    def __init__(
        self, url: str, token: str, timeout: float = 5.0, retry_max_s: float = 5.0
    ) -> None:
        import requests

        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retry_max_s = retry_max_s
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self._listener: Listener | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._online: bool | None = None
        self._lock = threading.Lock()
        self.sio: Any = None

    # ------------------------------------------------------------------ HTTP
    def _set_online(self, online: bool) -> None:
        with self._lock:
            changed = online != self._online
            self._online = online
        if changed and self._listener is not None:
            if online:
                log.info("hub %s reachable", self.url)
            else:
                log.warning("lost the hub %s; retrying", self.url)
            self._listener.on_online(online)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import requests

        try:
            response = self.http.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            self._set_online(False)
            raise BackendError("offline", str(exc)) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500:
            raise BackendError("offline", f"hub answered {response.status_code}")
        if response.status_code >= 400:
            code = body.get("error", "error") if isinstance(body, dict) else "error"
            if code == "unauthorized":
                log.error("the hub refused the device token (401): check --token")
            raise BackendError(code, str(body.get("message", "")) if isinstance(body, dict)
                               else "")
        return body if isinstance(body, dict) else {}

    def action(
        self, counter_id: str, action: str, service: str | None = None, actor: str = "keypad"
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if action == "transfer":
            kwargs["json"] = {"service": service or ""}
        return self._request("POST", f"/api/counters/{counter_id}/{action}", **kwargs)

    def state(self, counter_id: str) -> dict[str, Any]:
        return self._request("GET", f"/api/counters/{counter_id}")

    # ------------------------------------------------------------------ events
    def start(self, listener: Listener) -> None:
        import socketio

        self._listener = listener
        sio = socketio.Client(reconnection=True, reconnection_delay=0.5,
                              reconnection_delay_max=self.retry_max_s, logger=False)
        self.sio = sio

        @sio.on("connect", namespace="/display")
        def _connect() -> None:
            self._set_online(True)

        @sio.on("disconnect", namespace="/display")
        def _disconnect(*_: Any) -> None:
            self._set_online(False)

        @sio.on("snapshot", namespace="/display")
        def _snapshot(data: Any) -> None:
            for counter in (data or {}).get("counters", []):
                listener.on_counter(counter)

        @sio.on("counter", namespace="/display")
        def _counter(data: Any) -> None:
            if isinstance(data, dict):
                listener.on_counter(data)

        @sio.on("queue", namespace="/display")
        def _queue(data: Any) -> None:
            if isinstance(data, dict):
                listener.on_queue(data)

        @sio.on("hall", namespace="/display")
        def _hall(_data: Any) -> None:  # counters or services changed in /admin
            sio.start_background_task(self._resync)

        self._thread = threading.Thread(target=self._connect_loop, name="keypads-hub",
                                        daemon=True)
        self._thread.start()

    def _resync(self) -> None:
        """Ask for a fresh snapshot (renamed counters, changed services) and apply it."""
        try:
            data = self.sio.call("snapshot", {}, namespace="/display", timeout=self.timeout)
        except Exception as exc:  # a timeout or a dropped link: the next snapshot catches up
            log.info("could not refresh the hall after a change (%s)", exc)
            return
        if self._listener is not None and isinstance(data, dict):
            for counter in data.get("counters", []):
                self._listener.on_counter(counter)

    def _connect_loop(self) -> None:
        """python-socketio reconnects a dropped connection itself; this covers the first
        connection (a hub that is not up yet), with backoff until :meth:`stop`."""
        failures = FailureLog(log, f"cannot reach the hub {self.url} (%s); retrying")
        retrying(failures, first_s=0.5, max_s=self.retry_max_s, retry_on=Exception,
                 stop=self._stop)(self._connect_once)

    def _connect_once(self) -> None:
        if self._stop.is_set():
            return
        try:
            self.sio.connect(self.url, namespaces=["/display"], transports=["websocket"],
                             wait_timeout=self.timeout)
        except Exception:  # socketio.exceptions.ConnectionError and friends
            self._set_online(False)
            raise

    def stop(self) -> None:
        self._stop.set()
        if self.sio is not None:
            try:
                self.sio.disconnect()
            except Exception:
                log.debug("disconnect failed", exc_info=True)
        self.http.close()
