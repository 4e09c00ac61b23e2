"""A hall with online booking on a settable clock, served in this process on a real socket
(werkzeug's threaded server, Socket.IO in threading mode), so a browser test can book, walk
the clock into the check-in window, and check in at the kiosk."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.serving import make_server

from loket.server.app import create_app
from loket.server.auth import create_token
from loket.server.config import load_config
from loket.server.context import database_url
from loket.server.db import Database
from loket.server.hub import Hub
from tests.support.hall import SMALL_HALL
from tests.support.kiosk import ADMIN_PAIRING

TZ = ZoneInfo("Asia/Jakarta")
BOOKING = """
[booking]
days_ahead = 7
min_lead_minutes = 60
retention_days = 9

[[booking.sessions]]
service = "A"
days = "daily"
start = "08:00"
end = "12:00"
slot_minutes = 30
capacity = 2

[[booking.sessions]]
service = "C"
days = "mon-fri"
start = "09:00"
end = "11:00"
capacity = 3
requires_nik = true

[[booking.sessions]]
service = "B"
days = "mon-fri"
start = "13:00"
end = "15:00"
slot_minutes = 60
capacity = 1
outreach = true

[[kiosks]]
id = "lobi"
"""


def hall_time(text: str) -> float:
    """``"2026-12-01 07:00"`` in the hall's zone as an epoch."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def set(self, text: str) -> None:
        self.now = hall_time(text)


class WebHall:
    """The small hall with bookings, a fake clock and a live server on 127.0.0.1."""

    def __init__(self, tmp_path: Path, start: str = "2026-12-01 07:00", extra: str = "") -> None:
        folder = tmp_path / "booking-hall"  # apart from the conftest's own loket.toml
        folder.mkdir(exist_ok=True)
        path = folder / "loket.toml"
        path.write_text(SMALL_HALL + BOOKING + extra, encoding="utf-8")
        self.config = load_config(path)
        self.clock = Clock(hall_time(start))
        self.db = Database(database_url(self.config))
        self.db.upgrade()
        self.hub = Hub(self.config, self.db, clock=self.clock)
        self.app = create_app(self.config, async_mode="threading", testing=True, hub=self.hub)
        self.client = self.app.test_client()
        self.server: Any = None
        self.url = ""

    def serve(self) -> WebHall:
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def token(self, role: str = "device", name: str = "booking-test") -> str:
        return create_token(self.db, name, role)

    def kiosk_cookie(self, kiosk_id: str = "lobi") -> dict[str, Any]:
        """A paired kiosk's cookie for a Playwright context on this server."""
        from loket.server.kiosk import devices

        value = devices.pair_directly(self.hub.config, self.db, kiosk_id, self.clock(),
                                      ADMIN_PAIRING)
        return {"name": devices.COOKIE, "value": value, "url": self.url}

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.db.dispose()
