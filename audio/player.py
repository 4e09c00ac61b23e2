"""The announcer: one worker thread, fed by a bounded queue, plays each call's chime and
sentence through pygame's mixer, never two at once, in call order.

* A recall of a ticket whose announcement is still waiting is not queued again.
* An announcement older than ``[audio] max_age_s`` is dropped with a log line (the display
  still shows the call); a full queue drops its oldest item, also logged.
* A missing sound card is logged once; the worker retries the device with backoff while the
  hub goes on."""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from loket.audio import pcm
from loket.audio.announcement import Renderer
from loket.server.backoff import FailureLog, retrying
from loket.server.config import LoketConfig

log = logging.getLogger(__name__)


@dataclass
class Item:
    call: Mapping[str, Any]
    queued: float = field(default_factory=time.monotonic)


class Output:
    """pygame's mixer as the speakers."""

    def __init__(self, device: str = "", volume: float = 1.0) -> None:
        self.device = device
        self.volume = volume
        self._ready = False

    def open(self) -> None:
        import pygame

        if pygame.mixer.get_init() is None:
            kwargs: dict[str, Any] = {"frequency": pcm.RATE, "size": -16, "channels": 1,
                                      "buffer": 512}
            if self.device:
                kwargs["devicename"] = self.device
            pygame.mixer.init(**kwargs)
        self._ready = True

    def play(self, audio: bytes) -> None:
        """Play ``audio`` (Loket's PCM) and return when it has finished."""
        import pygame

        sound = pygame.mixer.Sound(buffer=audio)
        sound.set_volume(self.volume)
        channel = sound.play()
        duration = len(audio) / (pcm.RATE * pcm.WIDTH)
        deadline = time.monotonic() + duration + 2.0
        while channel is not None and channel.get_busy() and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        import pygame

        if pygame.mixer.get_init() is not None:
            pygame.mixer.quit()


class Announcer:
    def __init__(
        self,
        config: LoketConfig,
        renderer: Renderer | None = None,
        output: Output | None = None,
        on_played: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        self.config = config
        self.renderer = renderer or Renderer(config)
        self.output = output or Output(config.audio.device, config.audio.volume)
        self.on_played = on_played
        self.zones = set(config.audio.zones)
        self._items: collections.deque[Item] = collections.deque()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.stats = collections.Counter[str]()

    # -------------------------------------------------------------- feeding
    def wants(self, call: Mapping[str, Any]) -> bool:
        return not self.zones or call.get("zone") in self.zones

    def submit(self, call: Mapping[str, Any]) -> bool:
        """Queue a call's announcement; never blocks. False when it was not queued."""
        if not self.wants(call):
            return False
        with self._cond:
            if call.get("recall") and any(i.call["ticket"] == call["ticket"] for i in self._items):
                self.stats["recall_merged"] += 1
                log.info("recall of %s is already waiting to be announced", call["ticket"])
                return False
            if len(self._items) >= self.config.audio.queue_size:
                dropped = self._items.popleft()
                self.stats["dropped_full"] += 1
                log.warning("announcement queue full (%d): dropped %s",
                            self.config.audio.queue_size, dropped.call["ticket"])
            self._items.append(Item(call))
            self._cond.notify()
        return True

    def on_event(self, event: Any) -> None:
        """Handler for the hub's event bus."""
        if event.kind == "call":
            self.submit(dict(event.data))

    # -------------------------------------------------------------- worker
    def start(self) -> Announcer:
        self._thread = threading.Thread(target=self._run, name="loket-announcer", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until everything queued has been played (for tests and `loket say`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if not self._items and not self._busy:
                    return True
            time.sleep(0.02)
        return False

    _busy = False

    def _next(self) -> Item | None:
        with self._cond:
            while not self._items and not self._stopped:
                self._cond.wait(1.0)
            if self._stopped:
                return None
            self._busy = True
            return self._items.popleft()

    def _open_output(self) -> None:
        failures = FailureLog(log, "no sound device (%s): announcements wait; retrying",
                              "sound device is back", level=logging.ERROR)
        opened = retrying(failures, first_s=1.0, max_s=30.0, retry_on=Exception,
                          stop=lambda: self._stopped)(self._open_once)
        if opened:
            failures.recovered()

    def _open_once(self) -> bool:
        if self._stopped:
            return False
        self.output.open()
        return True

    def _run(self) -> None:
        self._open_output()
        while True:
            item = self._next()
            if item is None:
                return
            try:
                age = time.monotonic() - item.queued
                if age > self.config.audio.max_age_s:
                    self.stats["dropped_old"] += 1
                    log.warning("announcement of %s dropped: %.0f s old (max_age_s %.0f)",
                                item.call["ticket"], age, self.config.audio.max_age_s)
                    continue
                self.output.play(self.renderer.render(item.call))
                self.stats["played"] += 1
                log.info("announced %s at %s (call %s)", item.call.get("ticket"),
                         item.call.get("counter_name") or item.call.get("counter"),
                         item.call.get("id"))
                if self.on_played:
                    self.on_played(item.call)
            except Exception:
                log.exception("announcement of %s failed", item.call.get("ticket"))
                self.stats["failed"] += 1
            finally:
                with self._cond:
                    self._busy = False


def disk_output_env(path: str) -> dict[str, str]:
    """Environment that makes SDL write the mixed samples to ``path`` (tests, benches)."""
    return dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=path)
