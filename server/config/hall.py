"""The hall itself: its name, agencies, services and counters, and the queue policy."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from loket.server.config.base import Section
from loket.server.hours import OpeningRule, parse_clock, parse_rule


def known_timezone(value: str) -> str:
    """``value`` if it is an IANA time zone, else ValueError saying what is expected."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; expected e.g. 'Asia/Jakarta'") from None
    return value


def slugify(text: str) -> str:
    """``"BPJS Kesehatan"`` -> ``"bpjs-kesehatan"``: a stable id for URLs such as ``?agency=``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class HallSection(Section):
    name: str = Field(min_length=1, max_length=120)
    """The hall's name as shown on displays, tickets and reports ("MPP Kota Contoh")."""
    timezone: str = "Asia/Jakarta"
    """IANA time zone of the hall (Asia/Jakarta, Asia/Makassar, Asia/Jayapura). Ticket numbers
    restart at midnight in this zone."""
    language: Literal["id", "en"] = "id"
    """Default language of the pages citizens and officers see."""
    logo: str = ""
    """Path to a PNG or SVG logo shown on displays and printed tickets (relative to the config
    file). Empty: no logo."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_timezone(value)


class QueueSection(Section):
    priority_policy: Literal["first", "interleave"] = "first"
    """How priority tickets (lansia, disabilitas, ibu hamil) are called: "first" calls every
    waiting priority ticket before regular ones; "interleave" calls one priority ticket every
    ``priority_every`` calls of a counter."""
    priority_every: int = Field(default=3, ge=2, le=50)
    """With priority_policy = "interleave": one call in this many goes to a priority ticket."""
    service_order: Literal["preference", "oldest"] = "preference"
    """How a counter serving several services picks: "preference" empties its services in the
    order listed; "oldest" calls whoever has waited longest across its services."""
    booked_policy: Literal["slot_time", "first", "every_n"] = "slot_time"
    """How tickets of online bookings (checked in at the hall) are called beside walk-ins:
    "slot_time" places a booked ticket as if it had been issued at its slot's start, so it is
    called near its booked time but never before walk-ins who came earlier; "first" calls every
    booked ticket whose slot has started before walk-ins; "every_n" gives one call in
    ``booked_every`` of a counter to a booked ticket whose slot has started. Under every rule
    priority tickets keep ``priority_policy``, and a booked ticket is never called before its
    slot's start unless nobody else waits for the counter."""
    booked_every: int = Field(default=3, ge=2, le=50)
    """With booked_policy = "every_n": one call in this many (per counter) goes to a booked
    ticket, when one whose slot has started waits."""


class AgencySection(Section):
    name: str = Field(min_length=1, max_length=120)
    """Agency name as citizens know it ("Dukcapil", "Imigrasi", "BPJS Kesehatan")."""
    id: str = ""
    """Short id used in URLs (``/kiosk?agency=dukcapil``); defaults to the name, slugified."""
    full_name: str = ""
    """Official long name, shown on the kiosk under the short one."""

    @property
    def slug(self) -> str:
        return self.id or slugify(self.name)


