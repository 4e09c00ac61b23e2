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
* Booked tickets (issued at a booking's check-in, see ``booked_policy``): "slot_time" places a
  booked ticket as if issued at its slot's start (:func:`booked_queued_at` gives it that
  ``queued_at``), so it goes after every walk-in who came before its slot; "first" calls due
  booked tickets before walk-ins; "every_n" gives one call in ``booked_every`` of a counter to
  a due booked ticket. The priority class is decided first under every booked policy.
* A booked ticket is never called before its slot's start unless nobody else waits for the
  counter: such tickets rank after all others (needs the caller's ``now``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

PriorityPolicy = Literal["first", "interleave"]
ServiceOrder = Literal["preference", "oldest"]
BookedPolicy = Literal["slot_time", "first", "every_n"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting ticket as the rules see it."""

    ticket_id: int
    service: str
    priority: bool
    queued_at: float
    """Fairness key: seconds since the epoch when the ticket was first issued (a booked
    ticket: see :func:`booked_queued_at`)."""
    booked: bool = False
    """Issued at a booking's check-in."""
    slot_at: float | None = None
    """Start of the booked slot (booked tickets): not called before it while others wait."""

    def due(self, now: float | None) -> bool:
        """Whether the ticket may be called at ``now`` while others wait: a walk-in always, a
        booked ticket once its slot has started (``now`` None: no slot constraint)."""
        return not self.booked or self.slot_at is None or now is None or self.slot_at <= now


@dataclass(frozen=True, slots=True)
class CounterView:
    """What the rules need to know about the calling counter."""

    id: str
    services: tuple[str, ...]
    """Service prefixes in order of preference."""
    calls_since_priority: int = 0
    """Regular calls this counter made since it last called a priority ticket."""
    calls_since_booked: int = 0
    """Calls this counter made since it last called a booked ticket (``every_n``)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The hall's calling rules (``[queue]`` in loket.toml)."""

    priority_policy: PriorityPolicy = "first"
    priority_every: int = 3
    service_order: ServiceOrder = "preference"
    booked_policy: BookedPolicy = "slot_time"
    booked_every: int = 3
    """With ``booked_policy = "every_n"``: one call in this many goes to a due booked ticket."""


def booked_queued_at(policy: Policy, now: float, slot_ts: float) -> float:
    """The fairness key (``queued_at``) of a ticket issued at ``now`` by the check-in of a
    booking whose slot starts at ``slot_ts``: the slot's start under "slot_time", else now."""
    return slot_ts if policy.booked_policy == "slot_time" else now


def priority_turn(counter: CounterView, policy: Policy) -> bool:
    """Whether, if both classes wait, this call should go to a priority ticket."""
    if policy.priority_policy == "first":
        return True
    return counter.calls_since_priority >= policy.priority_every - 1


def booked_turn(counter: CounterView, policy: Policy) -> bool | None:
    """Whether, if due booked tickets and walk-ins of one class wait, this call should go to a
    booked ticket; None when the booked policy does not separate them ("slot_time")."""
    if policy.booked_policy == "first":
        return True
    if policy.booked_policy == "every_n":
        return counter.calls_since_booked >= policy.booked_every - 1
    return None


def rank(
    counter: CounterView, waiting: Iterable[Candidate], policy: Policy, *,
    now: float | None = None,
) -> list[Candidate]:
    """Every ticket ``counter`` may call at ``now``, best first. Empty when nobody waits for
    it. ``now`` None: booked tickets are ranked as if their slots had started."""
    preference = {service: i for i, service in enumerate(counter.services)}
    eligible = [c for c in waiting if c.service in preference]
    favour_priority = priority_turn(counter, policy)
    favour_booked = booked_turn(counter, policy)

    def key(c: Candidate) -> tuple[int, float, int, int, int, float, int]:
        due = c.due(now)
        # not yet due: after everyone else, earliest slot first
        wait_rank = 0 if due else 1
        slot_rank = 0.0 if due else (c.slot_at or 0.0)
        class_rank = 0 if c.priority == favour_priority else 1
        booked_rank = 0 if favour_booked is None or c.booked == favour_booked else 1
        service_rank = preference[c.service] if policy.service_order == "preference" else 0
        return (wait_rank, slot_rank, class_rank, booked_rank, service_rank, c.queued_at,
                c.ticket_id)

    return sorted(eligible, key=key)


def choose_next(
    counter: CounterView, waiting: Iterable[Candidate], policy: Policy, *,
    now: float | None = None,
) -> Candidate | None:
    """The ticket ``counter`` should call at ``now``, or None (see :func:`rank`)."""
    ranked = rank(counter, waiting, policy, now=now)
    return ranked[0] if ranked else None


def calls_since_priority_after(counter: CounterView, called: Candidate) -> int:
    """The counter's priority bookkeeping after it called ``called``."""
    return 0 if called.priority else counter.calls_since_priority + 1


def calls_since_booked_after(counter: CounterView, called: Candidate) -> int:
    """The counter's booked bookkeeping (``every_n``) after it called ``called``."""
    return 0 if called.booked else counter.calls_since_booked + 1


def position_in_line(
    ticket: Candidate, waiting: Iterable[Candidate], policy: Policy
) -> int:
    """How many tickets of the same service are ahead of ``ticket`` (0: next in line).

    Under the "first" policy every waiting priority ticket is ahead of a regular one; under
    "interleave" only the older ones of either class are counted, which is what a citizen
    experiences on average. Booked tickets likewise: under ``booked_policy = "first"`` every
    booked ticket of the class is ahead of a walk-in (and no walk-in ahead of a booked one);
    under "slot_time" and "every_n" the older ones by ``queued_at`` (a booked ticket's is its
    slot's start under "slot_time", so a walk-in is not behind later slots)."""
    ahead = 0
    for other in waiting:
        if other.ticket_id == ticket.ticket_id or other.service != ticket.service:
            continue
        older = (other.queued_at, other.ticket_id) < (ticket.queued_at, ticket.ticket_id)
        if policy.priority_policy == "first" and other.priority != ticket.priority:
            ahead += other.priority
        elif policy.booked_policy == "first" and other.booked != ticket.booked:
            ahead += other.booked
        elif older:
            ahead += 1
    return ahead
