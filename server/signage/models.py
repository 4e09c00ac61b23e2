"""Tables of the wall screens' content and the hall's public information: media files,
playlists per screen group, scheduled running texts, each service's Standar Pelayanan (keyed by
the service prefix), a few hall-wide notes (maklumat, the SKM period and its follow-up) and
online complaints (pengaduan)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class MediaFile(Base):
    """An uploaded image or video, stored on disk beside the database (``media/``)."""

    __tablename__ = "signage_media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    """image or video."""
    title: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(80))
    """Name of the file in the media folder (chosen by Loket, never by the uploader)."""
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    """Seconds (videos); 0 for images."""
    thumbnail: Mapped[str] = mapped_column(String(80), default="")
    created_ts: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(80), default="")


class Playlist(Base):
    """The slides of one screen group (``hall``, ``zone:<zone>``, ``counter:<id>``), JSON."""

    __tablename__ = "signage_playlists"

    group: Mapped[str] = mapped_column(String(48), primary_key=True)
    items: Mapped[str] = mapped_column(Text, default="[]")
    updated_ts: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(80), default="")


class RunningText(Base):
    """One scheduled running text (teks berjalan) beside the hall's single one."""

    __tablename__ = "signage_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    zone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    from_day: Mapped[str | None] = mapped_column(String(10), nullable=True)
    until_day: Mapped[str | None] = mapped_column(String(10), nullable=True)
    days: Mapped[str] = mapped_column(String(40), default="")
    """Comma-separated weekdays (mon..sun); empty means every day."""
    time_window: Mapped[str] = mapped_column(String(11), default="")
    """``HH:MM-HH:MM`` in the hall's time; empty means all day."""
    created_ts: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(80), default="")


class ServiceStandard(Base):
    """The six Standar Pelayanan components a citizen reads, per service prefix."""

    __tablename__ = "signage_standar"

    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    persyaratan: Mapped[str] = mapped_column(Text, default="")
    prosedur: Mapped[str] = mapped_column(Text, default="")
    waktu: Mapped[str] = mapped_column(Text, default="")
    biaya: Mapped[str] = mapped_column(Text, default="")
    produk: Mapped[str] = mapped_column(Text, default="")
    pengaduan: Mapped[str] = mapped_column(Text, default="")
    updated_ts: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(80), default="")


class SignageNote(Base):
    """Hall-wide public notes as JSON: ``maklumat`` and ``skm`` (period and follow-up)."""

    __tablename__ = "signage_notes"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_ts: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(80), default="")


class Complaint(Base):
    """An online complaint or suggestion. Minimal personal data: no name or number is asked;
    an optional contact the citizen chooses to give, deleted with the complaint."""

    __tablename__ = "signage_complaints"
    __table_args__ = (Index("ix_signage_complaints_ts", "answered_ts", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    """pengaduan (complaint) or saran (suggestion)."""
    service: Mapped[str | None] = mapped_column(String(2), nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(120), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
