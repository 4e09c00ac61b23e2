"""Bookings as the hub keeps them: creating, reading and cancelling a booking, each change one
write transaction of the hub (:meth:`loket.server.hub.Hub.write`) with its notices queued in the
same transaction, the booking's links, and the row helpers the other booking modules share
(:func:`by_token`, :func:`publish_change`, :func:`cancel_row`...).

Elsewhere: what can be booked, the window and the free slots
(:mod:`loket.server.booking.availability`), the check-in (:mod:`loket.server.booking.checkin`),
the periodic expiry of no-shows, purge of personal data and cancelling on calendar closures
(:mod:`loket.server.booking.housekeeping`), the supervisors' lists
(:mod:`loket.server.booking.supervision`). The API (:mod:`loket.server.booking.api`), the pages
and the ``loket booking`` commands call these functions with the hub; the rules themselves are
in :mod:`loket.server.booking.rules`."""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from loket.server.booking import keys, rules
from loket.server.booking.availability import (
    bookable,
    calendar_refusal,
    day_allowance,
    parse_day,
    parse_service,
    places_taken,
    sessions_of,
)
from loket.server.booking.models import Booking, BookingStatus
from loket.server.config import LoketConfig
from loket.server.errors import HubError, bad_request
from loket.server.events import Event
from loket.server.i18n import translate
from loket.server.models import Ticket
from loket.server.notify.entry import cancel_notices, enqueue_notice, public_base
from loket.server.notify.phone import BadPhone, mask, normalize

if TYPE_CHECKING:
    from loket.server.hub import Hub, Write

log = logging.getLogger(__name__)
SOURCES = ("web", "api", "kiosk", "officer")
MAX_CODE_TRIES = 8
REMINDER_HOUR_S = 3600.0
REMINDER_DAY_S = 24 * 3600.0
ADDRESS_MAX = 300
CONTACT_MAX = 120


# --------------------------------------------------------------------------- links
def booking_base(config: LoketConfig) -> str:
    """Base URL of booking links: ``[booking] public_url``, else the notices' base; may be
    empty (links are then relative)."""
    return config.booking.public_url or public_base(config)


def booking_url(config: LoketConfig, token: str) -> str:
    """The link of a booking's own page (``/b/<token>``)."""
    return f"{booking_base(config)}/b/{token}"


