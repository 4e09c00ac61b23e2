"""The table of help requests (*Butuh bantuan*): one row per request from a kiosk or a
citizen's phone. No personal data: where the citizen is (a short text), which kiosk, and the
ticket when the citizen gave its status token."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class AssistanceRequest(Base):
    __tablename__ = "assistance_requests"
    __table_args__ = (
        Index("ix_assistance_open", "day", "taken_ts"),
        Index("ix_assistance_ticket", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10))
    ts: Mapped[float] = mapped_column(Float)
    kiosk: Mapped[str] = mapped_column(String(32), default="")
    place: Mapped[str] = mapped_column(String(80), default="")
    """Where the citizen waits, as they said it (the API's ``where``)."""
    zones: Mapped[str] = mapped_column(String(200), default="")
    """Comma-separated zones whose officers are told ("" = every zone)."""
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    on_call: Mapped[bool] = mapped_column(Boolean, default=False)
    """Only a mark on the ticket: no alert now; the call tells the officer to fetch the
    citizen."""
    taken_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    taken_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
