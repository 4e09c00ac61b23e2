"""A seeded day of service for the open-data tests: a settable clock, a day of the previous
month and a service run by one officer at one counter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from loket.server.hub import Hub

TZ = ZoneInfo("Asia/Jakarta")
OFFICER = "siti.rahmawati"
KIOSK = "kiosk-lobi-utara"


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def seeded_day() -> date:
    """A day of the previous calendar month (complete, so its IKM is published)."""
    today = datetime.now(TZ).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=10)


def run_service(hub: Hub, clock: Clock, service: str, counter: str, served: int,
                no_show: int) -> list[str]:
    tokens = []
    for _ in range(served + no_show):
        clock.now += 7
        tokens.append(hub.issue_ticket(service, kiosk=KIOSK)["status_token"])
    for i in range(served + no_show):
        clock.now += 60 + 13 * i
        hub.counter_action(counter, "next", officer=OFFICER)
        clock.now += 240 + 5 * i
        hub.counter_action(counter, "done" if i < served else "skip")
    return tokens
