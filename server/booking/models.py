"""The bookings table (migration ``0014_bookings``): one row per booked slot, with the least
personal data the booking needs, deleted after ``[booking] retention_days``."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class BookingStatus:
    """A booking's ``status``."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ACTIVE = (BOOKED, CHECKED_IN)
    """Statuses that hold a place in a slot (and count for "one booking per person")."""


class Booking(Base):
    """A citizen's booked slot. The link's secret token is stored only as its SHA-256; a NIK
    only as a keyed hash and its last four digits."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_slot", "service", "day", "slot_start", "status"),
        Index("ix_bookings_nik", "service", "day", "nik_hash"),
        Index("ix_bookings_phone", "service", "day", "phone"),
        Index("ix_bookings_due", "status", "slot_ts"),
        Index("ix_bookings_purge", "purged_ts", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    """Short code of :data:`loket.server.booking.rules.ALPHABET`, without its dash."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str] = mapped_column(String(2))
    day: Mapped[str] = mapped_column(String(10))
    """The slot's date, ``YYYY-MM-DD`` in the hall's time zone."""
    slot_start: Mapped[str] = mapped_column(String(5))
    """The slot's start, ``HH:MM``."""
    slot_end: Mapped[str] = mapped_column(String(5))
    slot_ts: Mapped[float] = mapped_column(Float)
    """The slot's start as a Unix time."""
    status: Mapped[str] = mapped_column(String(16))
    created_ts: Mapped[float] = mapped_column(Float)
    updated_ts: Mapped[float] = mapped_column(Float)
    """When the status last changed."""
    checked_in_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    ticket_token_sealed: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The ticket's status token, sealed with the hall's key (see
    :func:`loket.server.booking.keys.seal`), so the booking page can link to the ticket's
    status page while the database alone cannot."""
    cancel_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(2), default="id")
    source: Mapped[str] = mapped_column(String(8))
    """web, api, kiosk or officer."""
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """E.164; deleted after the retention period."""
    nik_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """HMAC-SHA256 of the NIK with the hall's booking key; deleted after retention."""
    nik_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    outreach: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Jemput bola: served where the citizen is; never checked in at the kiosk nor expired."""
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """Outreach (jemput bola) only; deleted after retention."""
    contact: Mapped[str | None] = mapped_column(String(120), nullable=True)
    team: Mapped[str | None] = mapped_column(String(80), nullable=True)
    """Outreach team assigned by a supervisor."""
    purged_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """When the personal data was deleted."""
