"""Tables of the supervisor's part: survey responses (SKM), with their follow-up."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class SurveyResponse(Base):
    """One citizen's answers to the nine SKM elements, for one ticket (at most one each)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_day_service", "day", "service"),
        Index("ix_survey_open_comments", "has_comment", "handled_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(String(10))
    """Hall-local day of the answer (IKM periods are chosen by day)."""
    service: Mapped[str] = mapped_column(String(2))
    """Service that served the ticket (after any transfer)."""
    counter_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    officer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    u1: Mapped[int] = mapped_column(Integer)
    u2: Mapped[int] = mapped_column(Integer)
    u3: Mapped[int] = mapped_column(Integer)
    u4: Mapped[int] = mapped_column(Integer)
    u5: Mapped[int] = mapped_column(Integer)
    u6: Mapped[int] = mapped_column(Integer)
    u7: Mapped[int] = mapped_column(Integer)
    u8: Mapped[int] = mapped_column(Integer)
    u9: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    has_comment: Mapped[int] = mapped_column(Integer, default=0)
    handled_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    handled_note: Mapped[str] = mapped_column(Text, default="")


SCORE_COLUMNS = tuple(getattr(SurveyResponse, f"u{i}") for i in range(1, 10))
