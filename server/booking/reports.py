"""Figures of the bookings for the supervisor's reports: tickets booked vs walk-in, and the
bookings' outcomes (checked in, cancelled, no-shows), per day and service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from loket.server.booking.models import Booking, BookingStatus
from loket.server.models import Ticket

if TYPE_CHECKING:
    from loket.server.hub import Hub


def booked_walk_in(hub: Hub, day_from: str, day_to: str) -> dict[str, dict[str, dict[str, int]]]:
    """``{day: {service: {"booked": n, "walk_in": m}}}``: tickets issued between two dates
    (inclusive, ``YYYY-MM-DD``) by the service they were issued under, booked check-ins apart
    from walk-ins."""
    booked = func.sum(case((Ticket.booked.is_(True), 1), else_=0))
    out: dict[str, dict[str, dict[str, int]]] = {}
    with hub.db.read() as s:
        rows = s.execute(
            select(Ticket.day, Ticket.issued_service, func.count(), booked)
            .where(Ticket.day >= day_from, Ticket.day <= day_to)
            .group_by(Ticket.day, Ticket.issued_service))
        for day, service, total, n_booked in rows:
            n = int(n_booked or 0)
            out.setdefault(day, {})[service] = {"booked": n, "walk_in": int(total) - n}
    return out


def outcomes(hub: Hub, day_from: str, day_to: str) -> dict[str, dict[str, dict[str, Any]]]:
    """``{day: {service: {"booked", "checked_in", "cancelled", "no_show"}}}``: bookings by
    their slot's date. ``booked`` counts those still waiting for their check-in."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    keys = {BookingStatus.BOOKED: "booked", BookingStatus.CHECKED_IN: "checked_in",
            BookingStatus.CANCELLED: "cancelled", BookingStatus.EXPIRED: "no_show"}
    with hub.db.read() as s:
        rows = s.execute(
            select(Booking.day, Booking.service, Booking.status, func.count())
            .where(Booking.day >= day_from, Booking.day <= day_to)
            .group_by(Booking.day, Booking.service, Booking.status))
        for day, service, status, n in rows:
            entry = out.setdefault(day, {}).setdefault(
                service, {"booked": 0, "checked_in": 0, "cancelled": 0, "no_show": 0})
            entry[keys.get(status, status)] = int(n)
    return out
