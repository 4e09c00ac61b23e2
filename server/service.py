"""systemd units for a hall PC: the hub, and the announcer, keypad bridge and city forwarder
when they run as their own services. ``loket service install`` writes them (or prints them);
docs/deploy.md explains each one."""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PARTS = ("hub", "announcer", "keypads", "city-forward", "notify")


@dataclass(frozen=True)
class ServiceOptions:
    config: Path = Path("/var/lib/loket/loket.toml")
    user: str = "loket"
    state_dir: Path = Path("/var/lib/loket")
    executable: str = ""
    hub_url: str = "http://127.0.0.1:5000"
    zones: tuple[str, ...] = ()

    @property
    def loket(self) -> str:
        """The ``loket`` console script of this installation (absolute)."""
        if self.executable:
            return self.executable
        beside = Path(sys.executable).with_name("loket")
        return str(beside if beside.exists() else (shutil.which("loket") or "/usr/bin/loket"))


def unit_name(part: str) -> str:
    return "loket.service" if part == "hub" else f"loket-{part}.service"


_COMMON = """\
[Service]
Type=simple
User={user}
Group={user}
WorkingDirectory={state}
StateDirectory={state_name}
Environment=PYTHONUNBUFFERED=1
{extra}ExecStart={exec}
Restart=on-failure
RestartSec=3
LimitNOFILE=65536
NoNewPrivileges=true
ProtectSystem=strict
PrivateTmp=true
ReadWritePaths={paths}

[Install]
WantedBy=multi-user.target
"""


def render_unit(part: str, options: ServiceOptions) -> str:
    """The unit file text of one part."""
    config = shlex.quote(str(options.config))
    loket = options.loket
    descriptions = {
        "hub": "Loket hub (API, pages, Socket.IO, keypads, announcer)",
        "announcer": "Loket announcer (calls over this PC's speakers)",
        "keypads": "Loket keypad bridge (serial keypads to the hub)",
        "city-forward": "Loket: forward this hall's figures to the city",
        "notify": "Loket: WhatsApp/SMS notices and integration webhooks",
    }
    after = "network-online.target postgresql.service redis-server.service"
    extra = ""
    if part == "hub":
        command = f"{loket} serve --config {config}"
    elif part == "announcer":
        zones = "".join(f" --zone {shlex.quote(z)}" for z in options.zones)
        command = f"{loket} announcer --hub {options.hub_url} --config {config}{zones}"
        extra = ("SupplementaryGroups=audio\n"
                 f"EnvironmentFile={options.config.parent}/announcer.env\n")
        after = "network-online.target sound.target loket.service"
    elif part == "keypads":
        command = f"{loket} keypads --hub {options.hub_url} --config {config}"
        extra = ("SupplementaryGroups=dialout\n"
                 f"EnvironmentFile={options.config.parent}/keypads.env\n")
        after = "network-online.target loket.service"
    elif part == "city-forward":
        command = f"{loket} city forward --config {config}"
        after = "network-online.target loket.service"
    elif part == "notify":  # only with [notify] run_worker = false (serve runs it otherwise)
        command = f"{loket} notify worker --config {config}"
        extra = f"EnvironmentFile=-{options.config.parent}/notify.env\n"
        after = "network-online.target loket.service"
    else:
        raise ValueError(f"unknown part {part!r}; one of {', '.join(PARTS)}")
    head = (f"[Unit]\nDescription={descriptions[part]}\nAfter={after}\n"
            "Wants=network-online.target\n\n")
    state = str(options.state_dir)
    state_name = state.removeprefix("/var/lib/") if state.startswith("/var/lib/") else "loket"
    return head + _COMMON.format(
        user=options.user, state=state, state_name=state_name, extra=extra, exec=command,
        paths=" ".join(dict.fromkeys([state, str(options.config.parent)])),
    )


ENV_HINTS = {
    "announcer": "LOKET_TOKEN=  # loket token create --role announcer --name speakers-1\n",
    "keypads": "LOKET_TOKEN=  # loket token create --role device --name bridge-1\n",
}
"""Token files the announcer and keypad bridge read (EnvironmentFile, mode 0600)."""


def install_units(parts: list[str], options: ServiceOptions, unit_dir: Path) -> list[Path]:
    """Write the units (and empty token files the bridges need); returns the files written."""
    written = []
    unit_dir.mkdir(parents=True, exist_ok=True)
    for part in parts:
        path = unit_dir / unit_name(part)
        path.write_text(render_unit(part, options), encoding="utf-8")
        written.append(path)
        if part in ENV_HINTS:
            env = options.config.parent / f"{part}.env"
            if not env.exists():
                env.parent.mkdir(parents=True, exist_ok=True)
                env.write_text(ENV_HINTS[part], encoding="utf-8")
                env.chmod(0o600)
                written.append(env)
    return written
