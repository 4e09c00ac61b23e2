"""What other modules call of the notices (re-exported by :mod:`loket.server.notify`): the
``phone`` of ``POST /api/tickets`` (:func:`phone_from`, :func:`opt_in`) and queuing or
cancelling a notice in the caller's transaction. Kept apart from the package's ``__init__`` so
its views import it without importing their own package (no import cycle)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loket.server.config import LoketConfig
from loket.server.errors import HubError
from loket.server.models import Ticket, TicketStatus
from loket.server.notify import outbox
from loket.server.notify.phone import BadPhone, mask, normalize

log = logging.getLogger("loket.server.notify")


def phone_from(body: dict[str, Any], config: LoketConfig) -> str | None:
    """The ``phone`` of a request body in E.164, or None when absent; refuses a bad number
    (400 ``bad_phone``) or notices that are not configured (409), before anything is done."""
    raw = body.get("phone")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise HubError("bad_phone")
    try:
        phone = normalize(raw)
    except BadPhone:
        raise HubError("bad_phone") from None
    if not config.notify.enabled:
        raise HubError("notify_unavailable")
    return phone


def public_base(config: LoketConfig) -> str:
    """Base of the status links in notices: configured, never taken from a request."""
    return (config.notify.public_url or config.kiosk.public_url.strip()).rstrip("/")


def opt_in(hub: Any, token: str, phone: str, lang: str) -> dict[str, Any]:
    """Send the notices of the ticket with status ``token`` to ``phone``; queues "ticket
    issued" once. 404 for an unknown ticket, 409 for one that is finished or not today's."""
    from loket.server.hub import hash_token

    config: LoketConfig = hub.config
    if not config.notify.enabled:
        raise HubError("notify_unavailable")
    with hub.db.session() as s:
        ticket = s.scalars(select(Ticket).where(
            Ticket.status_token_hash == hash_token(token))).one_or_none()
        if ticket is None:
            raise HubError("not_found")
        if ticket.day != hub.day() or ticket.status not in (
                TicketStatus.WAITING, *TicketStatus.ACTIVE):
            raise HubError("ticket_closed")
        outbox.opt_in(s, ticket, phone, lang if lang in ("id", "en") else "id",
                      f"{public_base(config)}/t/{token}", hub.clock(),
                      config.queue.priority_policy == "first")
    log.info("ticket %s opted in to notices (%s)", ticket.label, mask(phone))
    return {"notify": True, "phone": mask(phone)}


def enqueue_notice(
    s: Session, *, kind: str, key: str, to: str, now: float, lang: str = "id",
    params: dict[str, Any] | None = None, stream: str | None = None,
    channel: str | None = None, send_at: float | None = None,
) -> bool:
    """Queue a notice to a phone (any form :func:`normalize` accepts) or an e-mail address,
    in the caller's transaction: e.g. ``kind="booking_confirmed", key=f"b{id}:confirmed"``
    with ``params`` ``code``, ``service``, ``date``, ``start``, ``booking_url`` (and
    ``reason`` for ``booking_cancelled``, ``subject`` for e-mail). The same ``key`` twice is a
    no-op. Messages of one ``stream`` (default: the key's part before ``:``) go in order, so a
    reminder with ``send_at`` (not before that time: ``booking_reminder_day``/``_hour``) holds
    back later notices of its stream: cancel it first with :func:`cancel_notices`."""
    address = to.strip() if "@" in to else normalize(to)
    return outbox.enqueue(s, key=key, kind=kind, stream=stream or key.split(":", 1)[0],
                          address=address, lang=lang, params=params, channel=channel, now=now,
                          send_at=send_at)


def cancel_notices(s: Session, stream: str, reason: str = "cancelled") -> int:
    """Drop the not yet sent notices of ``stream`` (e.g. ``b42``: a cancelled booking's
    reminders), in the caller's transaction; returns how many."""
    return outbox.cancel(s, stream, reason)
