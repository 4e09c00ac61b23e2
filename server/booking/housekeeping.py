"""The bookings' periodic upkeep: cancelling the bookings a calendar closure now falls on,
marking no-shows ``expired`` after their check-in window, and deleting personal data after
the retention period (``loket booking expire`` / ``purge`` and the booking part's periodic task)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from loket.server.booking.models import Booking, BookingStatus
from loket.server.booking.store import cancel_row, publish_change
from loket.server.i18n import translate
from loket.server.notify.entry import cancel_notices

if TYPE_CHECKING:
    from loket.server.hub import Hub

log = logging.getLogger(__name__)


def cancel_closed(hub: Hub) -> int:
    """Cancel every booked slot from today on that a calendar closure now falls on, with the
    closure's reason, and notify the citizens; returns how many."""
    calendar = hub.hall.calendar
    if not calendar.closures:
        return 0
    today = hub.day()
    with hub.db.read() as s:
        candidates = [(r.id, r.service, r.day) for r in s.execute(
            select(Booking.id, Booking.service, Booking.day).where(
                Booking.status == BookingStatus.BOOKED, Booking.day >= today))]
    hit = [(i, calendar.closure(svc, date.fromisoformat(day))) for i, svc, day in candidates]
    hit = [(i, c) for i, c in hit if c is not None]
    if not hit:
        return 0
    done = 0
    with hub.write() as w:
        for booking_id, closure in hit:
            assert closure is not None
            row = w.session.get(Booking, booking_id, with_for_update=True)
            if row is None or row.status != BookingStatus.BOOKED:
                continue  # another process got there first
            reason = translate("booking.cancelled_by_closure", row.lang, reason=closure.reason)
            cancel_row(hub, w, row, reason, notify_text=reason)
            done += 1
    if done:
        log.info("cancelled %d booking(s) on closed days", done)
    return done


def expire_due(hub: Hub) -> int:
    """Mark as ``expired`` the bookings not checked in by the end of their check-in window
    (outreach bookings excepted); their reminders are dropped. Returns how many."""
    after = hub.config.booking.checkin_after_minutes
    with hub.write() as w:
        rows = list(w.session.scalars(select(Booking).where(
            Booking.status == BookingStatus.BOOKED, Booking.outreach.is_(False),
            Booking.slot_ts < w.now - after * 60).with_for_update()))
        done = 0
        for row in rows:
            row.status = BookingStatus.EXPIRED
            row.updated_ts = w.now
            cancel_notices(w.session, f"b{row.id}", "expired")
            publish_change(w, row, "expired")
            done += 1
    if done:
        log.info("%d booking(s) expired (no-shows)", done)
    return done


def purge(hub: Hub, now: float | None = None) -> int:
    """Delete the phone numbers, NIK data, outreach addresses and contacts of bookings whose
    date is ``[booking] retention_days`` or more days past; returns how many bookings."""
    moment = hub.local(hub.clock() if now is None else now)
    last_day = (moment.date() - timedelta(days=hub.config.booking.retention_days)).isoformat()
    with hub.db.session() as s:
        result = s.execute(
            update(Booking).where(Booking.purged_ts.is_(None), Booking.day <= last_day)
            .values(phone=None, nik_hash=None, nik_last4=None, address=None, contact=None,
                    purged_ts=moment.timestamp()))
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.info("deleted the personal data of %d booking(s) up to %s", count, last_day)
    return count
