"""How officers drive the queue: serial counter keypads (the keypad bridge) and the officers'
web panel at ``/counter``.

* :mod:`loket.counter_panel.protocol` — Loket keypad protocol v1 (pure functions);
  :mod:`loket.counter_panel.dialects` — wire formats (``loket``, ``ub485``), one module each.
* :mod:`loket.counter_panel.bridge` + :mod:`loket.counter_panel.link` — ports, presses, displays;
  :mod:`loket.counter_panel.backends` — the hub in-process or over the network.
* :mod:`loket.counter_panel.simulator` — virtual keypads on pseudo-terminals.
* :mod:`loket.counter_panel.web` — the officers' panel and its Socket.IO namespace ``/counter``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask

from loket.server.context import get_hub

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the officers' panel and its Socket.IO namespace."""
    from loket.counter_panel import web

    web.init_app(app)


def start_in_hub(app: Flask) -> Callable[[], None] | None:
    """Start the keypad bridge inside ``loket serve``: on the ``[[keypads]]`` ports, or, with
    none configured, on simulated keypads (pseudo-terminals) so the hall can be tried without
    hardware. Returns a stop callable."""
    from loket.counter_panel.backends import InProcessBackend
    from loket.counter_panel.bridge import KeypadBridge

    hub = get_hub(app)
    bridge = KeypadBridge(InProcessBackend(hub))
    relay: Any = None
    if hub.config.keypads:
        bridge.add_config(hub.config.keypads)
    else:
        from loket.counter_panel.simulator import (
            LINKS_FOLDER,
            PtyRelay,
            simulated_addresses,
            stable_link,
        )

        try:
            relay = PtyRelay()
        except OSError as exc:
            log.warning("no pseudo-terminals for simulated keypads: %s", exc)
            return None
        addresses = simulated_addresses(hub.config)
        bridge.add_port(relay.path_a, addresses=addresses)
        attach = relay.path_b
        try:  # a name that survives restarts (the pty's own path changes every time)
            link = stable_link(hub.config.base_dir / LINKS_FOLDER, "bus", relay.path_b)
            attach = str(link)
        except OSError as exc:
            log.warning("no stable name for the simulated keypads: %s", exc)
        log.info(
            "no [[keypads]] configured: simulated keypads for %d counters on %s; press keys "
            "with `loket simulate --attach %s` (keypad address = counter's place in the "
            "config: %s)",
            len(addresses), relay.path_b, attach,
            ", ".join(f"{a}={c}" for a, c in sorted(addresses.items())),
        )
    bridge.start()
    app.extensions["loket.counter_panel.bridge"] = bridge

    def stop() -> None:
        bridge.stop()
        if relay is not None:
            from loket.counter_panel.simulator import LINKS_FOLDER, drop_link

            drop_link(hub.config.base_dir / LINKS_FOLDER / "bus", relay.path_b)
            relay.close()

    return stop
