"""The table of webhook subscriptions (migration ``0010_webhooks``). Their events wait in
:class:`loket.server.notify.models.NotifyOutbox` (kind ``webhook``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.server.models import Base


class WebhookSubscription(Base):
    """One receiver of events. ``events`` is stored as ``,ticket.called,ticket.done,`` so the
    database triggers can match a type with one string search."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (SQLAlchemy's own form)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))
    """``config`` ([[integrations.webhooks]], secret read from the config) or ``api``."""
    secret_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """api: ``env:NAME`` or ``file:/path``; None when the secret is derived (see
    :func:`loket.server.integrations.subscriptions.derived_secret`)."""
    secret_salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    allow_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    timeout_s: Mapped[float] = mapped_column(Float, default=5.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_ts: Mapped[float] = mapped_column(Float)

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]