# --------------------------------------------------------------------------- creating
def _phone(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise HubError("bad_phone")
    try:
        return normalize(raw)
    except BadPhone:
        raise HubError("bad_phone") from None


def optional_text(raw: Any, field: str, limit: int) -> str | None:
    """A form's free text, stripped; None when empty; ``bad_request`` when it is not a text
    or longer than ``limit`` characters."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str) or len(raw.strip()) > limit:
        raise bad_request(f"field '{field}' must be a text of at most {limit} characters")
    return raw.strip()


def notices_on(config: LoketConfig) -> bool:
    """Whether the hall sends notices at all (``[notify] enabled``)."""
    return bool(config.notify.enabled)


def _params(hub: Hub, row: Booking, token: str | None = None,
            reason: str | None = None) -> dict[str, Any]:
    svc = hub.services.get(row.service)
    params: dict[str, Any] = {
        "code": rules.format_code(row.code), "service": svc.name if svc else row.service,
        "date": date.fromisoformat(row.day).strftime("%d-%m-%Y"), "start": row.slot_start,
    }
    if token is not None:
        params["booking_url"] = booking_url(hub.config, token)
    if reason is not None:
        params["reason"] = reason
    return params


def publish_change(w: Write, row: Booking, change: str) -> None:
    """A ``booking`` hub event (no personal data) for live supervisor pages."""
    w.publish(Event("booking", {"id": row.id, "change": change, "service": row.service,
                                "day": row.day, "start": row.slot_start,
                                "status": row.status}))


@dataclass(frozen=True)
class _Wanted:
    """A booking request after its checks that need no database."""

    service: str
    day: date
    slot: rules.Slot
    phone: str | None
    nik: str | None
    address: str | None
    contact: str | None


def _nik(raw: Any, required: bool) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise HubError("bad_nik")
        return None
    digits = keys.clean_nik(raw) if isinstance(raw, str) else None
    if digits is None:
        raise HubError("bad_nik")
    return digits


def _wanted(hub: Hub, service: Any, day: Any, start: Any, phone: Any, nik: Any,
            address: Any, contact: Any) -> _Wanted:
    """The request's service, slot and personal data, or the refusal it deserves."""
    prefix = parse_service(hub, service)
    if not bookable(hub, prefix):
        raise HubError("not_bookable", service=hub.services[prefix].name)
    the_day = parse_day(day)
    if not isinstance(start, str):
        raise bad_request("field 'start' must be a time such as 08:30")
    slot = rules.find_slot(sessions_of(hub.config), prefix, the_day, start.strip())
    if slot is None:
        raise bad_request(f"no slot of {prefix} starts at {start.strip()[:8]} on {the_day}")
    number = _phone(phone)
    digits = _nik(nik, slot.session.requires_nik)
    where = optional_text(address, "address", ADDRESS_MAX)
    reach = optional_text(contact, "contact", CONTACT_MAX)
    if not slot.session.outreach:
        where = reach = None
    elif where is None or (reach is None and number is None):
        raise bad_request("an outreach booking needs an 'address' and a 'contact' or 'phone'")
    return _Wanted(prefix, the_day, slot, number, digits, where, reach)


def _check_calendar(hub: Hub, w: Write, wanted: _Wanted, moment: datetime, lang: str) -> None:
    """``outside_window`` or ``closed`` (the calendar's reason in the message)."""
    b = hub.config.booking
    if rules.window_refusal(hub.local(w.now), moment, days_ahead=b.days_ahead,
                            min_lead_minutes=b.min_lead_minutes):
        raise HubError("outside_window", days=b.days_ahead, minutes=b.min_lead_minutes)
    refusal = calendar_refusal(hub, wanted.service, moment)
    if refusal is not None:
        raise HubError("closed", service=hub.services[wanted.service].name,
                       next_opening=hub.describe_opening(refusal.resumes, lang),
                       reason=f" ({refusal.reason})" if refusal.reason else "")


def _check_places(hub: Hub, s: Session, wanted: _Wanted, nik_hash: str | None) -> None:
    """``already_booked`` (one active booking per person, service and day) or
    ``slot_full``."""
    name = hub.services[wanted.service].name
    day_text = wanted.day.isoformat()
    person = None
    if nik_hash is not None:
        person = Booking.nik_hash == nik_hash
    elif wanted.phone is not None:
        person = Booking.phone == wanted.phone
    if person is not None and s.scalar(select(func.count()).select_from(Booking).where(
            Booking.service == wanted.service, Booking.day == day_text,
            Booking.status.in_(BookingStatus.ACTIVE), person)):
        raise HubError("already_booked", service=name)
    taken = places_taken(s, wanted.service, day_text)
    slot = wanted.slot
    if rules.available(slot.capacity, taken.get(slot.start, 0), sum(taken.values()),
                       day_allowance(hub, wanted.service)) <= 0:
        raise HubError("slot_full", service=name, start=slot.start)


def create(
    hub: Hub, *, service: Any, day: Any, start: Any, phone: Any = None, nik: Any = None,
    address: Any = None, contact: Any = None, lang: str = "id", source: str = "web",
) -> dict[str, Any]:
    """Book a slot: ``201`` answer of ``POST /api/bookings`` (``code``, ``token``, ...).

    Refusals: ``unknown_service``; ``not_bookable`` (no session for the service);
    ``bad_request`` (no such slot, a missing address for outreach); ``bad_phone``;
    ``bad_nik``; ``outside_window``; ``closed`` (the calendar, with its reason);
    ``already_booked`` (one active booking per person, service and day: the NIK when given,
    else the phone); ``slot_full`` (the slot's capacity or the day's booking allowance)."""
    wanted = _wanted(hub, service, day, start, phone, nik, address, contact)
    lang = lang if lang in ("id", "en") else "id"
    source = source if source in SOURCES else "web"
    slot = wanted.slot
    moment = rules.slot_moment(wanted.day, slot.start, hub.tz)
    hashed = keys.nik_hash(hub.config, wanted.nik) if wanted.nik else None
    day_text = wanted.day.isoformat()
    with hub.write() as w:
        s, now = w.session, w.now
        _check_calendar(hub, w, wanted, moment, lang)
        _serialise(s, wanted.service, day_text)
        _check_places(hub, s, wanted, hashed)
        token = keys.new_token()
        row = Booking(
            code=_free_code(s), token_hash=hash_of(token), service=wanted.service, day=day_text,
            slot_start=slot.start, slot_end=slot.end, slot_ts=moment.timestamp(),
            status=BookingStatus.BOOKED, created_ts=now, updated_ts=now, lang=lang,
            source=source, phone=wanted.phone, nik_hash=hashed,
            nik_last4=wanted.nik[-4:] if wanted.nik else None, outreach=slot.session.outreach,
            address=wanted.address, contact=wanted.contact,
        )
        s.add(row)
        s.flush()
        if wanted.phone is not None and notices_on(hub.config):
            _queue_confirmation(hub, s, row, token, now)
        publish_change(w, row, "created")
    log.info("booking %s: %s %s %s (%s)", row.id, wanted.service, day_text, slot.start, source)
    return {
        "code": rules.format_code(row.code), "token": token, "service": wanted.service,
        "service_name": hub.services[wanted.service].name, "date": day_text,
        "start": slot.start, "end": slot.end, "booking_url": booking_url(hub.config, token),
        "status": BookingStatus.BOOKED, "outreach": slot.session.outreach,
    }


def _serialise(s: Session, service: str, day: str) -> None:
    """Bookings of one service and day take turns from their checks to their commit, so two
    citizens never both get a slot's last place. SQLite's write transaction (``BEGIN
    IMMEDIATE``) already does; PostgreSQL takes a transaction-scoped advisory lock."""
    if s.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"loket-booking:{service}:{day}".encode())
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def hash_of(token: str) -> str:
    """The SHA-256 under which a booking's (or a ticket's) secret token is stored."""
    from loket.server.hub import hash_token

    return hash_token(token)


