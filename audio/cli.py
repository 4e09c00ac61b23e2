"""Command-line commands of this part, added to `loket`."""

from __future__ import annotations

import click

commands: list[click.Command] = []
