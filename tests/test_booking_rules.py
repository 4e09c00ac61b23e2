"""The pure booking rules (server/booking/rules.py) on any moment: slots, the booking window,
capacity with the walk-ins' share, the check-in window, codes and reading typed or scanned
input. Property tests with hypothesis."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.server.booking import rules
from loket.server.hours import parse_rule

TZ = ZoneInfo("Asia/Jakarta")
MORNING = rules.SessionSpec("A", parse_rule("mon-fri 08:00-12:00"), 30, 2)
SATURDAY = rules.SessionSpec("A", parse_rule("sat 08:00-09:45"), 30, 1)
WED = date(2026, 11, 25)


def test_slots_of_a_weekday_and_none_on_other_days() -> None:
    slots = rules.slots_for([MORNING, SATURDAY], "A", WED)
    assert [(s.start, s.end) for s in slots] == [
        ("08:00", "08:30"), ("08:30", "09:00"), ("09:00", "09:30"), ("09:30", "10:00"),
        ("10:00", "10:30"), ("10:30", "11:00"), ("11:00", "11:30"), ("11:30", "12:00")]
    assert rules.slots_for([MORNING], "A", date(2026, 11, 29)) == []  # Sunday
    assert rules.slots_for([MORNING], "B", WED) == []
    # a last piece shorter than a slot (09:30-09:45) is not offered
    assert [s.start for s in rules.slots_for([SATURDAY], "A", date(2026, 11, 28))] == [
        "08:00", "08:30", "09:00"]
    assert rules.find_slot([MORNING], "A", WED, "09:30") is not None
    assert rules.find_slot([MORNING], "A", WED, "09:15") is None


@given(st.integers(5, 240), st.integers(0, 23), st.integers(1, 12 * 60))
def test_slots_tile_their_session(minutes: int, hour: int, length: int) -> None:
    start = time(hour, 0)
    end_dt = datetime.combine(WED, start) + timedelta(minutes=length)
    if end_dt.date() != WED:
        return
    rule = parse_rule(f"daily {start:%H:%M}-{end_dt:%H:%M}")
    slots = rules.slots_for([rules.SessionSpec("A", rule, minutes, 1)], "A", WED)
    assert len(slots) == length // minutes
    for a, b in pairwise(slots):
        assert a.end == b.start
    if slots:
        assert slots[0].start == f"{start:%H:%M}"
        assert slots[-1].end <= f"{end_dt:%H:%M}"


@given(st.integers(0, 14 * 24 * 60), st.integers(0, 7), st.integers(0, 240))
def test_window(minutes_ahead: int, days_ahead: int, lead: int) -> None:
    now = datetime(2026, 11, 25, 10, 7, tzinfo=TZ)
    slot = now + timedelta(minutes=minutes_ahead)
    refused = rules.window_refusal(now, slot, days_ahead=days_ahead, min_lead_minutes=lead)
    too_soon = minutes_ahead < lead
    too_far = (slot.date() - now.date()).days > days_ahead
    assert (refused == "outside_window") == (too_soon or too_far)


def test_window_edges() -> None:
    now = datetime(2026, 11, 25, 7, 0, tzinfo=TZ)
    assert rules.window_refusal(now, now + timedelta(minutes=60), days_ahead=7,
                                min_lead_minutes=60) is None
    assert rules.window_refusal(now, now + timedelta(minutes=59), days_ahead=7,
                                min_lead_minutes=60) == "outside_window"
    assert rules.window_refusal(now, now - timedelta(minutes=1), days_ahead=7,
                                min_lead_minutes=0) == "outside_window"
    last = datetime(2026, 12, 2, 23, 0, tzinfo=TZ)
    assert rules.window_refusal(now, last, days_ahead=7, min_lead_minutes=60) is None
    assert rules.window_refusal(now, last + timedelta(days=1), days_ahead=7,
                                min_lead_minutes=60) == "outside_window"


@pytest.mark.parametrize(("quota", "share", "bookable"), [
    (None, 0.3, None), (50, 0.3, 35), (10, 0.3, 7), (10, 0.35, 6), (10, 0.0, 10),
    (10, 1.0, 0), (1, 0.3, 0)])
def test_walk_ins_keep_their_share(quota: int | None, share: float,
                                   bookable: int | None) -> None:
    assert rules.bookable_per_day(quota, share) == bookable


@given(st.integers(1, 9999), st.floats(0.0, 1.0))
def test_walk_ins_never_get_less_than_their_share(quota: int, share: float) -> None:
    allowed = rules.bookable_per_day(quota, share)
    assert allowed is not None and 0 <= allowed <= quota
    assert quota - allowed >= quota * share - 1e-6


@given(st.integers(1, 50), st.integers(0, 60), st.integers(0, 500),
       st.one_of(st.none(), st.integers(0, 400)))
def test_available_is_never_negative_nor_above_either_limit(
        capacity: int, in_slot: int, in_day: int, allowance: int | None) -> None:
    left = rules.available(capacity, in_slot, in_day, allowance)
    assert 0 <= left <= max(0, capacity - in_slot)
    if allowance is not None:
        assert left <= max(0, allowance - in_day)


@given(st.integers(-600, 600), st.integers(0, 120), st.integers(0, 120))
def test_checkin_window(offset_min: int, before: int, after: int) -> None:
    slot = datetime(2026, 11, 25, 9, 0, tzinfo=TZ).timestamp()
    refusal = rules.checkin_refusal(slot + offset_min * 60, slot, before_minutes=before,
                                    after_minutes=after)
    expected = "too_early" if offset_min < -before else "too_late" if offset_min > after else None
    assert refusal == expected


def test_checkin_window_edges_are_inside() -> None:
    slot = 1_000_000.0
    assert rules.checkin_refusal(slot - 1800, slot, before_minutes=30, after_minutes=15) is None
    assert rules.checkin_refusal(slot + 900, slot, before_minutes=30, after_minutes=15) is None
    assert rules.checkin_refusal(slot - 1801, slot, before_minutes=30,
                                 after_minutes=15) == "too_early"
    assert rules.checkin_refusal(slot + 901, slot, before_minutes=30,
                                 after_minutes=15) == "too_late"
    assert rules.expires_at(slot, 15) == slot + 900


@given(st.randoms(use_true_random=False))
def test_codes_use_only_unambiguous_characters(rnd: object) -> None:
    code = rules.new_code(lambda n: rnd.randrange(n))  # type: ignore[attr-defined]
    assert len(code) == rules.CODE_LENGTH
    assert not set(code) & set("01OIL")
    assert set(code) <= set(rules.ALPHABET)


@given(st.text(rules.ALPHABET, min_size=6, max_size=6),
       st.sampled_from(["{}", "{a}-{b}", "{a} {b}", " {a}-{b} ", "loket:{}", "{a}.{b}"]),
       st.booleans())
def test_a_code_reads_back_however_it_was_typed(code: str, shape: str, lower: bool) -> None:
    typed = shape.format(code, a=code[:3], b=code[3:])
    if lower:
        typed = typed.lower()
    assert rules.read_input(typed) == rules.Scanned("code", code)
    assert rules.format_code(code) == f"{code[:3]}-{code[3:]}"


@pytest.mark.parametrize("scanned", [
    "https://antrean.example.go.id/b/{t}", "http://192.168.1.10:5000/b/{t}?lang=en",
    "/b/{t}", "https://x.example/b/{t}/", "https://x.example/b/{t}#qr"])
def test_a_scanned_link_gives_its_token(scanned: str) -> None:
    token = "Abc_def-1234567890XYZabcdEFGH"
    assert rules.read_input(scanned.format(t=token)) == rules.Scanned("token", token)


@pytest.mark.parametrize("typed", [
    "", "   ", "K7M-Q4", "K7M-Q4PP", "K0M-Q4P", "KIM-Q4P", "K1M-Q4P", "KLM-Q4P", "KOM-Q4P",
    "https://x.example/b/short", "https://x.example/b/<script>alert(1)</script>",
    "x" * 400])
def test_anything_else_is_not_read(typed: str) -> None:
    assert rules.read_input(typed) is None