def _free_code(s: Session) -> str:
    for _ in range(MAX_CODE_TRIES):
        code = rules.new_code()
        if s.scalar(select(Booking.id).where(Booking.code == code)) is None:
            return code
    raise HubError("busy")  # pragma: no cover - 887 million codes


def _queue_confirmation(hub: Hub, s: Session, row: Booking, token: str, now: float) -> None:
    assert row.phone is not None
    params = _params(hub, row, token)
    stream = f"b{row.id}"
    enqueue_notice(s, kind="booking_confirmed", key=f"{stream}:confirmed", to=row.phone,
                   now=now, lang=row.lang, params=params, stream=stream)
    if row.slot_ts - REMINDER_DAY_S > now + REMINDER_HOUR_S:
        enqueue_notice(s, kind="booking_reminder_day", key=f"{stream}:reminder_day",
                       to=row.phone, now=now, lang=row.lang, params=params, stream=stream,
                       send_at=row.slot_ts - REMINDER_DAY_S)
    if row.slot_ts - REMINDER_HOUR_S > now + 600:
        enqueue_notice(s, kind="booking_reminder_hour", key=f"{stream}:reminder_hour",
                       to=row.phone, now=now, lang=row.lang, params=params, stream=stream,
                       send_at=row.slot_ts - REMINDER_HOUR_S)


# --------------------------------------------------------------------------- reading
def by_token(s: Session, token: str, lock: bool = False) -> Booking | None:
    """The booking of a link's token, read in ``s`` (locked with ``lock``); None when the
    token is malformed or unknown."""
    if not isinstance(token, str) or not rules.TOKEN_PATTERN.match(token):
        return None
    query = select(Booking).where(Booking.token_hash == hash_of(token))
    return s.scalars(query.with_for_update() if lock else query).one_or_none()


def shown_status(hub: Hub, row: Booking, now: float) -> str:
    """The status as the citizen should see it: a booking past its check-in window is
    ``expired`` even before the periodic expiry has written it."""
    if row.status == BookingStatus.BOOKED and not row.outreach and now > (
            rules.expires_at(row.slot_ts, hub.config.booking.checkin_after_minutes)):
        return BookingStatus.EXPIRED
    return row.status


