"""Supervisor controls that the hub has no single operation for: moving the waiting tickets of
one service to another, the running text and pausing services. Each is audited."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from loket.server.errors import HubError, bad_request
from loket.server.events import Event
from loket.server.hub import Hub
from loket.server.models import Ticket, TicketStatus

log = logging.getLogger(__name__)
MAX_RUNNING_TEXT = 500


def move_waiting(
    hub: Hub, source: str, target: str, actor: str, limit: int | None = None
) -> dict[str, Any]:
    """Move today's waiting tickets of ``source`` (oldest first, at most ``limit``) into the
    queue of ``target`` in one transaction.

    Each keeps its label and ``queued_ts`` (so it keeps its place by issue time in the new
    line), gets ``transfers`` + 1 and ``transferred_from`` noted. One :meth:`Hub.write`
    (PostgreSQL: ``FOR UPDATE`` on the rows), so a counter cannot call a ticket halfway through
    the move; the audit entry is part of the same transaction."""
    if source not in hub.services:
        raise HubError("unknown_service", service=source)
    if target not in hub.services:
        raise HubError("unknown_service", service=target)
    if source == target:
        raise HubError("same_service", service=target)
    if limit is not None and limit < 1:
        raise bad_request("'limit' must be at least 1")
    with hub.write() as w:
        query = (
            select(Ticket)
            .where(
                Ticket.day == hub.day(w.now),
                Ticket.status == TicketStatus.WAITING,
                Ticket.service == source,
            )
            .order_by(Ticket.queued_ts, Ticket.id)
            .with_for_update()
        )
        if limit is not None:
            query = query.limit(limit)
        moved = []
        for ticket in w.session.scalars(query):
            ticket.service = target
            ticket.transfers += 1
            ticket.transferred_from = f"{source} (supervisor)"
            moved.append(ticket.label)
            w.publish(Event("ticket", hub.ticket_payload(ticket)))
        hub.audit_in(w, actor, "queue:move", f"{source}->{target}",
                     {"tickets": moved, "count": len(moved)})
        w.queue_changed = True
    log.info("%s moved %d waiting tickets from %s to %s", actor, len(moved), source, target)
    return {"from": source, "to": target, "moved": len(moved), "tickets": moved}


def set_running_text(hub: Hub, text: str, actor: str) -> dict[str, Any]:
    """Set the displays' running text (whitespace collapsed; at most
    :data:`MAX_RUNNING_TEXT` characters)."""
    text = " ".join(text.split())
    if len(text) > MAX_RUNNING_TEXT:
        raise bad_request(f"the running text is longer than {MAX_RUNNING_TEXT} characters")
    hub.set_setting("running_text", text, actor)
    return {"running_text": text}


def set_paused(hub: Hub, service: str, paused: bool, actor: str) -> dict[str, Any]:
    """Pause or resume issuing tickets for ``service``; returns the paused services."""
    if service not in hub.services:
        raise HubError("unknown_service", service=service)
    current = [p for p in hub.paused_services() if p in hub.services]
    if paused and service not in current:
        current.append(service)
    elif not paused and service in current:
        current.remove(service)
    ordered = [p for p in hub.services if p in current]
    hub.set_setting("paused_services", ordered, actor)
    return {"paused_services": ordered}
