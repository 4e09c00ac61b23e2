"""Refusals the hub gives, each with a stable code, an HTTP status and a readable message."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """A refused request. ``code`` is part of the API contract; the message is translated."""

    def __init__(self, code: str, status: int, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params

    def message(self, lang: str = "id") -> str:
        from server.i18n import translate

        return translate(f"error.{self.code}", lang, **self.params)


def bad_request(reason: str) -> HubError:
    return HubError("bad_request", 400, reason=reason)
