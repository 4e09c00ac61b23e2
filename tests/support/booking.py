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
                      text: str = SMALL_HALL) -> BookingHall:
    """A fresh database and hub (fake clock) with the booking sessions above."""
    path = tmp_path / "loket.toml"
    path.write_text(text + "\n" + BOOKING + "\n" + extra, encoding="utf-8")
    config = load_config(path)
    db = Database(f"sqlite:///{tmp_path / 'loket.db'}")
    db.upgrade()
    clock = Clock(start)
    hub = Hub(config, db, clock=clock)
    app = create_app(config, async_mode="threading", testing=True, hub=hub)
    return BookingHall(hub, clock, app, app.test_client())


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
