"""Placeholder wiring; replaced by the counter_panel implementation."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's pages and Socket.IO handlers."""


def start_in_hub(app: Flask) -> Any:
    """Start this part's background work inside `loket serve`; returns a stop callable."""
    return None
