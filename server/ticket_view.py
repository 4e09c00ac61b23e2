"""A ticket as its holder may see it (the status page, the status namespace's ``ticket``
event) and as the hub's ``ticket`` event carries it: built from the ticket's row, the hall's
counters and the hall's clock. The shapes are in :mod:`loket.server.payloads`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from loket.server.config.hall import CounterSection
from loket.server.models import Ticket
from loket.server.payloads import TicketEvent, TicketPublic

Iso = Callable[[float | None], str | None]
"""A timestamp as ISO 8601 in the hall's time zone (``Hub.iso``)."""


def ticket_public(ticket: Ticket, counters: Mapping[str, CounterSection], iso: Iso
                  ) -> TicketPublic:
    """What the ticket's holder may see (no database id, no token hash)."""
    counter = counters.get(ticket.counter_id or "")
    return {
        "ticket": ticket.label,
        "service": ticket.service,
        "status": ticket.status,
        "priority": bool(ticket.priority),
        "booked": bool(ticket.booked),
        "counter": ticket.counter_id,
        "counter_name": counter.name if counter else None,
        "issued_at": iso(ticket.issued_ts),
        "called_at": iso(ticket.called_ts),
        "transferred_from": ticket.transferred_from,
    }


def ticket_event(ticket: Ticket, counters: Mapping[str, CounterSection], iso: Iso
                 ) -> TicketEvent:
    """The ``ticket`` event's payload: the public view plus the database id and the status
    token's hash (the status namespace's room; it strips both)."""
    return {"id": ticket.id, "token_hash": ticket.status_token_hash,
            **ticket_public(ticket, counters, iso)}
