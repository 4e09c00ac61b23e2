"""What can be booked: the bookable services, the booking window, and a day's slots with the
places left (``GET /api/booking/services``, ``GET /api/booking/slots``), with the checks a
booking request shares with them (the service and date asked for, the places taken, the
day's allowance, the calendar). Reads only; creating a booking is in
:mod:`loket.server.booking.store`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loket.server.booking import rules
from loket.server.booking.models import Booking, BookingStatus
from loket.server.config import LoketConfig
from loket.server.errors import HubError, bad_request

if TYPE_CHECKING:
    from loket.server.hub import Hub


def sessions_of(config: LoketConfig) -> list[rules.SessionSpec]:
    """The live ``[[booking.sessions]]`` as the rules take them."""
    return [rules.SessionSpec(s.service, s.rule, s.slot_minutes, s.capacity, s.requires_nik,
                              s.outreach) for s in config.booking.sessions]


def bookable(hub: Hub, service: str) -> bool:
    """Whether ``service`` can be booked at all (booking on, and a session for it)."""
    config = hub.config
    return config.booking.active and any(s.service == service for s in config.booking.sessions)


def services(hub: Hub, lang: str = "id") -> list[dict[str, Any]]:
    """Bookable services with their agency, for the citizen's page (agency → service)."""
    out: list[dict[str, Any]] = []
    config = hub.config
    if not config.booking.active:
        return out
    for prefix, svc in hub.services.items():
        sessions = [s for s in config.booking.sessions if s.service == prefix]
        if not sessions:
            continue
        out.append({
            "service": prefix,
            "service_name": svc.name_en if lang == "en" and svc.name_en else svc.name,
            "agency": hub.agency_id(svc.agency),
            "agency_name": hub.agency_name(svc.agency),
            "requires_nik": any(s.requires_nik for s in sessions),
            "outreach": any(s.outreach for s in sessions),
        })
    return out


def window(hub: Hub) -> dict[str, Any]:
    """The booking window and rules a page shows (first and last bookable date, retention)."""
    b = hub.config.booking
    today = hub.local(hub.clock()).date()
    return {"first_date": today.isoformat(),
            "last_date": (today + timedelta(days=b.days_ahead)).isoformat(),
            "days_ahead": b.days_ahead, "min_lead_minutes": b.min_lead_minutes,
            "checkin_before_minutes": b.checkin_before_minutes,
            "checkin_after_minutes": b.checkin_after_minutes,
            "retention_days": b.retention_days}


def parse_day(text: Any) -> date:
    """A request's ``date`` (``YYYY-MM-DD``); ``bad_request`` otherwise."""
    if not isinstance(text, str):
        raise bad_request("field 'date' must be a date such as 2026-12-01")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request("field 'date' must be a date such as 2026-12-01") from None


def parse_service(hub: Hub, service: Any) -> str:
    """A request's ``service`` prefix, upper-cased; ``bad_request`` when missing,
    ``unknown_service`` when the hall has no such service."""
    if not isinstance(service, str) or not service.strip():
        raise bad_request("field 'service' is required")
    prefix = service.strip().upper()
    if prefix not in hub.services:
        raise HubError("unknown_service", service=prefix[:8])
    return prefix


def places_taken(s: Session, service: str, day: str) -> dict[str, int]:
    """Places taken (active bookings) per slot start of a service's day, read in ``s``."""
    rows = s.execute(
        select(Booking.slot_start, func.count()).where(
            Booking.service == service, Booking.day == day,
            Booking.status.in_(BookingStatus.ACTIVE)).group_by(Booking.slot_start))
    return {start: int(n) for start, n in rows}


def day_allowance(hub: Hub, service: str) -> int | None:
    """How many bookings a service takes in a day at most (None: no limit; see
    :func:`loket.server.booking.rules.bookable_per_day`)."""
    return rules.bookable_per_day(hub.services[service].quota, hub.config.booking.walk_in_share)


def calendar_refusal(hub: Hub, service: str, moment: datetime) -> Any:
    """Why the calendar refuses ``service`` at ``moment`` (a closure, a break...); None when
    it is open."""
    svc = hub.services[service]
    return hub.hall.calendar.refusal(service, moment, svc.opening_rules, svc.cutoff)


def slots(hub: Hub, service: Any, day_text: Any) -> dict[str, Any]:
    """``GET /api/booking/slots``: the slots of a day with their capacity and places left (0
    for a slot outside the booking window or blocked by the calendar)."""
    prefix = parse_service(hub, service)
    day = parse_day(day_text)
    now = hub.local(hub.clock())
    b = hub.config.booking
    found = rules.slots_for(sessions_of(hub.config), prefix, day) if bookable(hub, prefix) else []
    allowance = day_allowance(hub, prefix)
    with hub.db.read() as s:
        taken = places_taken(s, prefix, day.isoformat()) if found else {}
    day_taken = sum(taken.values())
    out = []
    for slot in found:
        moment = rules.slot_moment(day, slot.start, hub.tz)
        left = rules.available(slot.capacity, taken.get(slot.start, 0), day_taken, allowance)
        if rules.window_refusal(now, moment, days_ahead=b.days_ahead,
                                min_lead_minutes=b.min_lead_minutes) or calendar_refusal(
                hub, prefix, moment):
            left = 0
        out.append({"start": slot.start, "end": slot.end, "capacity": slot.capacity,
                    "available": left})
    return {"service": prefix, "date": day.isoformat(), "slots": out}
