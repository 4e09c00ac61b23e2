"""The ``loket`` commands come from one explicit list (server.commands.PART_CLIS), the parts'
CLIs share their helpers through server.cli_support, and the entry point imports none of them
before gevent has patched the standard library."""

from __future__ import annotations

import subprocess
import sys

import click

from loket.server.commands import PART_CLIS, cli

CONTRACT = {
    "announcer", "backup", "check", "city", "db", "init", "keypads", "kiosk", "notify",
    "restore", "say", "serve", "service", "simulate", "token", "user", "voice",
}


def test_every_command_of_the_contract_is_there() -> None:
    assert set(cli.commands) >= CONTRACT


def test_each_parts_commands_are_registered_from_the_list() -> None:
    for part in PART_CLIS:
        for command in part.commands:
            assert isinstance(command, click.Command)
            assert cli.commands[command.name or ""] is command, part.__name__


def test_the_entry_point_imports_no_command_before_patching() -> None:
    code = ("import sys, loket.server.cli; "
            "print(sorted(m for m in sys.modules if m.startswith(('loket.', 'server', 'audio', "
            "'counter_panel', 'gevent', 'flask', 'socket'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "['loket.server', 'loket.server.cli']"


def test_the_parts_share_one_config_option() -> None:
    from loket.server import cli_support

    for part in PART_CLIS:
        assert getattr(part, "config_option", cli_support.config_option) is \
            cli_support.config_option, part.__name__
