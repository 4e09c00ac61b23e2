"""The waiting-time estimator: pure arithmetic (server.estimate) and the data it is fed from
the database (server.kiosk.observed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.server.estimate import (
    DEFAULT_SERVICE_S,
    ServiceTime,
    describe_wait,
    estimate_wait_s,
    mean_service_time,
    rounded_range,
    service_time,
    wait_estimate,
)
from loket.server.kiosk import observed
from loket.server.models import Ticket, TicketStatus


def test_mean_service_time_resists_a_forgotten_done_key() -> None:
    assert mean_service_time([]) == DEFAULT_SERVICE_S
    typical = [240.0] * 9
    assert mean_service_time(typical) == pytest.approx(240)
    # One ticket left open over lunch (3 hours) moves the estimate far less than a plain mean.
    skewed = mean_service_time([*typical, 3 * 3600.0])
    assert skewed < sum([*typical, 3 * 3600.0]) / 10
    assert skewed < 900


def test_service_time_prefers_today_then_same_weekday_then_default() -> None:
    today = [200.0, 220.0, 180.0, 210.0, 190.0, 205.0]
    history = [600.0] * 40
    assert service_time(today, history).source == "today"
    assert service_time(today, history).mean_s == pytest.approx(200, abs=10)
    blended = service_time([200.0, 210.0], history)
    assert blended.source == "today+history"
    assert 200 < blended.mean_s < 600
    only_history = service_time([], history)
    assert only_history.source == "history" and only_history.mean_s == pytest.approx(600)
    assert service_time([], []).source == "default"
    assert service_time([], []).mean_s == DEFAULT_SERVICE_S


def test_wait_grows_with_people_ahead_and_shrinks_with_counters() -> None:
    assert estimate_wait_s(0, 2, 300, idle=1) == 0
    assert estimate_wait_s(1, 2, 300, idle=2) == 0
    one = estimate_wait_s(10, 1, 300)
    two = estimate_wait_s(10, 2, 300)
    assert one == pytest.approx(10.5 * 300)
    assert two == pytest.approx(one / 2)
    assert estimate_wait_s(10, 0, 300) == one  # nobody open: assume one counter will be


@given(
    ahead=st.integers(min_value=0, max_value=400),
    counters=st.floats(min_value=0, max_value=12),
    mean=st.floats(min_value=30, max_value=3600),
    cv=st.floats(min_value=0.1, max_value=2),
    samples=st.integers(min_value=0, max_value=500),
)
def test_range_always_contains_its_centre(ahead: int, counters: float, mean: float, cv: float,
                                          samples: int) -> None:
    est = wait_estimate(ahead, counters, ServiceTime(mean, cv, samples, "today"))
    assert 0 <= est.low_min <= est.minutes < est.high_min
    assert est.minutes % 5 == 0 and est.low_min % 5 == 0 and est.high_min % 5 == 0


def test_range_is_honest_about_few_observations() -> None:
    sure = wait_estimate(20, 2, ServiceTime(300, 0.4, 200, "today"))
    unsure = wait_estimate(20, 2, ServiceTime(300, 0.4, 2, "today+history"))
    assert sure.seconds == unsure.seconds
    assert (unsure.high_min - unsure.low_min) > (sure.high_min - sure.low_min)


def test_rounding_and_wording() -> None:
    est = wait_estimate(5, 1, ServiceTime(180, 0.5, 50, "today"))
    assert est.seconds == 990  # (5 + 0.5) * 3 min
    assert est.minutes == 15
    text = describe_wait(est, "id")
    assert text.startswith("± 15 menit (") and text.endswith(" menit)")
    assert describe_wait(est, "en").startswith("± 15 min")
    soon = wait_estimate(0, 2, ServiceTime(300, 0.5, 50, "today"), idle=1)
    assert soon.minutes == 0 and describe_wait(soon, "id").startswith("Segera dipanggil")
    assert rounded_range(0) == (0, 5)
    assert rounded_range(3600) == (40, 80)


def _done(hub: Any, service: str, day: str, start: float, duration: float, n: int) -> None:
    with hub.db.session() as s:
        for i in range(n):
            ts = start + i * (duration + 10)
            s.add(Ticket(day=day, issued_service=service, number=900 + i + int(start) % 50,
                         label=f"{service}-9{i:02d}", service=service, priority=False,
                         status=TicketStatus.DONE, issued_ts=ts - 60, queued_ts=ts - 60,
                         called_ts=ts, served_ts=ts, finished_ts=ts + duration,
                         status_token_hash=f"{service}{day}{start}{i}", recalls=0, transfers=0))


def test_observed_uses_same_weekday_history_until_today_has_enough(hub: Any) -> None:
    now = datetime.fromtimestamp(hub.clock(), ZoneInfo("Asia/Jakarta"))
    last_week = (now - timedelta(weeks=1)).date().isoformat()
    yesterday = (now - timedelta(days=1)).date().isoformat()
    week_ago_ts = (now - timedelta(weeks=1)).timestamp()
    _done(hub, "C", last_week, week_ago_ts, 600, 20)
    _done(hub, "C", yesterday, week_ago_ts + 86400 * 6, 60, 20)  # another weekday: ignored
    with hub.db.session() as s:
        st_ = observed.service_times(hub, s, "C")
    assert st_.source == "history" and st_.mean_s == pytest.approx(600, rel=0.05)
    hub.service_time_cache.clear()
    _done(hub, "C", hub.day(), hub.clock() - 3000, 240, 6)
    with hub.db.session() as s:
        today = observed.service_times(hub, s, "C")
    assert today.source == "today" and today.mean_s == pytest.approx(240, rel=0.05)


def test_capacity_counts_open_counters_and_preference(hub: Any) -> None:
    # SMALL_HALL: counter 1 serves [A, B], 2 serves [B], 5 serves [C, A].
    with hub.db.session() as s:
        servers, idle = observed.capacity(hub, s, "A", {"A": 0, "B": 0, "C": 0})
    assert servers == 2 and idle == 2  # 1 (A first) and 5 (its C line is empty), both free
    with hub.db.session() as s:
        busy_c, _ = observed.capacity(hub, s, "A", {"A": 3, "B": 0, "C": 4})
    assert busy_c == pytest.approx(1 + observed.SHARED_WEIGHT)
    hub.counter_action("1", "break")
    with hub.db.session() as s:
        on_break, _ = observed.capacity(hub, s, "A", {"A": 3, "B": 0, "C": 0})
    assert on_break == 1


def test_issue_reports_estimate_for_the_ticket(client: Any, device_token: str) -> None:
    headers = {"Authorization": f"Bearer {device_token}"}
    for _ in range(6):
        client.post("/api/tickets", json={"service": "B"}, headers=headers)
    body = client.post("/api/tickets", json={"service": "B"}, headers=headers).get_json()
    assert body["ahead"] == 6
    # B: counter 2 (B only) and counter 1 (A first, A empty): 2 counters, 5 min default.
    assert body["estimate"]["counters_open"] == 2
    # Both counters are idle now and take two at once: (6 - 2 + 0.5) * 300 / 2.
    assert body["estimated_wait_s"] == 675
    est = body["estimate"]
    assert est["low_min"] <= est["minutes"] < est["high_min"]