class ServiceSection(Section):
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    """One or two capital letters that start this service's ticket numbers (A -> A-001)."""
    name: str = Field(min_length=1, max_length=120)
    """Service name in Indonesian ("Perekaman KTP-el")."""
    name_en: str = ""
    """Service name in English; defaults to the Indonesian name."""
    agency: str = Field(min_length=1)
    """The agency that gives this service: its name or id."""
    quota: int | None = Field(default=None, ge=1, le=9999)
    """Most tickets issued per day; none means no limit. Numbers never exceed 999 per day unless
    a quota above 999 is set."""
    opening_hours: list[str] = Field(default_factory=list)
    """When tickets can be taken, e.g. ["mon-fri 07:30-15:00", "sat 08:00-12:00"] in the hall's
    time zone. Empty: always open."""
    sla_minutes: int = Field(default=30, ge=1, le=1440)
    """Target longest wait; the supervisor is alerted when a citizen has waited longer."""
    last_ticket: str = ""
    """Early cut-off: no ticket is issued from this time of day on ("14:30" when the hall
    closes at 15:00). Empty: tickets until the opening hours end."""

    @field_validator("opening_hours")
    @classmethod
    def _valid_hours(cls, value: list[str]) -> list[str]:
        for rule in value:
            parse_rule(rule)
        return value

    @field_validator("last_ticket")
    @classmethod
    def _valid_cutoff(cls, value: str) -> str:
        if value:
            parse_clock(value)
        return value

    @property
    def cutoff(self) -> time | None:
        return parse_clock(self.last_ticket) if self.last_ticket else None

    @property
    def opening_rules(self) -> tuple[OpeningRule, ...]:
        return tuple(parse_rule(rule) for rule in self.opening_hours)


class CounterSection(Section):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,16}$")
    """Counter id used by keypads, URLs and the API ("5", "pajak-3")."""
    name: str = Field(min_length=1, max_length=60)
    """Name shown on displays ("Loket 5")."""
    zone: str = Field(default="utama", pattern=r"^[a-z0-9\-]{1,32}$")
    """Zone (floor or wing) whose displays and speakers call this counter ("lantai-1")."""
    services: list[str] = Field(min_length=1)
    """Service prefixes this counter serves, in order of preference."""
    spoken_name: str = ""
    """How the announcer names the counter ("loket pajak tiga"); defaults to "loket" and the
    counter's number in words."""


class StorageSection(Section):
    url: str = ""
    """SQLAlchemy database URL. Empty: a SQLite file ``loket.db`` beside the config file.
    PostgreSQL: ``postgresql+psycopg://user:pass@host/loket``."""
    echo: bool = False
    """Log every SQL statement (for debugging only)."""
    busy_timeout_s: float = Field(default=5.0, gt=0.0, le=120.0)
    """SQLite: how long a write (a ticket, a call) waits for the database's write lock while
    another program holds it (``loket user add``, a backup, a technician's ``sqlite3``) before
    it is refused with ``503 {"error": "busy"}``. The hub keeps answering meanwhile: the wait
    sleeps between short attempts. Command-line programs wait at least 30 s."""
    commit_off_loop: bool = False
    """SQLite under gevent: a write's commit waits for the disk (its fsync) in a thread, so
    displays, keypads and other requests are served meanwhile. Off (the default): the commit
    runs on the event loop, which stops while the disk flushes. On a disk that flushes in
    under a millisecond (an SSD) off is faster: the thread's hand-over cost more tickets per
    second than the flush (docs/benchmarks.md, "The commit off the loop: the default"); turn
    it on where a flush takes long (an SD card, a busy hard disk)."""


class RealtimeSection(Section):
    async_mode: Literal["gevent", "threading"] = "gevent"
    """Socket.IO server mode. gevent holds hundreds of connections on one core (see
    docs/benchmarks.md); threading is for debugging."""
    message_queue: str = ""
    """Redis URL shared by several hub processes (``redis://127.0.0.1:6379/0``). Empty: one
    process, in-memory."""
    queue_event_interval_s: float = Field(default=0.5, ge=0.0, le=5.0)
    """Waiting counts are pushed at most this often, in seconds (a burst of tickets is one
    update; calls are never delayed by it)."""


class ServerSection(Section):
    host: str = "0.0.0.0"
    """Address `loket serve` listens on (all interfaces of the hall's LAN by default)."""
    port: int = Field(default=5000, ge=1, le=65535)
    """TCP port of the hub."""
    secret_key: str = ""
    """Key that signs officer sessions. Empty: a random key is generated once and kept in
    ``secret_key`` beside the database."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """Largest request body accepted; bigger requests get 413."""
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    """Number of reverse proxies in front of the hub whose X-Forwarded-For is trusted."""
