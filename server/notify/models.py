"""Tables of notices (migration ``0009_notify``).

:class:`NotifyPhone` holds a ticket's phone number, apart from the ticket (deleted at the end
of the ticket's day). :class:`NotifyOutbox` is a generic durable outbox: one row per message
to deliver, whatever caused it (ticket notices written by database triggers, booking notices
and integration events written by their modules), with its idempotency key, attempts, next
attempt time, lease and state. :class:`NotifyChannelStat` keeps each channel's health."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class OutboxState:
    QUEUED = "queued"
    SENDING = "sending"
    """Claimed by a worker until ``lease_until``; an expired lease is claimed again."""
    SENT = "sent"
    DEAD = "dead"
    """Dead letter: ``max_attempts`` failed, or no recipient left (never retried)."""
    PENDING = (QUEUED, SENDING)


class NotifyPhone(Base):
    """A ticket's opt-in: where its notices go. Never on the ticket row, never shown in full
    to staff, deleted at the end of ``day``."""

    __tablename__ = "notify_phones"
    __table_args__ = (Index("ix_notify_phones_day", "day"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    """E.164 with ``+`` (``+6281234567890``)."""
    lang: Mapped[str] = mapped_column(String(2))
    status_url: Mapped[str] = mapped_column(String(300))
    """The status page link (it holds the ticket's secret token, so it goes with the phone)."""
    day: Mapped[str] = mapped_column(String(10))
    created_ts: Mapped[float] = mapped_column(Float)
    ahead_at_opt_in: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """People ahead when the citizen opted in: "your turn is near" is sent only once the
    queue has moved (the first notice already says how many are ahead)."""


class NotifyOutbox(Base):
    """One message to deliver exactly once (``key`` is unique)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        Index("ix_notify_outbox_due", "state", "next_attempt_ts"),
        Index("ix_notify_outbox_stream", "stream", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """Idempotency key, e.g. ``t17:call:42``; a second insert with it is ignored, and
    gateways get it as the ``Idempotency-Key`` header."""
    kind: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    """Messages of one stream (``t17``: one ticket) are delivered in ``id`` order."""
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Recipient through :class:`NotifyPhone` (ticket notices)."""
    address: Mapped[str | None] = mapped_column(String(254), nullable=True)
    """Direct recipient (booking notices, tests): E.164 phone or e-mail; cleared when sent."""
    counter_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lang: Mapped[str | None] = mapped_column(String(2), nullable=True)
    params: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON of the template's placeholders (no personal data)."""
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """Only this channel (tests, integrations); empty: the configured order."""
    state: Mapped[str] = mapped_column(String(8), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_ts: Mapped[float] = mapped_column(Float)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_ts: Mapped[float] = mapped_column(Float)
    sent_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    sent_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class NotifyChannelStat(Base):
    """Delivery health of one channel (all workers together)."""

    __tablename__ = "notify_channels"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    failing_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_ok_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_error_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
