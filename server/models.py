"""Database tables (SQLAlchemy 2.x). Times are UTC seconds since the epoch (float), so
durations are plain subtraction in SQL on SQLite and PostgreSQL alike; ``day`` is the hall's
local business day (``YYYY-MM-DD``)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TicketStatus:
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    ACTIVE = (CALLED, SERVING)
    ALL = (WAITING, CALLED, SERVING, DONE, NO_SHOW)


class Ticket(Base):
    """One citizen's place in a queue. No personal data: only the priority flag."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("day", "issued_service", "number", name="uq_ticket_number"),
        Index("ix_tickets_queue", "day", "status", "service", "priority", "queued_ts", "id"),
        # A booked line's heads by queue time and by slot start (migration 0015): partial,
        # so walk-ins do not pay for them. The migration makes them partial on PostgreSQL too
        # (``postgresql_where``); naming that option here would run SQLAlchemy's PostgreSQL
        # dialect in every hub on SQLite (server/deferred_imports.py), and the schema is
        # made by the migrations only.
        Index("ix_tickets_booked_queue", "day", "status", "service", "priority", "queued_ts",
              "id", sqlite_where=text("booked")),
        Index("ix_tickets_booked_slot", "day", "status", "service", "priority", "slot_ts", "id",
              sqlite_where=text("booked")),
        Index("ix_tickets_counter", "counter_id", "status"),
        Index("ix_tickets_issued", "issued_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10))
    issued_service: Mapped[str] = mapped_column(String(2))
    """Prefix the number was issued under (the label keeps it after a transfer)."""
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(8))
    """What citizens see: ``A-012``."""
    service: Mapped[str] = mapped_column(String(2))
    """Service whose queue the ticket is in now."""
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=TicketStatus.WAITING)
    issued_ts: Mapped[float] = mapped_column(Float)
    queued_ts: Mapped[float] = mapped_column(Float)
    """Fairness key: the original issue time, kept across transfers."""
    called_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """First call (recalls do not move it), so waiting time = called_ts - issued_ts."""
    served_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """When service started (the officer's START, or the first call when there is none)."""
    finished_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    counter_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    officer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    transferred_from: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Note of where a transferred ticket came from, e.g. ``A @ Loket 3``."""
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the ticket's status-page token (the token itself is never stored)."""
    kiosk: Mapped[str | None] = mapped_column(String(32), nullable=True)
    booked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Issued at the check-in of an online booking (see :mod:`loket.server.booking`)."""
    slot_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Start of the booked slot (booked tickets only): the queue rules' ``booked_policy``
    never calls a booked ticket before it unless nobody else waits."""


class ServiceDay(Base):
    """The numbering counter of one service on one day: the row that makes numbers unique."""

    __tablename__ = "service_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    service: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Counter(Base):
    """Live state of a counter (its definition lives in loket.toml)."""

    __tablename__ = "counters"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    """open, break or closed (whether it is serving is derived from current_ticket_id)."""
    current_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id"), nullable=True
    )
    officer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    calls_since_priority: Mapped[int] = mapped_column(Integer, default=0)
    calls_since_booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Calls since this counter last called a booked ticket (``booked_policy = "every_n"``)."""
    updated_ts: Mapped[float] = mapped_column(Float, default=0.0)


class CallRecord(Base):
    """Every call and recall, in order: the display history and the announcer's feed."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_ts", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    label: Mapped[str] = mapped_column(String(8))
    service: Mapped[str] = mapped_column(String(2))
    counter_id: Mapped[str] = mapped_column(String(16))
    recall: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    """A person who logs in: officer, supervisor or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    counters: Mapped[str] = mapped_column(Text, default="")
    """Comma-separated counter ids an officer may use; empty means any."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_ts: Mapped[float] = mapped_column(Float)


class ApiToken(Base):
    """A device, announcer or supervisor token; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    counters: Mapped[str] = mapped_column(Text, default="")
    created_ts: Mapped[float] = mapped_column(Float)
    revoked_ts: Mapped[float | None] = mapped_column(Float, nullable=True)


class AuditEntry(Base):
    """Who did what and when: supervisor controls, user and token changes."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_ts", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """Live settings changed by supervisors (running text, paused services), JSON values."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_ts: Mapped[float] = mapped_column(Float)


class UserSession(Base):
    """A signed-in browser. The session cookie holds only ``id`` (random); deleting the row
    (logout, password change, disable, role change) ends that session everywhere."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the random session id kept in the cookie."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_ts: Mapped[float] = mapped_column(Float)
    last_seen_ts: Mapped[float] = mapped_column(Float)
    """Last request of this session (updated at most once a minute), for the idle timeout."""


class LoginFailure(Base):
    """One failed login (successes are never recorded), for the lockout."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_user", "username", "ts"),
        Index("ix_login_failures_address", "address", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))


class HallDocument(Base):
    """The hall's live configuration (agencies, services, counters) edited in ``/admin``: one
    JSON document, seeded from ``loket.toml`` on first start; ``version`` grows with every
    change (calendar changes included), so every hub process can tell it is out of date."""

    __tablename__ = "hall_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    updated_ts: Mapped[float] = mapped_column(Float)


class CalendarEntry(Base):
    """The hall calendar: a closure on a date or a date range (``kind`` "closure") or a
    recurring break such as the Friday prayer (``kind`` "break", ``rule`` "fri 11:30-13:00").
    ``services``: JSON list of prefixes, empty for the whole hall. ``uid``: the iCalendar UID of
    an imported holiday (imports are idempotent)."""

    __tablename__ = "hall_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    date_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    rule: Mapped[str] = mapped_column(String(40), default="")
    services: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str] = mapped_column(String(200))
    uid: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    created_ts: Mapped[float] = mapped_column(Float)
