"""The kiosk's own table: every print attempt, so a ticket is printed once and the last
status of each kiosk's printer is known after a restart."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base


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
