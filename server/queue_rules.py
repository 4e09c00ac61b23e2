"""Who does this counter call next? The queue rules, free of I/O.

This module imports nothing from flask, sqlalchemy, serial, pygame or gtts: it is given plain
values describing the waiting tickets and the counter, and answers with an order. The storage
layer then claims the first candidate it can (a conditional UPDATE in the database), so two
counters never get the same ticket even when they rank the same candidates.

Rules:
* A counter only calls tickets of the services it serves.
* Within one service and one priority class, first come first served by ``queued_at``: the
  time the ticket was first issued, kept across transfers so a transferred citizen does not
  go to the back of the line.
* Priority tickets (lansia, disabilitas, ibu hamil) go first ("first" policy), or one call in
  ``priority_every`` goes to a priority ticket ("interleave" policy, counted per counter).
* Across a counter's services: strict order of preference, or the oldest ticket overall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

PriorityPolicy = Literal["first", "interleave"]
ServiceOrder = Literal["preference", "oldest"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as the rules see it."""

    ticket_id: int
    service: str
    priority: bool
    queued_at: float
    """Fairness key: seconds since the epoch when the ticket was first issued."""


@dataclass(frozen=True, slots=True)
class CounterView:
    """What the rules need to know about the calling counter."""

    id: str
    services: tuple[str, ...]
    """Service prefixes in order of preference."""
    calls_since_priority: int = 0
    """Regular calls this counter made since it last called a priority ticket."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The hall's calling rules (``[queue]`` of loket.toml)."""

    priority_policy: PriorityPolicy = "first"
    priority_every: int = 3
    service_order: ServiceOrder = "preference"


def priority_turn(counter: CounterView, policy: Policy) -> bool:
    """Whether, if both classes wait, this call should go to a priority ticket."""
    if policy.priority_policy == "first":
        return True
    return counter.calls_since_priority >= policy.priority_every - 1


def rank(counter: CounterView, waiting: Iterable[Candidate], policy: Policy) -> list[Candidate]:
    """Every ticket ``counter`` may call, best first. Empty when nobody waits for it."""
    preference = {service: i for i, service in enumerate(counter.services)}
    eligible = [c for c in waiting if c.service in preference]
    favour_priority = priority_turn(counter, policy)

    def key(c: Candidate) -> tuple[int, int, float, int]:
        class_rank = 0 if c.priority == favour_priority else 1
        service_rank = preference[c.service] if policy.service_order == "preference" else 0
        return (class_rank, service_rank, c.queued_at, c.ticket_id)

    return sorted(eligible, key=key)


def choose_next(
    counter: CounterView, waiting: Iterable[Candidate], policy: Policy
) -> Candidate | None:
    """The ticket ``counter`` should call now, or None."""
    ranked = rank(counter, waiting, policy)
    return ranked[0] if ranked else None


def calls_since_priority_after(counter: CounterView, called: Candidate) -> int:
    """The counter's priority bookkeeping after it called ``called``."""
    return 0 if called.priority else counter.calls_since_priority + 1


def position_in_line(
    ticket: Candidate, waiting: Iterable[Candidate], policy: Policy
) -> int:
    """How many tickets of the same service are ahead of ``ticket`` (0: next in line).

    Under the "first" policy every waiting priority ticket is ahead of a regular one; under
    "interleave" only the older ones of either class are counted, which is what a citizen
    experiences on average."""
    ahead = 0
    for other in waiting:
        if other.ticket_id == ticket.ticket_id or other.service != ticket.service:
            continue
        older = (other.queued_at, other.ticket_id) < (ticket.queued_at, ticket.ticket_id)
        if policy.priority_policy == "first" and other.priority != ticket.priority:
            ahead += other.priority
        elif older:
            ahead += 1
    return ahead
