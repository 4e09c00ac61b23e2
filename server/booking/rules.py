"""The rules of online booking, as pure functions: the slots of a day, whether a slot may still
be booked (the window), how many places it has left (its capacity and the walk-ins' share of
the day's quota), when a booking may check in, and the booking codes (their alphabet, and
reading what a citizen typed or a QR scanner sent).

No I/O and no clock of its own: every time is an argument, so tests run on any moment."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from loket.server.hours import OpeningRule

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Booking code characters: no 0/O, 1/I/L, so a code read aloud or typed is never ambiguous."""
CODE_LENGTH = 6
"""31^6 ≈ 887 million codes; shown as two groups of three (``K7M-Q4P``)."""
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
"""What a booking link's secret token looks like (``secrets.token_urlsafe``)."""
Refusal = Literal["outside_window", "too_early", "too_late"]


@dataclass(frozen=True)
class SessionSpec:
    """One bookable session of a service (``[[booking.sessions]]``), as the rules need it."""

    service: str
    rule: OpeningRule
    slot_minutes: int
    capacity: int
    requires_nik: bool = False
    outreach: bool = False


@dataclass(frozen=True)
class Slot:
    """One bookable slot of a day: its times ("HH:MM") and its session."""

    start: str
    end: str
    capacity: int
    session: SessionSpec


def clock_text(value: time) -> str:
    """``time(8, 0)`` -> ``"08:00"``."""
    return value.strftime("%H:%M")


def slots_for(sessions: Iterable[SessionSpec], service: str, day: date) -> list[Slot]:
    """The slots of ``service`` on ``day``, in time order (none on a day without a session).
    Slots start every ``slot_minutes`` from the session's start; a last piece shorter than a
    slot is not offered."""
    found: list[Slot] = []
    for session in sessions:
        if session.service != service or day.weekday() not in session.rule.days:
            continue
        start = datetime.combine(day, session.rule.start)
        end_of_session = datetime.combine(day, session.rule.end)
        step = timedelta(minutes=session.slot_minutes)
        while start + step <= end_of_session:
            found.append(Slot(clock_text(start.time()), clock_text((start + step).time()),
                              session.capacity, session))
            start += step
    return sorted(found, key=lambda slot: slot.start)


def find_slot(sessions: Iterable[SessionSpec], service: str, day: date,
              start: str) -> Slot | None:
    """The slot of ``service`` starting at ``start`` ("HH:MM") on ``day``, or None."""
    return next((s for s in slots_for(sessions, service, day) if s.start == start), None)


def slot_moment(day: date, start: str, tz: ZoneInfo) -> datetime:
    """The moment a slot starts, in the hall's time zone."""
    hours, minutes = (int(part) for part in start.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


def window_refusal(now: datetime, slot_start: datetime, *, days_ahead: int,
                   min_lead_minutes: int) -> Refusal | None:
    """``outside_window`` when a slot starting at ``slot_start`` cannot be booked at ``now``:
    it has begun, starts sooner than the lead time, or lies more than ``days_ahead`` days
    after today (in the hall's time zone, ``now``'s)."""
    if slot_start < now + timedelta(minutes=min_lead_minutes):
        return "outside_window"
    today = now.astimezone(slot_start.tzinfo).date()
    if (slot_start.date() - today).days > days_ahead:
        return "outside_window"
    return None


def bookable_per_day(quota: int | None, walk_in_share: float) -> int | None:
    """How many bookings a service takes in a day: its quota less the walk-ins' share
    (rounded so walk-ins never get less than their share); None without a quota."""
    if quota is None:
        return None
    return max(0, quota - math.ceil(quota * walk_in_share - 1e-9))


def available(capacity: int, taken_in_slot: int, taken_in_day: int,
              day_allowance: int | None) -> int:
    """Places left in a slot: its capacity less its bookings, and never more than the day's
    booking allowance has left."""
    left = capacity - taken_in_slot
    if day_allowance is not None:
        left = min(left, day_allowance - taken_in_day)
    return max(0, left)


def checkin_refusal(now_ts: float, slot_ts: float, *, before_minutes: int,
                    after_minutes: int) -> Refusal | None:
    """``too_early`` before the check-in window of a slot starting at ``slot_ts`` opens,
    ``too_late`` after it closes; None inside it (both ends included)."""
    if now_ts < slot_ts - before_minutes * 60:
        return "too_early"
    if now_ts > slot_ts + after_minutes * 60:
        return "too_late"
    return None


def expires_at(slot_ts: float, after_minutes: int) -> float:
    """When a booking not checked in becomes a no-show: the end of its check-in window."""
    return slot_ts + after_minutes * 60


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A random booking code of :data:`CODE_LENGTH` characters of :data:`ALPHABET`."""
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``"K7MQ4P"`` -> ``"K7M-Q4P"`` (how the code is shown and read aloud)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@dataclass(frozen=True)
class Scanned:
    """What a typed or scanned check-in input names: a booking ``code`` or a link ``token``."""

    kind: Literal["code", "token"]
    value: str


_SEPARATORS = re.compile(r"[\s\-_.·/]+")


def read_input(text: str) -> Scanned | None:
    """Read a typed or scanned check-in input: ``k7m-q4p``, ``K7M Q4P``, ``K7MQ4P``, or a QR
    that carries the booking's link (``https://host/b/<token>``, ``/b/<token>``) or a
    ``LOKET:K7MQ4P`` text. None when it is neither a well-formed code nor a link."""
    raw = text.strip()
    if not raw or len(raw) > 300:
        return None
    if "/b/" in raw:
        path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0].split("#", 1)[0]
        token = unquote(path.rsplit("/b/", 1)[-1]).strip("/")
        return Scanned("token", token) if TOKEN_PATTERN.match(token) else None
    if raw.upper().startswith("LOKET:"):
        raw = raw[6:]
    code = _SEPARATORS.sub("", raw).upper()
    if len(code) == CODE_LENGTH and all(c in ALPHABET for c in code):
        return Scanned("code", code)
    return None
