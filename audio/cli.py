"""`loket say`, `loket voice build|check` and `loket announcer`."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from loket.server.backoff import FailureLog, retrying
from loket.server.cli_support import config_option, load, setup_logging

if TYPE_CHECKING:
    from loket.server.config import LoketConfig
    from loket.server.payloads import CallEvent, Snapshot

log = logging.getLogger("loket.audio")


def _call(config: LoketConfig, ticket: str, counter: str, recall: bool) -> CallEvent:
    """A call as the hub would send it, for a sound check."""
    known = next((c for c in config.counters if c.id == counter), None)
    label = ticket.upper()
    return {"id": 0, "ticket": label, "service": label.split("-")[0], "counter": counter,
            "counter_name": known.name if known else f"Loket {counter}",
            "counter_spoken_name": known.spoken_name if known else "",
            "zone": known.zone if known else "", "recall": recall, "priority": False,
            "booked": False, "at": None}


@click.command()
@click.argument("ticket")
@click.argument("counter")
@click.option("--text", "text_only", is_flag=True, help="Only print the sentence.")
@click.option("--recall", is_flag=True, help="Say it as a recall.")
@config_option
def say(ticket: str, counter: str, text_only: bool, recall: bool,
        config_path: Path | None) -> None:
    """Speak one call locally (a sound check): loket say A-012 5"""
    from loket.audio.numbers import split_ticket
    from loket.audio.phrases import sentence

    config = load(config_path)
    try:
        split_ticket(ticket)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TICKET") from None
    call = _call(config, ticket, counter, recall)
    click.echo(sentence(call, config).text)
    if text_only:
        return
    setup_logging("info")
    from loket.audio.player import Announcer

    announcer = Announcer(config).start()
    announcer.submit(call)
    if not announcer.drain(60):
        raise click.ClickException("the announcement did not finish within 60 s")
    announcer.stop()


@click.group()
def voice() -> None:
    """The offline voice pack."""


@voice.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Pack folder (default: [audio] voice_pack).")
@click.option("--timeout", type=float, default=10.0, show_default=True)
@config_option
def voice_build(out: Path | None, timeout: float, config_path: Path | None) -> None:
    """Synthesise every fragment this hall needs with gTTS (needs internet once)."""
    from loket.audio.announcement import voice_pack_dir
    from loket.audio.pack import build_pack

    config = load(config_path)
    setup_logging("info")
    folder = out or voice_pack_dir(config)
    started = time.monotonic()
    manifest = build_pack(config, folder, timeout)
    size = sum(p.stat().st_size for p in folder.glob("*.wav"))
    click.echo(f"{folder}: {len(manifest['fragments'])} fragments, {size / 1e6:.1f} MB, "
               f"{time.monotonic() - started:.0f} s")


@voice.command("check")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@config_option
def voice_check(folder: Path, config_path: Path | None) -> None:
    """Report the fragments missing from a pack (recorded or built)."""
    from loket.audio.pack import check_pack

    config = load(config_path)
    missing, unusable = check_pack(config, folder)
    for name in missing:
        click.echo(f"missing: {name}.wav")
    for name, reason in unusable:
        click.echo(f"unusable: {name}: {reason}")
    if missing or unusable:
        raise click.ClickException(f"{len(missing)} missing, {len(unusable)} unusable")
    click.echo(f"{folder}: complete")


@click.command()
@click.option("--hub", "hub_url", required=True, help="The hub, e.g. http://192.168.1.10:5000")
@click.option("--token", required=True, envvar="LOKET_TOKEN", help="An announcer token.")
@click.option("--zone", "zones", multiple=True, help="Zone to announce (repeatable).")
@config_option
def announcer(hub_url: str, token: str, zones: tuple[str, ...], config_path: Path | None) -> None:
    """Speak the hub's calls on this PC's speakers (next to the amplifier)."""
    import socketio

    from loket.audio.player import Announcer

    config = load(config_path)
    setup_logging("info")
    if zones:
        config = config.model_copy(update={"audio": config.audio.model_copy(
            update={"zones": list(zones)})})
    speaker = Announcer(config).start()
    seen: set[int] = set()
    client = socketio.Client(reconnection=True, reconnection_delay=1,
                             reconnection_delay_max=10, logger=False)
    connected_once = threading.Event()

    @client.on("call", namespace="/display")
    def _call(data: CallEvent) -> None:
        if data.get("id") in seen:
            return
        seen.add(data.get("id", 0))
        speaker.submit(data)

    @client.on("snapshot", namespace="/display")
    def _snapshot(data: Snapshot) -> None:
        # Calls made before we connected are not announced late, but remembered.
        seen.update(c.get("id", 0) for c in data.get("calls", []))

    @client.event(namespace="/display")
    def connect() -> None:
        log.info("following calls of %s (%s)", hub_url, ", ".join(zones) or "every zone")
        connected_once.set()

    @client.event(namespace="/display")
    def disconnect(*_: Any) -> None:
        log.warning("lost the hub %s; reconnecting", hub_url)

    auth = {"token": token, **({"zone": zones[0]} if len(zones) == 1 else {})}
    # python-socketio reconnects a dropped link itself; the first connection is retried here.
    failures = FailureLog(log, f"cannot reach the hub {hub_url} (%s); retrying",
                          level=logging.ERROR)
    retrying(failures, first_s=1.0, max_s=30.0,
             retry_on=socketio.exceptions.ConnectionError)(
        client.connect, hub_url, namespaces=["/display"], auth=auth, transports=["websocket"],
        wait_timeout=10)
    try:
        client.wait()
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        speaker.stop()


def _manifest_line(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False)


commands: list[click.Command] = [say, voice, announcer]
