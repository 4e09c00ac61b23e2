"""The bookings as supervisors see them: a day's bookings per service and their outcomes, the
outreach (jemput bola) list with its addresses, and assigning an outreach team."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from loket.server.booking import rules
from loket.server.booking.models import Booking, BookingStatus
from loket.server.booking.store import optional_text, publish_change, shown_status
from loket.server.errors import HubError
from loket.server.models import Ticket

if TYPE_CHECKING:
    from loket.server.hub import Hub

TEAM_MAX = 80
"""The longest outreach team name, in characters."""


def day_summary(hub: Hub, day: str) -> dict[str, Any]:
    """Today's (or ``day``'s) bookings per service for the supervisor: counts of booked (still
    to come), checked in, cancelled and no-shows, and the list (no personal data)."""
    now = hub.clock()
    with hub.db.read() as s:
        rows = list(s.scalars(select(Booking).where(Booking.day == day)
                              .order_by(Booking.slot_ts, Booking.id)))
        labels = dict(s.execute(select(Ticket.id, Ticket.label).where(
            Ticket.id.in_([r.ticket_id for r in rows if r.ticket_id]))).all())
    per: dict[str, dict[str, Any]] = {}
    items = []
    for row in rows:
        status = shown_status(hub, row, now)
        svc = hub.services.get(row.service)
        entry = per.setdefault(row.service, {
            "service": row.service, "service_name": svc.name if svc else row.service,
            "booked": 0, "checked_in": 0, "cancelled": 0, "no_show": 0, "total": 0})
        key = "no_show" if status == BookingStatus.EXPIRED else status
        entry[key] += 1
        entry["total"] += 1
        items.append({"id": row.id, "code": rules.format_code(row.code), "service": row.service,
                      "start": row.slot_start, "end": row.slot_end, "status": status,
                      "source": row.source,
                      "ticket": labels.get(row.ticket_id) if row.ticket_id else None,
                      "checked_in_at": hub.iso(row.checked_in_ts),
                      "outreach": row.outreach, "team": row.team})
    return {"date": day, "services": list(per.values()), "bookings": items}


def outreach_list(hub: Hub, day_from: str, day_to: str) -> list[dict[str, Any]]:
    """Outreach (jemput bola) bookings between two dates with their address, contact and
    team, for the supervisor's list."""
    with hub.db.read() as s:
        rows = list(s.scalars(select(Booking).where(
            Booking.day >= day_from, Booking.day <= day_to,
            Booking.outreach.is_(True)).order_by(Booking.slot_ts, Booking.id)))
    return [{"id": r.id, "code": rules.format_code(r.code), "service": r.service,
             "date": r.day, "start": r.slot_start, "end": r.slot_end, "status": r.status,
             "address": r.address, "contact": r.contact, "phone": r.phone, "team": r.team}
            for r in rows]


def assign_team(hub: Hub, booking_id: int, team: Any, actor: str) -> dict[str, Any]:
    """Assign (or, with an empty ``team``, unassign) an outreach team; audited."""
    name = optional_text(team, "team", TEAM_MAX)
    with hub.write() as w:
        row = w.session.get(Booking, booking_id)
        if row is None or not row.outreach:
            raise HubError("not_found")
        row.team = name
        row.updated_ts = w.now
        publish_change(w, row, "team")
        answer = {"id": row.id, "code": rules.format_code(row.code), "team": name}
    hub.audit(actor, "booking:team", str(booking_id), name or "")
    return answer