def describe(hub: Hub, row: Booking, token: str | None = None, lang: str = "id"
             ) -> dict[str, Any]:
    """A booking as its holder sees it (``GET /api/bookings/<token>``): no NIK, the phone
    masked; ``ticket`` and ``status_url`` once checked in (when ``token`` is known)."""
    svc = hub.services.get(row.service)
    b = hub.config.booking
    out: dict[str, Any] = {
        "code": rules.format_code(row.code), "service": row.service,
        "service_name": (svc.name_en if lang == "en" and svc.name_en else svc.name)
        if svc else row.service,
        "agency": hub.agency_name(svc.agency) if svc else None,
        "date": row.day, "start": row.slot_start, "end": row.slot_end,
        "status": shown_status(hub, row, hub.clock()),
        "created_at": hub.iso(row.created_ts),
        "checkin_from": hub.iso(row.slot_ts - b.checkin_before_minutes * 60),
        "checkin_until": hub.iso(rules.expires_at(row.slot_ts, b.checkin_after_minutes)),
        "cancel_reason": row.cancel_reason,
        "phone": mask(row.phone) or None,
        "nik_last4": row.nik_last4,
        "outreach": row.outreach,
        "retention_days": b.retention_days,
        "delete_personal_data_on": (date.fromisoformat(row.day)
                                    + timedelta(days=b.retention_days)).isoformat(),
    }
    if token is not None:
        out["booking_url"] = booking_url(hub.config, token)
    if row.status == BookingStatus.CHECKED_IN:
        out["checked_in_at"] = hub.iso(row.checked_in_ts)
        with hub.db.read() as s:
            ticket = s.get(Ticket, row.ticket_id) if row.ticket_id else None
            if ticket is not None:
                out["ticket"] = ticket.label
                out["ticket_status"] = ticket.status
        if token is not None and row.ticket_token_sealed:
            ticket_token = keys.unseal(hub.config, row.ticket_token_sealed, row.token_hash)
            if ticket_token:
                out["status_url"] = f"/t/{ticket_token}"
    return out


def find(hub: Hub, token: str, lang: str = "id") -> dict[str, Any] | None:
    """The booking of a link's token as :func:`describe` shows it; None when unknown."""
    with hub.db.read() as s:
        row = by_token(s, token)
        if row is not None:
            s.expunge(row)
    return None if row is None else describe(hub, row, token, lang)


# --------------------------------------------------------------------------- cancelling
def cancel_row(hub: Hub, w: Write, row: Booking, reason: str, *, notify_text: str) -> None:
    """Cancel ``row`` in the write transaction ``w`` with ``reason``: its notices dropped,
    the citizen told (``notify_text``: the reason as the notice says it), a ``booking``
    event."""
    row.status = BookingStatus.CANCELLED
    row.cancel_reason = reason[:200]
    row.updated_ts = w.now
    stream = f"b{row.id}"
    cancel_notices(w.session, stream)
    if row.phone and notices_on(hub.config):
        enqueue_notice(w.session, kind="booking_cancelled", key=f"{stream}:cancelled",
                       to=row.phone, now=w.now, lang=row.lang,
                       params=_params(hub, row, reason=notify_text), stream=stream)
    publish_change(w, row, "cancelled")


def cancel(hub: Hub, token: str, lang: str = "id") -> dict[str, Any]:
    """Cancel by the holder (``POST /api/bookings/<token>/cancel``); cancelling twice is the
    same answer. ``not_found``; ``already_checked_in``; ``too_late`` once expired."""
    with hub.write() as w:
        row = by_token(w.session, token, lock=True)
        if row is None:
            raise HubError("not_found")
        status = shown_status(hub, row, w.now)
        if status == BookingStatus.CHECKED_IN:
            raise HubError("already_checked_in", booking=rules.format_code(row.code))
        if status == BookingStatus.EXPIRED:
            raise HubError("too_late", booking=rules.format_code(row.code))
        if status == BookingStatus.BOOKED:
            cancel_row(hub, w, row, translate("booking.cancelled_by_citizen", row.lang),
                        notify_text="")
        w.session.flush()
        w.session.expunge(row)
    return describe(hub, row, token, lang)
