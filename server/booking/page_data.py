"""What the booking pages need to know of the hall and of one booking, read through the
booking store (:mod:`loket.server.booking.store`, :mod:`loket.server.booking.availability`): one
small seam between the pages and the store's internals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loket.server.booking import availability, store

if TYPE_CHECKING:
    from loket.server.hub import Hub


@dataclass(frozen=True)
class BookingSettings:
    """The hall's booking settings as the citizen's page shows them."""

    days_ahead: int
    retention_days: int
    checkin_before_min: int
    checkin_after_min: int
    services: dict[str, dict[str, bool]]
    """Bookable service prefix → {"nik": requires a NIK, "outreach": jemput bola}."""


def settings(hub: Hub) -> BookingSettings:
    """The ``[booking]`` section's figures and which services can be booked."""
    b = hub.config.booking
    return BookingSettings(
        days_ahead=b.days_ahead,
        retention_days=b.retention_days,
        checkin_before_min=b.checkin_before_minutes,
        checkin_after_min=b.checkin_after_minutes,
        services={s["service"]: {"nik": bool(s["requires_nik"]), "outreach": bool(s["outreach"])}
                  for s in availability.services(hub)},
    )


def load_booking(hub: Hub, token: str, lang: str) -> dict[str, Any] | None:
    """The booking of ``token`` as ``GET /api/bookings/<token>`` answers it, or None."""
    return store.find(hub, token, lang)
