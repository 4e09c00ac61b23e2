"""Tables of the city link (migration ``0004_city``).

Hall side: :class:`CityOutbox` (filled by database triggers, emptied by the forwarder) and
:class:`CityLink` (whether this hall forwards, its instance id, the last good round).
City side: :class:`CityHall`, :class:`CityTicket`, :class:`CitySurvey`. The city keeps no
personal data: no officer names, no status-page tokens, no survey comments."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class CityOutbox(Base):
    """A ticket or survey response changed since it was last sent to the city."""

    __tablename__ = "city_outbox"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (SQLAlchemy's own form)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    """``ticket`` or ``survey``."""
    row_id: Mapped[int] = mapped_column(Integer)


class CityLink(Base):
    """Key/value state of the hall's link: ``forwarding``, ``instance``, ``last_ok``,
    ``last_error``."""

    __tablename__ = "city_link"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_ts: Mapped[float] = mapped_column(Float)


class CityHall(Base):
    """One hall as the city knows it; ``status`` is the hall's latest live figures (JSON)."""

    __tablename__ = "city_halls"

    hall_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    instance: Mapped[str] = mapped_column(String(32))
    """Random id of the hall's own database: two halls configured with one ``hall_id`` are
    refused instead of mixing their figures."""
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    services: Mapped[str] = mapped_column(Text)
    """JSON list of ``{prefix, name, agency}``."""
    status: Mapped[str] = mapped_column(Text)
    """JSON: ``{"day", "counters", "counters_open", "counters_serving", "backlog"}``."""
    first_seen_ts: Mapped[float] = mapped_column(Float)
    last_seen_ts: Mapped[float] = mapped_column(Float)


class CityTicket(Base):
    """A hall's ticket, as of the hall's last forwarded change to it."""

    __tablename__ = "city_tickets"
    __table_args__ = (Index("ix_city_tickets_day", "day", "hall_id", "service", "status"),)

    hall_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The ticket's id in the hall's database."""
    version: Mapped[int] = mapped_column(Integer)
    """The hall's outbox sequence of the change this copy reflects; an older copy never
    overwrites a newer one."""
    day: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(2))
    issued_service: Mapped[str] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(8))
    priority: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))
    issued_ts: Mapped[float] = mapped_column(Float)
    called_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    served_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    counter_id: Mapped[str | None] = mapped_column(String(16), nullable=True)


class CitySurvey(Base):
    """The nine SKM scores of one survey response (no comment, no officer)."""

    __tablename__ = "city_survey"
    __table_args__ = (Index("ix_city_survey_day", "day", "hall_id"),)

    hall_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(2))
    u1: Mapped[int] = mapped_column(Integer)
    u2: Mapped[int] = mapped_column(Integer)
    u3: Mapped[int] = mapped_column(Integer)
    u4: Mapped[int] = mapped_column(Integer)
    u5: Mapped[int] = mapped_column(Integer)
    u6: Mapped[int] = mapped_column(Integer)
    u7: Mapped[int] = mapped_column(Integer)
    u8: Mapped[int] = mapped_column(Integer)
    u9: Mapped[int] = mapped_column(Integer)
