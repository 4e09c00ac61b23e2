"""Placeholder wiring; replaced by the supervisor implementation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this part's pages and Socket.IO handlers."""
