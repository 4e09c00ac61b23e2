"""A booking's check-in at the hall: its typed code or scanned link checked against the
booking and its check-in window, and its ticket issued, in one write transaction of the hub
(:meth:`loket.server.hub.Hub.issue_in`); the booking's reminders give way to the ticket's own
notices."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from loket.server import queue_rules
from loket.server.booking import keys, rules
from loket.server.booking.models import Booking, BookingStatus
from loket.server.booking.store import by_token, hash_of, notices_on, publish_change
from loket.server.errors import HubError, bad_request
from loket.server.models import Ticket
from loket.server.notify import outbox
from loket.server.notify.entry import cancel_notices, public_base
from loket.server.payloads import CheckedInTicket

if TYPE_CHECKING:
    from loket.server.hub import Hub

log = logging.getLogger(__name__)


def check_in(hub: Hub, text: Any, *, kiosk: str | None = None, source: str = "kiosk",
             lang: str = "id") -> CheckedInTicket:
    """Check a booking in by its typed code or scanned link and issue its ticket, in one
    transaction: ``201`` answer of ``POST /api/bookings/checkin`` (``POST /api/tickets``'s
    body with ``"booked": true`` and ``booking``). Refusals: ``not_found``,
    ``already_checked_in``, ``cancelled``, ``too_early``, ``too_late`` (also for an expired
    booking), ``bad_request`` (an outreach booking), and the ticket's own (``closed``,
    ``paused``, ``quota_full``)."""
    scanned = rules.read_input(text) if isinstance(text, str) else None
    if scanned is None:
        raise HubError("not_found")
    b = hub.config.booking
    with hub.write() as w:
        s, now = w.session, w.now
        # The row is locked (PostgreSQL; SQLite's write transaction holds the whole database),
        # so two kiosks checking in one code give one ticket.
        if scanned.kind == "token":
            row = by_token(s, scanned.value, lock=True)
        else:
            row = s.scalars(select(Booking).where(Booking.code == scanned.value)
                            .with_for_update()).one_or_none()
        if row is None:
            raise HubError("not_found")
        code = rules.format_code(row.code)
        if row.status == BookingStatus.CHECKED_IN:
            raise HubError("already_checked_in", booking=code)
        if row.status == BookingStatus.CANCELLED:
            raise HubError("cancelled", booking=code)
        if row.outreach:
            raise bad_request("an outreach booking is served where the citizen is")
        when = hub.local(row.slot_ts).strftime("%H.%M")
        if row.status == BookingStatus.EXPIRED:
            raise HubError("too_late", booking=code, start=when)
        refusal = rules.checkin_refusal(now, row.slot_ts, before_minutes=b.checkin_before_minutes,
                                        after_minutes=b.checkin_after_minutes)
        if refusal == "too_early":
            opens = hub.local(row.slot_ts - b.checkin_before_minutes * 60)
            raise HubError("too_early", booking=code, start=when,
                           checkin_from=hub.describe_opening(opens, lang))
        if refusal == "too_late":
            raise HubError("too_late", booking=code, start=when)
        queued = queue_rules.booked_queued_at(hub.policy, now, row.slot_ts)
        result = hub.issue_in(w, row.service, kiosk=kiosk, lang=lang, booked=True,
                              slot_ts=row.slot_ts, queued_ts=queued)
        ticket = s.scalars(select(Ticket).where(
            Ticket.status_token_hash == hash_of(result["status_token"]))).one()
        row.status = BookingStatus.CHECKED_IN
        row.checked_in_ts = now
        row.ticket_id = ticket.id
        row.updated_ts = now
        row.ticket_token_sealed = keys.seal(hub.config, result["status_token"], row.token_hash)
        cancel_notices(s, f"b{row.id}")
        if row.phone and notices_on(hub.config):
            outbox.opt_in(s, ticket, row.phone, row.lang,
                          f"{public_base(hub.config)}{result['status_url']}", now,
                          hub.config.queue.priority_policy == "first")
        publish_change(w, row, "checked_in")
        answer: CheckedInTicket = {
            **result, "booked": True,
            "booking": {"code": code, "date": row.day, "start": row.slot_start,
                        "end": row.slot_end, "source": source}}
    log.info("booking %s checked in as %s (%s)", row.id, answer["ticket"], source)
    return answer
