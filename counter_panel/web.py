"""The officers' web panel (in progress)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
