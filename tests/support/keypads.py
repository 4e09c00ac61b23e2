"""Keypads in a hall's config for tests against a real hub process."""

from __future__ import annotations

DEVICES_ON = ["--log-level", "info"]
"""Any argument but --no-devices (the live_hub default): keypads run inside the hub."""


def keypads_toml(path: str, addresses: str = '{ "1" = "1" }', dialect: str = "loket") -> str:
    return f"""
[[keypads]]
port = "{path}"
dialect = "{dialect}"
addresses = {addresses}
double_press_s = 0
"""
