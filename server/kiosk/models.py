"""The kiosk's own table: every print attempt, so a ticket is printed once and the last
status of each kiosk's printer is known after a restart."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class KioskPrint(Base):
    """One attempt to print a ticket on a kiosk's printer (also a bare status check)."""

    __tablename__ = "kiosk_prints"
    __table_args__ = (
        Index("ix_kiosk_prints_kiosk", "kiosk", "ts"),
        Index("ix_kiosk_prints_ticket", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    kiosk: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    """ok, paper_low, no_paper, offline, error or none (no printer: the browser prints)."""
    detail: Mapped[str] = mapped_column(String(200), default="")


class Kiosk(Base):
    """A kiosk the hall knows: its pairing (only the hash of the secret its browser holds in
    the ``loket_kiosk`` cookie), when it was last heard from and when it last hit its rate
    limit. Kiosks of ``[[kiosks]]`` in loket.toml take their settings from the file; kiosks
    added with ``loket kiosk add`` (or, later, the admin pages) keep them here."""

    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    printer: Mapped[str] = mapped_column(String(200), default="")
    paper_width_mm: Mapped[int] = mapped_column(Integer, default=80)
    agencies: Mapped[str] = mapped_column(String(400), default="")
    """Comma-separated agency names or ids; empty: all."""
    rate_limit: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 of the kiosk's secret; None: not paired."""
    paired_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    base_url: Mapped[str] = mapped_column(String(200), default="")
    """The hub's address as the kiosk reached it when it was paired (status links and QR codes
    use it when ``[kiosk] public_url`` is empty)."""
    pair_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pair_code_expires_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_seen_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    limited_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Last time the kiosk was refused a ticket by its rate limit."""
    limited_count: Mapped[int] = mapped_column(Integer, default=0)
    """Refusals since it was paired (at most one counted a second)."""
    unpaired_limited_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Last time a request naming this kiosk, without its pairing, was refused by the strict
    per-address limit: the kiosk needs pairing."""
    created_ts: Mapped[float] = mapped_column(Float, default=0.0)
    in_file: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when this row only holds the state of a ``[[kiosks]]`` entry of loket.toml."""
