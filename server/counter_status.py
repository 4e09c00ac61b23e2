"""The words of a counter's state: what its database row holds (:class:`CounterStatus`), what
the API, panels and displays show (:class:`CounterState`), the actions a counter takes
(:class:`CounterAction`, :class:`ActionArgs`) and what an action ends with
(:class:`Outcome`).

StrEnums: each member *is* its string (``CounterStatus.OPEN == "open"``), so rows, JSON
answers and Socket.IO events carry the same words as before. A leaf module (no imports of
Loket's, but :class:`loket.server.models.Ticket` for typing)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loket.server.models import Ticket


class CounterStatus(StrEnum):
    """A counter's row in the database: open (idle or serving), on a break, or closed."""

    OPEN = "open"
    BREAK = "break"
    CLOSED = "closed"


class CounterState(StrEnum):
    """The public ``status`` of a counter (API, panels, displays): an open counter is idle or
    serving, a paused one on a break or closed."""

    IDLE = "idle"
    SERVING = "serving"
    BREAK = "break"
    CLOSED = "closed"

    @classmethod
    def of(cls, status: str, serving: bool) -> CounterState:
        """The public state of a row with ``status`` that has (or not) a current ticket."""
        if status == CounterStatus.OPEN:
            return cls.SERVING if serving else cls.IDLE
        return cls(status)


class CounterAction(StrEnum):
    """What a counter can be told to do (``POST /api/counters/<id>/<action>``, keypads, panels).
    """

    NEXT = "next"
    RECALL = "recall"
    SKIP = "skip"
    DONE = "done"
    TRANSFER = "transfer"
    START = "start"
    BREAK = "break"
    RESUME = "resume"
    CALL = "call"
    BRING_BACK = "bring_back"
    OPEN = "open"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a counter action's handler ends with: the label of the ticket it called, if any;
    ``empty`` when NEXT found nobody waiting (its transaction commits, since the previous
    ticket is finished, and the hub then refuses with 409 ``empty``)."""

    called: str | None = None
    empty: bool = False
    shown: Ticket | None = None
    """The ticket the counter now shows, when the handler holds it (NEXT, CALL): spares the
    hub a read (a session keeps only the objects somebody references)."""


@dataclass(frozen=True, slots=True)
class ActionArgs:
    """What an action may take besides the counter: a service (TRANSFER), a ticket label
    (CALL, BRING_BACK), and who asked (for the audit)."""

    service: str | None = None
    ticket: str | None = None
    actor: str = "system"


NOTHING = Outcome()
"""An action that called nobody (RECALL keeps the ticket: it returns it as ``called``)."""
EMPTY = Outcome(empty=True)
"""NEXT with nobody waiting."""
