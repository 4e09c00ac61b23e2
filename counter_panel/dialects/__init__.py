"""Keypad wire formats. A dialect turns bytes into :class:`~counter_panel.protocol.Press`
objects and the bridge's answers back into bytes; a new dialect is one module here that
defines a :class:`Dialect` subclass and registers it with :func:`register`."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from loket.counter_panel.protocol import BadKey, Press


@dataclass(frozen=True)
class CounterView:
    """What a keypad needs to know about its counter."""

    ticket: str | None = None
    ticket_status: str | None = None
    """"called", "serving" or None."""
    waiting: int = 0
    status: str = "idle"
    """"idle", "serving", "break" or "closed" (as the hub reports it)."""

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CounterView:
        return cls(
            ticket=state.get("ticket"),
            ticket_status=state.get("ticket_status"),
            waiting=int(state.get("waiting") or 0),
            status=str(state.get("status") or "idle"),
        )


@dataclass(frozen=True)
class Resolution:
    """A hub action for a press; ``action`` None means: do nothing, just show the state."""

    action: str | None
    service: str | None = None


class Decoder(Protocol):
    @property
    def dropped(self) -> dict[str, int]:
        """Discarded input so far, by reason (noise, checksum, overlong...)."""
        ...

    def feed(self, data: bytes) -> list[Press | BadKey]: ...


class Dialect:
    """Base class; subclasses set ``name`` and implement the wire format."""

    name = ""
    needs_state = False
    """True when a key's meaning depends on the counter's state (fetched before resolving)."""

    def decoder(self) -> Decoder:
        raise NotImplementedError

    def ack(self, address: int, seq: int | None) -> bytes:
        return b""

    def display(self, address: int, view: CounterView) -> bytes:
        raise NotImplementedError

    def error(self, address: int, code: str) -> bytes:
        raise NotImplementedError

    def resolve(self, press: Press, view: CounterView | None, redirect: str | None) -> Resolution:
        """The hub action for ``press``; raises :class:`UnknownKey` for a key without one."""
        raise NotImplementedError

    def is_call_key(self, press: Press) -> bool:
        """Whether a second press of this key soon after a call is a shaky finger."""
        return False


class UnknownKey(ValueError):
    """A key this dialect cannot map to an action (answered with BADKEY)."""


_REGISTRY: dict[str, type[Dialect]] = {}
BUILTIN = ("loket", "ub485")


def register(cls: type[Dialect]) -> type[Dialect]:
    _REGISTRY[cls.name] = cls
    return cls


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``: a registered one, or the module
    ``loket.counter_panel.dialects.<name>``."""
    if name not in _REGISTRY:
        try:
            importlib.import_module(f"loket.counter_panel.dialects.{name}")
        except ImportError:
            raise KeyError(f"no keypad dialect {name!r}") from None
    if name not in _REGISTRY:
        raise KeyError(f"no keypad dialect {name!r}")
    return _REGISTRY[name]()
