"""Kiosk pages and endpoints (filled in below)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    return None
