"""A booking's life on a fake clock: its notices, the ticket of its check-in in the state and
the display events, expiry of no-shows, the purge of personal data after the retention
period, a calendar closure cancelling bookings, webhook events, the supervisor's and the
admin's endpoints and ``loket booking purge``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from loket.server.admin.calendar_api import add_entry
from loket.server.auth import create_token
from loket.server.booking import checkin, housekeeping, reports, store, supervision
from loket.server.booking.models import Booking
from loket.server.events import Event
from loket.server.integrations import delivery, subscriptions
from tests.support.booking import NOTIFY, BookingHall, make_booking_hall, outbox
from tests.support.hall import ROOT
from tests.support.login import login
from tests.support.services import pg_server, pg_url  # noqa: F401  (fixtures)

DAY = "2026-11-25"


@pytest.fixture
def hall(tmp_path: Path) -> BookingHall:
    return make_booking_hall(tmp_path, NOTIFY)


def _device(hall: BookingHall) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(hall.hub.db, 'dev', 'device')}"}


def _row(hall: BookingHall, code: str) -> Booking:
    with hall.hub.db.read() as s:
        row = s.scalars(select(Booking).where(Booking.code == code.replace("-", ""))).one()
        s.expunge(row)
        return row


def test_notices_of_a_booking(hall: BookingHall) -> None:
    booked = hall.book(day="2026-11-26", start="09:00", phone="0812-3456-7890").json
    rows = outbox(hall.hub)
    assert [r["kind"] for r in rows] == ["booking_confirmed", "booking_reminder_day",
                                         "booking_reminder_hour"]
    assert {r["address"] for r in rows} == {"+6281234567890"}
    assert rows[0]["params"]["code"] == booked["code"]
    assert rows[0]["params"]["booking_url"] == \
        f"https://antrean.example.go.id/b/{booked['token']}"
    slot = _row(hall, booked["code"]).slot_ts
    assert rows[1]["send_at"] == slot - 86400 and rows[2]["send_at"] == slot - 3600
    # checking in drops the reminders and opts the ticket in to its own notices
    hall.at("2026-11-26", "08:40")
    done = hall.client.post("/api/bookings/checkin", json={"code": booked["code"]},
                            headers=_device(hall))
    assert done.status_code == 201
    states = {r["kind"]: r["state"] for r in outbox(hall.hub)}
    assert states["booking_reminder_hour"] != "queued"
    assert states["booking_reminder_day"] != "queued"
    assert states["issued"] == "queued"


def test_no_phone_no_notice(hall: BookingHall) -> None:
    hall.book(start="09:00")
    assert outbox(hall.hub) == []


def test_checked_in_ticket_is_booked_in_state_and_events(hall: BookingHall) -> None:
    seen: list[Event] = []
    hall.hub.events.subscribe(seen.append)
    code = hall.book(start="09:00").json["code"]
    hall.client.post("/api/tickets", json={"service": "A"})
    hall.at(DAY, "08:45")
    done = hall.client.post("/api/bookings/checkin", json={"code": code},
                            headers=_device(hall))
    assert done.status_code == 201 and done.json["ticket"] == "A-002"
    tickets = [e.data for e in seen if e.kind == "ticket"]
    assert [(t["ticket"], t["booked"]) for t in tickets] == [("A-001", False), ("A-002", True)]
    assert [e.data["change"] for e in seen if e.kind == "booking"] == ["created", "checked_in"]
    # the booked ticket is called after the walk-in who came first (slot_time: queued at
    # 09:00, the walk-in at 07:00) and carries the flag in the call, the state and the
    # display's events
    assert hall.hub.counter_action("1", "next")["booked"] is False
    called = hall.hub.counter_action("1", "next")
    assert called["ticket"] == "A-002" and called["booked"] is True
    state = hall.client.get("/api/state").json
    counter = next(c for c in state["counters"] if c["counter"] == "1")
    assert counter["ticket"] == "A-002" and counter["booked"] is True
    calls = {c["ticket"]: c.get("booked") for c in state["calls"]}
    assert calls == {"A-001": False, "A-002": True}
    call_events = [e.data for e in seen if e.kind == "call"]
    assert [(c["ticket"], c["booked"]) for c in call_events] == [("A-001", False),
                                                                ("A-002", True)]


def test_expiry_of_no_shows(hall: BookingHall) -> None:
    early = hall.book(start="08:00").json
    later = hall.book(start="09:00").json
    outreach = hall.book(service="C", start="09:00", address="Jl. Melati 1",
                         contact="Pak Budi").json
    hall.at(DAY, "08:15")
    assert housekeeping.expire_due(hall.hub) == 0  # the last second of the window
    hall.clock.advance(seconds=1)
    assert hall.client.get(f"/api/bookings/{early['token']}").json["status"] == "expired"
    assert housekeeping.expire_due(hall.hub) == 1
    assert _row(hall, early["code"]).status == "expired"
    assert _row(hall, later["code"]).status == "booked"
    hall.at(DAY, "12:00")
    assert housekeeping.expire_due(hall.hub) == 1
    assert _row(hall, outreach["code"]).status == "booked"  # served where the citizen is
    late = hall.client.post("/api/bookings/checkin", json={"code": later["code"]},
                            headers=_device(hall))
    assert late.status_code == 409 and late.json["error"] == "too_late"
    cancel = hall.client.post(f"/api/bookings/{later['token']}/cancel")
    assert cancel.status_code == 409 and cancel.json["error"] == "too_late"
    summary = supervision.day_summary(hall.hub, DAY)
    a = next(s for s in summary["services"] if s["service"] == "A")
    assert (a["no_show"], a["booked"], a["total"]) == (2, 0, 2)


def test_retention_purge_deletes_personal_data(hall: BookingHall) -> None:
    b1 = hall.book(service="B", start="13:00", nik="3578012345670001",
                   phone="081234567890").json
    c1 = hall.book(service="C", start="10:00", address="Jl. Kenanga 7", contact="Bu Ani").json
    b2 = hall.book(service="B", day="2026-11-26", start="13:00", nik="3578012345670002",
                   phone="081234567891").json
    assert housekeeping.purge(hall.hub) == 0
    hall.at("2026-12-01", "23:59")  # six days after 25 November
    assert housekeeping.purge(hall.hub) == 0
    hall.at("2026-12-02", "00:00")  # seven days after
    assert housekeeping.purge(hall.hub) == 2
    for code in (b1["code"], c1["code"]):
        row = _row(hall, code)
        assert (row.phone, row.nik_hash, row.nik_last4, row.address, row.contact) == (
            None, None, None, None, None)
        assert row.purged_ts is not None and row.service in ("B", "C")
    kept = _row(hall, b2["code"])
    assert kept.phone == "+6281234567891" and kept.nik_last4 == "0002"
    assert housekeeping.purge(hall.hub) == 0


def test_loket_booking_purge_command(tmp_path: Path) -> None:
    hall = make_booking_hall(tmp_path)
    code = hall.book(start="09:00", phone="081234567890").json["code"]
    with hall.hub.db.session() as s:  # as if booked long ago
        s.execute(Booking.__table__.update().values(day="2020-01-01"))
    hall.hub.db.dispose()
    out = subprocess.run([sys.executable, "-m", "loket", "booking", "purge", "--config",
                          str(tmp_path / "loket.toml")], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "1 booking" in out
    assert _row(hall, code).phone is None


def test_a_closure_added_later_cancels_bookings_and_notifies(hall: BookingHall) -> None:
    tomorrow = hall.book(day="2026-11-26", start="09:00", phone="081234567890").json
    other = hall.book(day="2026-11-26", service="B", start="13:00",
                      nik="3578012345670001").json
    friday = hall.book(day="2026-11-27", start="09:00").json
    add_entry(hall.hub, "admin", {"date": "2026-11-26", "reason": "Cuti bersama",
                                  "services": ["A"]})
    assert _row(hall, tomorrow["code"]).status == "cancelled"
    assert "Cuti bersama" in (_row(hall, tomorrow["code"]).cancel_reason or "")
    assert _row(hall, other["code"]).status == "booked"  # B stays open
    assert _row(hall, friday["code"]).status == "booked"
    rows = {r["kind"]: r for r in outbox(hall.hub)}
    assert rows["booking_cancelled"]["state"] == "queued"
    assert "Cuti bersama" in rows["booking_cancelled"]["params"]["reason"]
    assert rows["booking_reminder_hour"]["state"] != "queued"
    view = hall.client.get(f"/api/bookings/{tomorrow['token']}").json
    assert view["status"] == "cancelled" and "Cuti bersama" in view["cancel_reason"]
    # the same closure heard again (another process, the watcher) changes nothing
    hall.hub.hall_changed()
    assert [r["kind"] for r in outbox(hall.hub)].count("booking_cancelled") == 1


def test_webhook_events_of_bookings(hall: BookingHall) -> None:
    with hall.hub.db.session() as s:
        subscriptions.create(s, name="agency", url="http://127.0.0.1:9/hook",
                             events=["booking.created", "booking.checked_in",
                                     "booking.cancelled", "booking.expired"], secret=None,
                             allow_personal_data=False, timeout_s=5, now=hall.clock())
    one = hall.book(start="09:00", phone="081234567890").json
    two = hall.book(start="08:00").json
    three = hall.book(start="10:00").json
    hall.client.post(f"/api/bookings/{three['token']}/cancel")
    hall.at(DAY, "08:40")
    hall.client.post("/api/bookings/checkin", json={"code": one["code"]},
                     headers=_device(hall))
    housekeeping.expire_due(hall.hub)
    hooks = [r for r in outbox(hall.hub) if r["stream"].startswith("w")]
    kinds = [r["params"]["type"] for r in hooks]
    assert sorted(kinds) == sorted(["booking.created"] * 3 + [
        "booking.cancelled", "booking.checked_in", "booking.expired"])
    body = delivery.payload(hall.hub.config, hooks[0]["key"], hooks[0]["params"], False)
    assert body["type"] == "booking.created"
    assert body["data"]["service_name"] == "KTP-el"
    assert body["data"]["code"] == one["code"].replace("-", "")
    text = json.dumps([r["params"] for r in hooks])
    assert "6281234567890" not in text and "nik" not in text
    del two


def test_supervisor_lists_and_outreach_team(hall: BookingHall) -> None:
    hall.book(start="09:00")
    outreach = hall.book(service="C", start="09:00", address="Jl. Mawar 5",
                         contact="Bu Sri").json
    sup = hall.app.test_client()
    csrf = login(sup, hall.hub)
    day = sup.get(f"/api/supervisor/bookings?date={DAY}").json
    assert {s["service"]: s["booked"] for s in day["services"]} == {"A": 1, "C": 1}
    assert "phone" not in json.dumps(day) and "Mawar" not in json.dumps(day)
    listed = sup.get(f"/api/supervisor/outreach?from={DAY}&to={DAY}").json["bookings"]
    assert [(b["code"], b["address"], b["team"]) for b in listed] == [
        (outreach["code"], "Jl. Mawar 5", None)]
    assert sup.post(f"/api/supervisor/outreach/{listed[0]['id']}/team",
                    json={"team": "Tim 1"}).status_code == 400  # no CSRF header
    done = sup.post(f"/api/supervisor/outreach/{listed[0]['id']}/team", json={"team": "Tim 1"},
                    headers={"X-CSRFToken": csrf})
    assert done.status_code == 200 and done.json["team"] == "Tim 1"
    assert sup.get("/api/supervisor/outreach").json["bookings"][0]["team"] == "Tim 1"
    assert hall.client.get("/api/supervisor/outreach").status_code == 401
    officer = hall.app.test_client()
    login(officer, hall.hub, "siti", "officer", ["1"])
    assert officer.get("/api/supervisor/bookings").status_code == 403


def test_booked_and_walk_in_counts_for_reports(hall: BookingHall) -> None:
    code = hall.book(start="09:00").json["code"]
    hall.client.post("/api/tickets", json={"service": "A"})
    hall.client.post("/api/tickets", json={"service": "B"})
    hall.at(DAY, "08:45")
    hall.client.post("/api/bookings/checkin", json={"code": code}, headers=_device(hall))
    assert reports.booked_walk_in(hall.hub, DAY, DAY) == {
        DAY: {"A": {"booked": 1, "walk_in": 1}, "B": {"booked": 0, "walk_in": 1}}}
    assert reports.outcomes(hall.hub, DAY, DAY)[DAY]["A"]["checked_in"] == 1
    sup = hall.app.test_client()
    login(sup, hall.hub)
    answer = sup.get(f"/api/supervisor/bookings/report?from={DAY}&to={DAY}").json
    assert answer["tickets"][DAY]["A"] == {"booked": 1, "walk_in": 1}


def test_admin_edits_sessions_live(hall: BookingHall) -> None:
    admin = hall.app.test_client()
    csrf = login(admin, hall.hub, "adm", "admin")
    got = admin.get("/api/admin/booking/sessions").json
    assert [s["service"] for s in got["sessions"]] == ["A", "B", "C"]
    sessions = [dict(got["sessions"][0], capacity=4, start="08:00", end="09:00")]
    bad = admin.put("/api/admin/booking/sessions", json={"sessions": [dict(
        sessions[0], service="Z")]}, headers={"X-CSRFToken": csrf})
    assert bad.status_code == 400 and bad.json["error"] == "invalid"
    assert bad.json["field"] == "service" and "booking.sessions[0].service" in \
        bad.json["message"]
    assert admin.put("/api/admin/booking/sessions", json={"sessions": sessions}
                     ).status_code == 400  # CSRF
    done = admin.put("/api/admin/booking/sessions", json={"sessions": sessions},
                     headers={"X-CSRFToken": csrf})
    assert done.status_code == 200, done.json
    slots = hall.client.get(f"/api/booking/slots?service=A&date={DAY}").json["slots"]
    assert [(s["start"], s["capacity"]) for s in slots] == [("08:00", 4), ("08:30", 4)]
    assert hall.book(service="B", start="13:00", nik="3578012345670001").json["error"] == \
        "not_bookable"
    # the change survives a restart (it is in the hall's document)
    hall.hub.hall.reload(force=True)
    assert len(hall.hub.config.booking.sessions) == 1
    sup = hall.app.test_client()
    sup_csrf = login(sup, hall.hub, "sup2", "supervisor")
    assert sup.put("/api/admin/booking/sessions", json={"sessions": []},
                   headers={"X-CSRFToken": sup_csrf}).status_code == 403


def test_config_errors_name_the_key(write_config: Any) -> None:
    from loket.server.config import ConfigError, load_config

    for extra, key in (
        ('[[booking.sessions]]\nservice = "Z"\nstart = "08:00"\nend = "09:00"\n',
         "booking.sessions[0].service"),
        ('[[booking.sessions]]\nservice = "A"\nstart = "08:00"\nend = "08:10"\n',
         "booking.sessions[0]"),
        ('[[booking.sessions]]\nservice = "A"\nstart = "08:00"\nend = "10:00"\n'
         '[[booking.sessions]]\nservice = "A"\ndays = "wed"\nstart = "09:00"\nend = "11:00"\n',
         "booking.sessions[1]"),
        ('[booking]\nrate_limit = "lots"\n', "booking.rate_limit"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_config(write_config(extra=extra))
        assert caught.value.key == key, (extra, caught.value)
        assert "loket.toml" in str(caught.value)


@pytest.mark.services
def test_a_booking_day_on_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    """The same life on PostgreSQL: its queries, the webhook triggers of 0013."""
    hall = make_booking_hall(tmp_path, NOTIFY, url=pg_url)
    with hall.hub.db.session() as s:
        subscriptions.create(s, name="agency", url="http://127.0.0.1:9/hook", events=["*"],
                             secret=None, allow_personal_data=False, timeout_s=5,
                             now=hall.clock())
    one = hall.book(start="09:00", phone="081234567890").json
    two = hall.book(start="08:00").json
    three = hall.book(service="B", start="13:00", nik="3578012345670001").json
    assert hall.book(service="B", start="14:00", nik="3578012345670001").json["error"] == \
        "already_booked"
    hall.book(start="09:00")
    assert hall.book(start="09:00").json["error"] == "slot_full"
    assert hall.client.post(f"/api/bookings/{three['token']}/cancel").status_code == 200
    hall.at(DAY, "08:40")
    done = hall.client.post("/api/bookings/checkin", json={"code": one["code"]},
                            headers=_device(hall))
    assert done.status_code == 201 and done.json["booked"] is True
    assert housekeeping.expire_due(hall.hub) == 1  # 08:00 + 15 min has passed
    kinds = sorted(r["params"]["type"] for r in outbox(hall.hub)
                   if r["stream"].startswith("w") and r["params"]["type"].startswith("b"))
    assert kinds == sorted(["booking.created"] * 4 + ["booking.cancelled",
                                                      "booking.checked_in", "booking.expired"])
    hall.at("2026-12-02", "00:00")
    assert housekeeping.purge(hall.hub) == 4
    assert _row(hall, one["code"]).phone is None
    del two
    hall.hub.db.dispose()


@pytest.mark.services
def test_two_hub_processes_never_overbook_nor_check_in_twice(
        tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    """Two hubs on one PostgreSQL database (as two processes), eight citizens at once for a
    slot of two places, then four kiosks checking in one code at once."""
    import threading

    from loket.server.db import Database
    from loket.server.errors import HubError
    from loket.server.hub import Hub

    first = make_booking_hall(tmp_path, url=pg_url)
    other_db = Database(pg_url)
    second = Hub(first.hub.config, other_db, clock=first.clock)
    second.start()
    hubs = [first.hub, second]
    results: list[str] = []
    barrier = threading.Barrier(8)

    def book(i: int) -> None:
        barrier.wait()
        try:
            store.create(hubs[i % 2], service="A", day=DAY, start="09:00")
            results.append("ok")
        except HubError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok"] + ["slot_full"] * 6
    with first.hub.db.read() as s:
        code = s.scalars(select(Booking.code)).first()
    assert code is not None
    first.at(DAY, "08:45")
    checked: list[str] = []
    gate = threading.Barrier(4)

    def check_in(i: int) -> None:
        gate.wait()
        try:
            checked.append(checkin.check_in(hubs[i % 2], code)["ticket"])
        except HubError as exc:
            checked.append(exc.code)

    threads = [threading.Thread(target=check_in, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(checked) == ["A-001"] + ["already_checked_in"] * 3
    other_db.dispose()
    first.hub.db.dispose()


def test_the_hubs_housekeeping_expires_and_purges(hall: BookingHall,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One round of the hub's periodic job (started by ``loket serve``, not by tests)."""
    from loket.server import booking
    from loket.server.extensions import socketio

    old = hall.book(start="08:00", phone="081234567890").json
    hall.at("2026-12-02", "08:00")

    class Stop(Exception):
        pass

    def stop(seconds: float) -> None:
        assert seconds == booking.EXPIRE_EVERY_S
        raise Stop

    monkeypatch.setattr(socketio, "sleep", stop)
    with pytest.raises(Stop):
        booking._housekeeping(hall.hub)
    row = _row(hall, old["code"])
    assert row.status == "expired" and row.phone is None and row.purged_ts is not None
