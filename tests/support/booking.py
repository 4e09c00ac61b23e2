"""A hall with bookable sessions on a fake clock, for the booking tests: the hub, its Flask
app and a client, with helpers to book and to move the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from loket.server.app import create_app
from loket.server.config import load_config
from loket.server.db import Database
from loket.server.hub import Hub
from tests.support.hall import SMALL_HALL

TZ = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 25, 7, 0, tzinfo=TZ)
"""Wednesday 25 November 2026, 07:00 in Jakarta."""
BOOKING = """
[booking]
days_ahead = 7
min_lead_minutes = 60
walk_in_share = 0.3
checkin_before_minutes = 30
checkin_after_minutes = 15
retention_days = 7
rate_limit = "1000 per minute"
phone_rate_limit = "1000 per day"

[[booking.sessions]]
service = "A"
days = "mon-fri"
start = "08:00"
end = "12:00"
slot_minutes = 30
capacity = 2

[[booking.sessions]]
service = "B"
days = "mon-fri"
start = "13:00"
end = "15:00"
slot_minutes = 60
capacity = 1
requires_nik = true

[[booking.sessions]]
service = "C"
days = "mon-fri"
start = "09:00"
end = "11:00"
slot_minutes = 60
capacity = 3
outreach = true

[[kiosks]]
id = "lobi"
name = "Lobi utama"
"""
NOTIFY = """
[notify]
public_url = "https://antrean.example.go.id"

[[notify.channels]]
name = "gateway"
kind = "webhook"
url = "http://127.0.0.1:9/send"
body = {to = "{phone}", text = "{text}"}
"""


class Clock:
    """A settable clock (Unix seconds)."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta).total_seconds()


@dataclass
class BookingHall:
    """The small hall with ``[booking]`` sessions, on a fake clock."""

    hub: Hub
    clock: Clock
    app: Any
    client: Any

    def book(self, day: str = "2026-11-25", start: str = "09:00", service: str = "A",
             **extra: Any) -> Any:
        """``POST /api/bookings``; returns the response."""
        return self.client.post("/api/bookings", json=dict(
            {"service": service, "date": day, "start": start}, **extra))

    def at(self, day: str, clock_time: str) -> None:
        """Set the clock to a local date and time (``"2026-11-25"``, ``"08:45"``)."""
        self.clock.set(datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=TZ))


def make_booking_hall(tmp_path: Path, extra: str = "", start: datetime = START,
                      text: str = SMALL_HALL, rate_limit: str = "1000 per minute",
                      phone_rate_limit: str = "1000 per day",
                      url: str | None = None) -> BookingHall:
    """A fresh database and hub (fake clock) with the booking sessions above (and generous
    rate limits unless given); ``url``: another database (PostgreSQL)."""
    path = tmp_path / "loket.toml"
    booking = BOOKING.replace('rate_limit = "1000 per minute"', f'rate_limit = "{rate_limit}"'
                              ).replace('phone_rate_limit = "1000 per day"',
                                        f'phone_rate_limit = "{phone_rate_limit}"')
    path.write_text(text + "\n" + booking + "\n" + extra, encoding="utf-8")
    config = load_config(path)
    db = Database(url or f"sqlite:///{tmp_path / 'loket.db'}")
    db.upgrade()
    clock = Clock(start)
    hub = Hub(config, db, clock=clock)
    app = create_app(config, async_mode="threading", testing=True, hub=hub)
    return BookingHall(hub, clock, app, app.test_client())


def outbox(hub: Hub) -> list[dict[str, Any]]:
    """The notice outbox's rows (kind, key, stream, address, state, params, send_at)."""
    import json

    from sqlalchemy import select

    from loket.server.notify.models import NotifyOutbox

    with hub.db.read() as s:
        return [{"kind": r.kind, "key": r.key, "stream": r.stream, "address": r.address,
                 "state": r.state, "params": json.loads(r.params) if r.params else {},
                 "send_at": r.next_attempt_ts}
                for r in s.scalars(select(NotifyOutbox).order_by(NotifyOutbox.id))]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
