"""``loket keypads`` (a keypad bridge near the counters, talking to the hub over the network)
and ``loket simulate`` (virtual keypads on pseudo-terminals, pressed from the terminal)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from loket.server.cli_support import config_option, load, setup_logging

if TYPE_CHECKING:
    from loket.counter_panel.simulator import VirtualKeypadPort
    from loket.server.config import LoketConfig

log = logging.getLogger(__name__)


HELP_KEYS = (
    "Type <counter> <key> [service] and Enter, e.g. `5 n` (counter 5 NEXT) or `1 t B` "
    "(transfer to service B). Keys: n NEXT, r RECALL, s SKIP, d DONE, t TRANSFER, b BREAK, "
    "u RESUME, g START (UB485). `?` shows this, `q` quits."
)


@click.command("keypads")
@click.option("--hub", "hub_url", required=True, help="The hub's URL, e.g. http://10.0.0.2:5000")
@click.option("--token", required=True, envvar="LOKET_TOKEN",
              help="A device token (`loket token create --role device`).")
@config_option
@click.option("--log-level", default="info", show_default=True)
def keypads(hub_url: str, token: str, config_path: Path | None, log_level: str) -> None:
    """Run a keypad bridge for the [[keypads]] ports, talking to a hub over the network."""
    from loket.counter_panel.backends import RemoteBackend
    from loket.counter_panel.bridge import KeypadBridge

    config = load(config_path)
    if not config.keypads:
        raise click.ClickException("the config lists no [[keypads]] ports")
    setup_logging(log_level)
    bridge = KeypadBridge(RemoteBackend(hub_url, token))
    bridge.add_config(config.keypads)
    bridge.start()
    log.info("keypad bridge for %d ports, hub %s", len(bridge.links), hub_url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()


def _describe(frame: Any) -> str:
    if isinstance(frame, bytes):
        text = frame[3:6].decode("cp1251", errors="replace")
        mode = {0x20: "steady", 0x21: "blinking"}.get(frame[2], f"blinks {frame[2] - 0x21}x")
        return f"screen [{text}] {mode}"
    if frame.kind == "A":
        return f"A ack seq {frame.seq}"
    if frame.kind == "D":
        return f"D {frame.ticket or '---'} (waiting {frame.waiting})"
    return f"E {frame.code}"


_Keypads = list[tuple["VirtualKeypadPort", dict[int, str]]]


@click.command("simulate")
@config_option
@click.option("--attach", "attach", multiple=True, metavar="DEVICE",
              help="Be the keypads on an existing device (e.g. the path `loket serve` logs) "
                   "instead of creating pseudo-terminals. Repeat for several ports.")
def simulate(config_path: Path | None, attach: tuple[str, ...]) -> None:
    """Virtual keypads on pseudo-terminals: prints their device paths and lets you press keys
    from this terminal, showing what the hub sends back."""
    from loket.counter_panel.simulator import drop_link

    config = load(config_path)
    lines = _keypad_lines(config, attach)
    ports: _Keypads = []
    links: list[tuple[Path, str]] = []
    stop = threading.Event()
    try:
        _open_ports(config, lines, attach, ports, links)
        click.echo(HELP_KEYS)
        threading.Thread(target=_show_frames, args=(ports, stop), daemon=True).start()
        _read_keys(ports)
    except KeyboardInterrupt:
        pass
    finally:
        time.sleep(0.2)
        stop.set()
        for port, _ in ports:
            port.close()
        for link, pty in links:
            drop_link(link, pty)


def _keypad_lines(config: LoketConfig, attach: tuple[str, ...]) -> list[tuple[str, dict[int, str]]]:
    """The keypad ports to simulate: (dialect, address -> counter) each."""
    from loket.counter_panel.simulator import simulated_addresses

    lines: list[tuple[str, dict[int, str]]] = [
        (port.dialect, {int(a): c for a, c in port.addresses.items()}) for port in config.keypads
    ]
    if not lines:
        if attach:  # the simulated bus of `loket serve`: all counters, in config order
            lines = [("loket", simulated_addresses(config))]
        else:  # one keypad (address 1) per counter, each on its own pseudo-terminal
            lines = [("loket", {1: counter.id}) for counter in config.counters]
    if attach and len(attach) != len(lines):
        raise click.ClickException(
            f"--attach given {len(attach)} times for {len(lines)} keypad ports in the config")
    return lines


def _open_ports(config: LoketConfig, lines: list[tuple[str, dict[int, str]]],
                attach: tuple[str, ...], ports: _Keypads, links: list[tuple[Path, str]]) -> None:
    """Open one virtual keypad port per line (appending to ``ports`` and, for pseudo-terminals,
    their stable links to ``links``) and print where they are and the bridge's config for them."""
    from loket.counter_panel.simulator import (
        LINKS_FOLDER,
        VirtualKeypadPort,
        pty_pair,
        stable_link,
    )

    snippet: list[str] = []
    for i, (dialect, addresses) in enumerate(lines):
        if attach:
            port = VirtualKeypadPort(path=attach[i], dialect=dialect)
            where = attach[i]
        else:
            master, pty = pty_pair()
            port = VirtualKeypadPort(master, dialect=dialect)
            # A stable name for the bridge's config: keypads/<counter> (one keypad per counter)
            # or keypads/port-<n> (the config's [[keypads]] ports), re-pointed on every start.
            name = f"port-{i + 1}" if config.keypads else addresses[1]
            link = stable_link(config.base_dir / LINKS_FOLDER, name, pty)
            links.append((link, pty))
            where = str(link)
            click.echo(f"{where} -> {pty}")
        ports.append((port, addresses))
        names = ", ".join(f"address {a} = counter {c}" for a, c in sorted(addresses.items()))
        click.echo(f"keypads ({dialect}) on {where}: {names}")
        mapping = ", ".join(f'"{a}" = "{c}"' for a, c in sorted(addresses.items()))
        snippet.append(f'[[keypads]]\nport = "{where}"\ndialect = "{dialect}"\n'
                       f"addresses = {{ {mapping} }}\n")
    if not attach:
        click.echo("A bridge opens these devices; in its loket.toml:\n\n" + "\n".join(snippet))


def _show_frames(ports: _Keypads, stop: threading.Event) -> None:
    """Print what the hub sends each keypad, until ``stop`` is set."""
    reverse = {(id(p), a): c for p, addresses in ports for a, c in addresses.items()}
    while not stop.is_set():
        for port, _ in ports:
            for frame in port.drain():
                address = frame[1] if isinstance(frame, bytes) else frame.address
                counter = reverse.get((id(port), address), "?")
                click.echo(f"  counter {counter} (address {address}) <- {_describe(frame)}")
        stop.wait(0.05)


def _read_keys(ports: _Keypads) -> None:
    """Press keys typed on standard input (``<counter> <key> [service]``) until quit or EOF."""
    where_is = {c: (port, a) for port, addresses in ports for a, c in addresses.items()}
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        if words[0] in ("q", "quit", "exit"):
            break
        if words[0] in ("?", "h", "help") or len(words) < 2:
            click.echo(HELP_KEYS)
            continue
        target = where_is.get(words[0])
        if target is None:
            click.echo(f"no keypad for counter {words[0]!r}")
            continue
        port, address = target
        service = words[2].upper() if len(words) > 2 else None
        try:
            port.press(address, words[1], service=service)
        except ValueError as exc:
            click.echo(str(exc))


commands: list[click.Command] = [keypads, simulate]
