"""Notices on citizens' phones: WhatsApp first (Meta's Cloud API or a rented HTTP gateway),
SMS through the same gateways, e-mail for bookings. See docs/notifications.md.

What other modules call:

* :func:`phone_from` / :func:`opt_in` — the ``phone`` of ``POST /api/tickets``;
* :func:`enqueue_notice` — a notice of any kind (booking confirmations and reminders) in the
  caller's own transaction;
* :func:`loket.server.notify.health.delivery_health` — the dashboard's delivery figures.

Ticket calls, recalls and skips need no call at all: database triggers queue them
(migration ``0009_notify``)."""

from __future__ import annotations

import logging

from flask import Flask

from loket.server.notify import messages  # noqa: F401  (registers the words)
from loket.server.notify.entry import (
    cancel_notices,
    enqueue_notice,
    opt_in,
    phone_from,
    public_base,
)
from loket.server.notify.notices import BOOKING_KINDS, TICKET_KINDS
from loket.server.notify.phone import mask

__all__ = [
    "BOOKING_KINDS", "TICKET_KINDS", "cancel_notices", "enqueue_notice", "init_app", "mask",
    "opt_in", "phone_from", "public_base",
]
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """The opt-in endpoint and page parts; phone numbers of earlier days are purged now."""
    from loket.server.notify import views

    views.init_app(app)

