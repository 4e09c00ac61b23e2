"""``[booking]`` and ``[[booking.sessions]]``: online booking (reservasi antrean) of a time at
the hall, checked in at the kiosk on arrival (see docs/booking.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field, field_validator, model_validator

from loket.server.config.base import Section, http_url
from loket.server.config.kiosk import _check_limit
from loket.server.hours import OpeningRule, parse_clock, parse_rule


class BookingSessionSection(Section):
    service: str = Field(pattern=r"^[A-Z]{1,2}$")
    """Prefix of the service that may be booked in this session (``A``)."""
    days: str = "mon-fri"
    """Weekdays of the session: ``mon-fri``, ``sat``, ``mon,wed,fri``, ``daily``, ``weekdays``."""
    start: str
    """When the first slot starts (``08:00``, the hall's time zone)."""
    end: str
    """When the last slot ends (``12:00``)."""
    slot_minutes: int = Field(default=30, ge=5, le=240)
    """Length of one slot in minutes; slots start every this many minutes from ``start``."""
    capacity: int = Field(default=5, ge=1, le=500)
    """Citizens who may book one slot."""
    requires_nik: bool = False
    """Ask for the citizen's NIK (kept only as a keyed hash and its last four digits); one
    booking per NIK, service and day."""
    outreach: bool = False
    """Jemput bola: officers go to the citizen. The booking asks for an address and a contact
    and appears in the supervisor's outreach list; it is not checked in at the kiosk."""

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @model_validator(mode="after")
    def _valid(self) -> BookingSessionSection:
        rule = self.rule  # raises ValueError naming what is wrong
        span = (datetime.combine(datetime.min, rule.end)
                - datetime.combine(datetime.min, rule.start))
        if span < timedelta(minutes=self.slot_minutes):
            raise ValueError(f"the session {self.start}-{self.end} is shorter than one slot "
                             f"of {self.slot_minutes} minutes")
        return self

    @property
    def rule(self) -> OpeningRule:
        """The session's days and times as an opening rule."""
        return parse_rule(f"{self.days} {self.start}-{self.end}")


class BookingSection(Section):
    enabled: bool = True
    """Offer online booking. It is offered only for services that have at least one
    ``[[booking.sessions]]`` entry; none: no booking at all."""
    days_ahead: int = Field(default=7, ge=0, le=90)
    """How many days ahead a slot may be booked (0: today only)."""
    min_lead_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    """A slot must start at least this many minutes after the booking is made."""
    walk_in_share: float = Field(default=0.3, ge=0.0, le=1.0)
    """Share of a service's daily ``quota`` kept for walk-ins (0.3: at most 70 % of the quota
    may be booked). A service without a quota is limited by its slots' capacities only."""
    checkin_before_minutes: int = Field(default=30, ge=0, le=240)
    """A booked citizen may check in from this many minutes before the slot's start."""
    checkin_after_minutes: int = Field(default=15, ge=0, le=240)
    """... until this many minutes after it. Later the booking expires (a no-show) and the
    kiosk offers a walk-in ticket."""
    retention_days: int = Field(default=7, ge=1, le=365)
    """Phone numbers, NIK data and outreach addresses and contacts are deleted this many days
    after the booking's date (UU 27/2022); the booking's code, service and times stay for the
    reports."""
    nik_key_file: str = ""
    """File holding the secret key of the NIK hash (HMAC-SHA256), relative to the config file.
    Empty: ``booking_nik_key`` beside the config file, generated on first start. Hub processes
    on several machines must share it (like ``[server] secret_key``)."""
    public_url: str = ""
    """Base URL of the booking pages as citizens reach them from the internet
    (``https://antrean.mpp.example.go.id``): booking links in answers and notices start with it.
    Empty: ``[notify] public_url``, else ``[kiosk] public_url``; answers then give a relative
    ``/b/<token>`` link."""
    rate_limit: str = "5 per minute;20 per hour"
    """Most bookings one IP address may make without a token or session (Flask-Limiter
    notation); kiosks and staff are not limited by it."""
    phone_rate_limit: str = "3 per day"
    """Most bookings made with one phone number."""
    lookup_rate_limit: str = "30 per minute;300 per hour"
    """Most reads and cancellations of bookings by link, and slot listings, per IP address."""
    sessions: list[BookingSessionSection] = Field(default_factory=list)
    """[[booking.sessions]]: when each service may be booked (editable live in ``/admin``)."""

    @field_validator("rate_limit", "phone_rate_limit", "lookup_rate_limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        return _check_limit(value)

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_url(value).rstrip("/")

    @property
    def active(self) -> bool:
        """Whether booking is offered at all."""
        return self.enabled and bool(self.sessions)
