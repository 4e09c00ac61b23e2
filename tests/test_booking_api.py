"""The booking API's contract on a fake clock (Wednesday 25 November 2026, 07:00 WIB): slots
and their places left, booking and its refusals (window, capacity and the walk-ins' share,
the calendar, one booking per person), the holder's link, check-in windows and who may check
in, and the public endpoints' rate limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from loket.server.auth import create_token
from loket.server.booking.models import Booking
from loket.server.models import Ticket
from tests.support.booking import NOTIFY, BookingHall, make_booking_hall
from tests.support.kiosk import pair
from tests.support.login import login

DAY = "2026-11-25"


@pytest.fixture
def hall(tmp_path: Path) -> BookingHall:
    return make_booking_hall(tmp_path)


def _token(hall: BookingHall, role: str = "device") -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(hall.hub.db, f't-{role}', role)}"}


def _count(hall: BookingHall, model: Any) -> int:
    with hall.hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _available(hall: BookingHall, start: str, day: str = DAY, service: str = "A") -> int:
    answer = hall.client.get(f"/api/booking/slots?service={service}&date={day}")
    assert answer.status_code == 200, answer.json
    return next(s["available"] for s in answer.json["slots"] if s["start"] == start)


# ------------------------------------------------------------------ slots and booking
def test_slots_answer_the_contract(hall: BookingHall) -> None:
    answer = hall.client.get(f"/api/booking/slots?service=a&date={DAY}")
    assert answer.status_code == 200
    body = answer.json
    assert list(body) == ["service", "date", "slots"]
    assert body["service"] == "A" and body["date"] == DAY
    assert body["slots"][0] == {"start": "08:00", "end": "08:30", "capacity": 2,
                                "available": 2}
    assert len(body["slots"]) == 8
    # a Sunday has no session; an unknown service is 404; a bad date 400
    assert hall.client.get("/api/booking/slots?service=A&date=2026-11-29").json["slots"] == []
    assert hall.client.get(f"/api/booking/slots?service=Z&date={DAY}").json["error"] == \
        "unknown_service"
    assert hall.client.get("/api/booking/slots?service=A&date=besok").status_code == 400


def test_a_booking_answers_the_contract_and_fills_its_slot(hall: BookingHall) -> None:
    answer = hall.book(start="09:00")
    assert answer.status_code == 201, answer.json
    body = answer.json
    for key in ("code", "token", "service", "date", "start", "end", "booking_url"):
        assert key in body
    assert (body["service"], body["date"], body["start"], body["end"]) == (
        "A", DAY, "09:00", "09:30")
    assert body["booking_url"] == f"/b/{body['token']}"
    assert len(body["code"]) == 7 and body["code"][3] == "-"
    assert not set(body["code"]) & set("01OIL")
    assert _available(hall, "09:00") == 1
    with hall.hub.db.read() as s:
        row = s.scalars(select(Booking)).one()
        assert row.token_hash != body["token"] and body["token"] not in row.token_hash
        assert row.source == "web" and row.status == "booked"
    got = hall.client.get(f"/api/bookings/{body['token']}")
    assert got.status_code == 200
    assert got.json["status"] == "booked" and got.json["code"] == body["code"]
    assert "ticket" not in got.json and "status_url" not in got.json


def test_capacity_of_a_slot(hall: BookingHall) -> None:
    assert hall.book(start="10:00").status_code == 201
    assert hall.book(start="10:00").status_code == 201
    full = hall.book(start="10:00")
    assert full.status_code == 409 and full.json["error"] == "slot_full"
    assert "10:00" in full.json["message"]
    assert _available(hall, "10:00") == 0
    assert _count(hall, Booking) == 2


def test_the_walk_ins_share_of_the_daily_quota(tmp_path: Path) -> None:
    """Service A's quota of 50 less 30 % for walk-ins leaves 35 bookings a day; here the
    quota is 4, so 2 bookings (ceil(1.2) = 2 kept for walk-ins)."""
    from tests.support.hall import SMALL_HALL

    hall = make_booking_hall(tmp_path, text=SMALL_HALL.replace("quota = 50", "quota = 4"))
    assert hall.book(start="08:00").status_code == 201
    assert hall.book(start="09:00").status_code == 201
    refused = hall.book(start="10:00")
    assert refused.status_code == 409 and refused.json["error"] == "slot_full"
    assert _available(hall, "11:00") == 0


@pytest.mark.parametrize(("day", "start", "why"), [
    (DAY, "07:30", "not a slot"),
    ("2026-11-24", "09:00", "yesterday"),
    (DAY, "08:00", "in exactly 60 minutes: allowed"),
    ("2026-12-02", "09:00", "7 days ahead: allowed"),
    ("2026-12-03", "09:00", "8 days ahead"),
])
def test_the_booking_window(hall: BookingHall, day: str, start: str, why: str) -> None:
    answer = hall.book(day=day, start=start)
    if why.endswith("allowed"):
        assert answer.status_code == 201, (why, answer.json)
    elif why == "not a slot":
        assert answer.status_code == 400 and answer.json["error"] == "bad_request"
    else:
        assert answer.status_code == 409 and answer.json["error"] == "outside_window", why
        assert _available(hall, start, day) == 0


def test_the_lead_time(hall: BookingHall) -> None:
    hall.at(DAY, "07:01")  # 08:00 is now 59 minutes away
    refused = hall.book(start="08:00")
    assert refused.status_code == 409 and refused.json["error"] == "outside_window"
    assert _available(hall, "08:00") == 0 and _available(hall, "08:30") == 2


def test_one_active_booking_per_person_service_and_day(hall: BookingHall) -> None:
    first = hall.book(start="09:00", phone="0812-3456-7890")
    assert first.status_code == 201
    again = hall.book(start="10:00", phone="+62 812 3456 7890")  # the same number written anew
    assert again.status_code == 409 and again.json["error"] == "already_booked"
    assert hall.book(day="2026-11-26", start="10:00", phone="081234567890").status_code == 201
    # after a cancellation the person may book again
    assert hall.client.post(f"/api/bookings/{first.json['token']}/cancel").status_code == 200
    assert hall.book(start="10:00", phone="081234567890").status_code == 201
    # the NIK identifies a person across phone numbers
    nik = "3578012345670001"
    assert hall.book(service="B", start="13:00", nik=nik, phone="081111111111").status_code \
        == 201
    dup = hall.book(service="B", start="14:00", nik="3578 0123 4567 0001",
                    phone="082222222222")
    assert dup.status_code == 409 and dup.json["error"] == "already_booked"


def test_nik_is_required_where_the_session_says_and_kept_only_hashed(hall: BookingHall) -> None:
    missing = hall.book(service="B", start="13:00")
    assert missing.status_code == 400 and missing.json["error"] == "bad_nik"
    assert hall.book(service="B", start="13:00", nik="12345").json["error"] == "bad_nik"
    ok = hall.book(service="B", start="13:00", nik="3578012345670001")
    assert ok.status_code == 201
    with hall.hub.db.read() as s:
        row = s.scalars(select(Booking)).one()
        assert row.nik_last4 == "0001"
        assert row.nik_hash and "3578012345670001" not in row.nik_hash and len(row.nik_hash) == 64
    key = (hall.hub.config.base_dir / "booking_nik_key")
    assert key.exists() and len(key.read_text().strip()) >= 32
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert hall.client.get(f"/api/bookings/{ok.json['token']}").json["nik_last4"] == "0001"


def test_outreach_asks_for_an_address_and_a_contact(hall: BookingHall) -> None:
    refused = hall.book(service="C", start="09:00")
    assert refused.status_code == 400
    ok = hall.book(service="C", start="09:00", address="Jl. Mawar 5, RT 2/RW 3",
                   contact="Bu Sri 0812 1111 2222")
    assert ok.status_code == 201 and ok.json["outreach"] is True


def test_unknown_service_and_bad_bodies(hall: BookingHall) -> None:
    assert hall.book(service="Z").json["error"] == "unknown_service"
    assert hall.book(service="Z").status_code == 404
    for body in ({"service": "A"}, {"service": "A", "date": DAY, "start": 9},
                 {"service": "A", "date": DAY, "start": "09:00", "extra": 1}, []):
        answer = hall.client.post("/api/bookings", json=body)
        assert answer.status_code == 400 and answer.json["error"] == "bad_request", body
    assert hall.book(phone="12345").json["error"] == "bad_phone"
    assert hall.client.post("/api/bookings", data="service=A").status_code == 400
    assert _count(hall, Booking) == 0


def test_the_calendar_blocks_booking_with_its_reason(hall: BookingHall) -> None:
    from loket.server.admin.calendar_api import add_entry

    add_entry(hall.hub, "test", {"date": "2026-11-26", "reason": "Cuti bersama"})
    add_entry(hall.hub, "test", {"rule": "wed 11:30-13:00", "reason": "Istirahat",
                                 "services": ["A"]})
    closed = hall.book(day="2026-11-26", start="09:00")
    assert closed.status_code == 409 and closed.json["error"] == "closed"
    assert "Cuti bersama" in closed.json["message"]
    on_break = hall.book(start="11:30")
    assert on_break.json["error"] == "closed" and "Istirahat" in on_break.json["message"]
    assert _available(hall, "11:30") == 0 and _available(hall, "11:00") == 2
    assert _available(hall, "09:00", "2026-11-26") == 0


def test_a_closure_outside_the_opening_hours_of_the_service(tmp_path: Path) -> None:
    from tests.support.hall import SMALL_HALL

    text = SMALL_HALL.replace('quota = 50', 'quota = 50\nopening_hours = ["mon-fri 09:00-15:00"]')
    hall = make_booking_hall(tmp_path, text=text)
    refused = hall.book(start="08:30")
    assert refused.status_code == 409 and refused.json["error"] == "closed"
    assert hall.book(start="09:00").status_code == 201


def test_a_token_books_with_the_same_rules(hall: BookingHall) -> None:
    headers = _token(hall, "device")
    ok = hall.client.post("/api/bookings", json={"service": "A", "date": DAY,
                                                  "start": "09:00"}, headers=headers)
    assert ok.status_code == 201
    hall.book(start="09:00")
    full = hall.client.post("/api/bookings", json={"service": "A", "date": DAY,
                                                    "start": "09:00"}, headers=headers)
    assert full.status_code == 409 and full.json["error"] == "slot_full"
    with hall.hub.db.read() as s:
        assert sorted(s.scalars(select(Booking.source))) == ["api", "web"]
    # an integration token with the act scope may book; a read-only one may not
    act = {"Authorization": "Bearer " + create_token(hall.hub.db, "app", "integration-act")}
    assert hall.client.post("/api/bookings", json={"service": "A", "date": DAY,
                                                   "start": "10:00"}, headers=act
                            ).status_code == 201
    read = {"Authorization": "Bearer " + create_token(hall.hub.db, "ro", "integration")}
    assert hall.client.post("/api/bookings", json={"service": "A", "date": DAY,
                                                   "start": "10:00"}, headers=read
                            ).status_code == 403


# ------------------------------------------------------------------ the holder's link
def test_cancel_by_the_link(hall: BookingHall) -> None:
    token = hall.book(start="09:00").json["token"]
    done = hall.client.post(f"/api/bookings/{token}/cancel")
    assert done.status_code == 200 and done.json["status"] == "cancelled"
    assert hall.client.post(f"/api/bookings/{token}/cancel").json["status"] == "cancelled"
    assert _available(hall, "09:00") == 2
    assert hall.client.post("/api/bookings/" + "x" * 32 + "/cancel").status_code == 404
    assert hall.client.get("/api/bookings/" + "x" * 32).status_code == 404
    assert hall.client.get("/api/bookings/" + "x" * 80).status_code == 404


# ------------------------------------------------------------------ check-in
def test_check_in_window_and_answers(hall: BookingHall) -> None:
    booked = hall.book(start="09:00").json
    kiosk = hall.app.test_client()
    pair(hall.app, kiosk, "lobi")

    def checkin(code: str) -> Any:
        return kiosk.post("/api/bookings/checkin", json={"code": code})

    hall.at(DAY, "08:29")
    early = checkin(booked["code"])
    assert early.status_code == 409 and early.json["error"] == "too_early"
    assert "08.30" in early.json["message"]
    hall.at(DAY, "08:30")
    done = checkin(booked["code"].lower().replace("-", " "))
    assert done.status_code == 201, done.json
    body = done.json
    assert body["booked"] is True and body["ticket"] == "A-001"
    for key in ("ticket", "service", "service_name", "priority", "position", "ahead",
                "estimated_wait_s", "issued_at", "status_token", "status_url"):
        assert key in body
    again = checkin(booked["code"])
    assert again.status_code == 409 and again.json["error"] == "already_checked_in"
    view = hall.client.get(f"/api/bookings/{booked['token']}").json
    assert view["status"] == "checked_in" and view["ticket"] == "A-001"
    assert view["status_url"] == body["status_url"]
    assert hall.client.get(f"/api/tickets/status/{body['status_token']}").status_code == 200
    with hall.hub.db.read() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.booked and ticket.kiosk == "lobi"
        assert ticket.slot_ts == hall.hub.local(0).replace(
            year=2026, month=11, day=25, hour=9, minute=0).timestamp()
        assert ticket.queued_ts == ticket.slot_ts  # slot_time: as if issued at 09:00


def test_too_late_and_the_grace_end(hall: BookingHall) -> None:
    code = hall.book(start="09:00").json["code"]
    token_too = hall.book(start="10:00").json
    headers = _token(hall)
    hall.at(DAY, "09:15")
    hall.clock.advance(seconds=1)
    late = hall.client.post("/api/bookings/checkin", json={"code": code}, headers=headers)
    assert late.status_code == 409 and late.json["error"] == "too_late"
    assert _count(hall, Ticket) == 0
    hall.at(DAY, "10:15")
    ok = hall.client.post("/api/bookings/checkin", json={
        "code": f"https://antrean.example.go.id/b/{token_too['token']}"}, headers=headers)
    assert ok.status_code == 201  # the last second of the window, by a scanned link


def test_cancelled_and_unknown_codes(hall: BookingHall) -> None:
    booked = hall.book(start="09:00").json
    hall.client.post(f"/api/bookings/{booked['token']}/cancel")
    headers = _token(hall)
    hall.at(DAY, "08:45")
    refused = hall.client.post("/api/bookings/checkin", json={"code": booked["code"]},
                               headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "cancelled"
    for code in ("ZZZ-ZZZ", "nonsense", "https://x/b/" + "A" * 30):
        missing = hall.client.post("/api/bookings/checkin", json={"code": code},
                                   headers=headers)
        assert missing.status_code == 404 and missing.json["error"] == "not_found", code
    assert _count(hall, Ticket) == 0


def test_only_kiosks_and_staff_check_in(hall: BookingHall) -> None:
    """The public cannot try codes: no enumeration."""
    code = hall.book(start="09:00").json["code"]
    hall.at(DAY, "08:45")
    anonymous = hall.client.post("/api/bookings/checkin", json={"code": code})
    assert anonymous.status_code == 401 and anonymous.json["error"] == "kiosk_not_paired"
    announcer = hall.client.post("/api/bookings/checkin", json={"code": code},
                                 headers=_token(hall, "announcer"))
    assert announcer.status_code == 403
    officer = hall.app.test_client()
    csrf = login(officer, hall.hub, "siti", "officer", ["1"])
    no_csrf = officer.post("/api/bookings/checkin", json={"code": code})
    assert no_csrf.status_code == 400 and no_csrf.json["error"] == "csrf"
    done = officer.post("/api/bookings/checkin", json={"code": code},
                        headers={"X-CSRFToken": csrf})
    assert done.status_code == 201 and done.json["booked"] is True
    assert done.json["booking"]["source"] == "officer"


def test_a_paired_kiosk_cannot_name_another(hall: BookingHall) -> None:
    code = hall.book(start="09:00").json["code"]
    kiosk = hall.app.test_client()
    pair(hall.app, kiosk, "lobi")
    hall.at(DAY, "08:45")
    refused = kiosk.post("/api/bookings/checkin", json={"code": code, "kiosk": "other"})
    assert refused.status_code == 403 and refused.json["error"] == "kiosk_mismatch"


def test_a_refused_ticket_leaves_the_booking_booked(hall: BookingHall) -> None:
    """Check-in and ticket are one transaction: a paused service refuses both."""
    booked = hall.book(start="09:00").json
    hall.hub.set_setting("paused_services", ["A"], "test")
    hall.at(DAY, "08:45")
    refused = hall.client.post("/api/bookings/checkin", json={"code": booked["code"]},
                               headers=_token(hall))
    assert refused.status_code == 409 and refused.json["error"] == "paused"
    assert _count(hall, Ticket) == 0
    assert hall.client.get(f"/api/bookings/{booked['token']}").json["status"] == "booked"


# ------------------------------------------------------------------ rate limits
def test_rate_limits_per_address_and_per_phone(tmp_path: Path) -> None:
    limited = make_booking_hall(tmp_path, NOTIFY, rate_limit="2 per minute",
                                phone_rate_limit="1 per day")
    ok = [limited.book(start=s).status_code for s in ("08:00", "08:30")]
    assert ok == [201, 201]
    refused = limited.book(start="09:00")
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited"
    # another address is not limited by the first one's bookings
    other = limited.app.test_client()
    answer = other.post("/api/bookings", json={"service": "A", "date": DAY, "start": "09:00"},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert answer.status_code == 201
    # one phone number across addresses: its own limit (1 per day here)
    first = other.post("/api/bookings", json={"service": "A", "date": "2026-11-26",
                                              "start": "09:00", "phone": "081234567890"},
                       environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert first.status_code == 201
    second = other.post("/api/bookings", json={"service": "A", "date": "2026-11-27",
                                               "start": "09:00", "phone": "+6281234567890"},
                        environ_base={"REMOTE_ADDR": "10.0.0.11"})
    assert second.status_code == 429 and second.json["error"] == "rate_limited"
    # tokens are not limited per address
    headers = _token(limited)
    assert limited.client.post("/api/bookings", json={"service": "A", "date": DAY,
                                                      "start": "10:00"},
                               headers=headers).status_code == 201
    assert _count(limited, Booking) == 5
