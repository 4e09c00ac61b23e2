"""What a person sees of online booking that does not need a browser: the calendar file
(RFC 5545), the reports' booked vs walk-in columns, the pages' headers and their refusal of
tokens that cannot be bookings."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import icalendar
import openpyxl
import pytest
from sqlalchemy import update

from loket.server.booking.ics import BookingEvent, booking_ics
from loket.server.booking.pages import long_date
from loket.server.kiosk import devices
from loket.server.kiosk.qr import qr_svg
from loket.server.models import Ticket
from loket.server.supervisor import exports, reports
from tests.support.booking_web import TZ, WebHall
from tests.support.kiosk import pair
from tests.test_reports import ONE_DAY, by_key, fill_sample


def event(**changes: Any) -> BookingEvent:
    fields: dict[str, Any] = dict(
        token="Zq3_token-abcdefghijkl", day=date(2026, 12, 1), start=time(8, 30),
        end=time(9, 0), timezone="Asia/Jakarta",
        summary="Reservasi KTP-el; Dukcapil, loket A (K7M-Q4P)",
        description="Kode reservasi: K7M-Q4P.\nLapor hadir di anjungan MPP Uji, dengan kode "
        "QR atau kode ini; tautan: https://antrean.example.go.id/b/Zq3_token-abcdefghijkl",
        location="MPP Uji", url="https://antrean.example.go.id/b/Zq3_token-abcdefghijkl",
        stamp=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    fields.update(changes)
    return BookingEvent(**fields)


def test_ics_is_rfc5545_with_crlf_folding_and_escaping() -> None:
    data = booking_ics(event())
    text = data.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends with CRLF, none bare
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line  # folded at 75 octets
    assert "VERSION:2.0\r\n" in text and "PRODID:" in text
    # Commas, semicolons and newlines in texts are escaped (RFC 5545 3.3.11).
    assert "SUMMARY:Reservasi KTP-el\\; Dukcapil\\, loket A (K7M-Q4P)" in text
    unfolded = text.replace("\r\n ", "")
    assert "Kode reservasi: K7M-Q4P.\\nLapor hadir" in unfolded
    # The slot in the hall's zone, with that zone described (and not as UTC).
    assert "DTSTART;TZID=Asia/Jakarta:20261201T083000" in text
    assert "DTEND;TZID=Asia/Jakarta:20261201T090000" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Jakarta" in text
    assert "TZOFFSETTO:+0700" in text
    assert "DTSTAMP:20261130T090000Z" in text
    assert "UID:booking-Zq3_token-abcdefghijkl@loket" in text
    assert "STATUS:CONFIRMED" in text and "TRIGGER:-PT1H" in text

    cal = icalendar.Calendar.from_ical(data)
    [vevent] = cal.walk("VEVENT")
    assert vevent["summary"] == "Reservasi KTP-el; Dukcapil, loket A (K7M-Q4P)"
    start = vevent.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 7 * 3600
    assert (start.hour, start.minute) == (8, 30)
    assert vevent.decoded("dtend") - start == (datetime(1, 1, 1, 9) - datetime(1, 1, 1, 8, 30))


def test_ics_of_a_cancelled_booking_and_of_another_zone() -> None:
    text = booking_ics(event(cancelled=True, timezone="Asia/Jayapura")).decode()
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text
    assert "BEGIN:VALARM" not in text
    assert "DTSTART;TZID=Asia/Jayapura:20261201T083000" in text
    assert "TZOFFSETTO:+0900" in text


def test_long_dates_in_both_languages() -> None:
    assert long_date(date(2026, 12, 1), "id") == "Selasa, 1 Desember 2026"
    assert long_date(date(2026, 12, 6), "en") == "Sunday, 6 December 2026"


def test_reports_count_booked_and_walk_in_tickets(hub: Any) -> None:
    fill_sample(hub)
    with hub.db.session() as s:
        s.execute(update(Ticket).where(Ticket.label.in_(("A-001", "A-003", "B-005")),
                                       Ticket.day == "2026-11-02").values(booked=True))
    report = reports.build_report(hub, ONE_DAY, "service")
    rows = by_key(report)
    assert (rows["A"]["booked"], rows["A"]["walk_in"]) == (2, 2)
    assert (rows["B"]["booked"], rows["B"]["walk_in"]) == (1, 1)
    assert (rows["C"]["booked"], rows["C"]["walk_in"]) == (0, 1)
    assert (report["total"]["booked"], report["total"]["walk_in"]) == (3, 4)
    counters = by_key(reports.build_report(hub, ONE_DAY, "counter"))
    assert counters["1"]["booked"] == 1 and counters["5"]["booked"] == 1

    csv_rows = list(csv.reader(io.StringIO(exports.to_csv(report, "en"))))
    at = csv_rows[0].index("Booked")
    assert csv_rows[0][at:at + 2] == ["Booked", "Walk-in"]
    assert csv_rows[0][at - 1] == "Respondents" and csv_rows[0][at + 2].startswith("U1 ")
    assert csv_rows[1][0] == "A · KTP-el" and csv_rows[1][at:at + 2] == ["2", "2"]
    assert csv_rows[-1][at:at + 2] == ["3", "4"]
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(report, "id", [])))["Laporan"]
    header = [c.value for c in sheet[4]]
    assert header[at:at + 2] == ["Reservasi", "Datang langsung"]
    assert [c.value for c in sheet[5]][at:at + 2] == [2, 2]


def test_booking_pages_refuse_what_cannot_be_a_booking(client: Any) -> None:
    for path in ("/b/short", "/b/../../etc", "/b/" + "x" * 80, "/b/abc%3Cscript%3Edefghijklmnop",
                 "/b/unknown-token-0123456789/qr.svg", "/b/unknown-token-0123456789/reservasi.ics"):
        assert client.get(path).status_code == 404, path


def test_booking_page_without_bookable_services(client: Any) -> None:
    page = client.get("/booking")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    html = page.get_data(as_text=True)
    assert "Reservasi Antrean" in html and '"agencies": []' in html
    assert 'src="http' not in html and 'href="http' not in html  # nothing from elsewhere
    english = client.get("/booking?lang=en").get_data(as_text=True)
    assert "Book a queue time" in english


# --------------------------------------------------------------------------- with bookings
@pytest.fixture
def hall(tmp_path: Any) -> Iterator[WebHall]:
    booking_hall = WebHall(tmp_path)
    yield booking_hall
    booking_hall.close()


def book(hall: WebHall, start: str = "09:00", service: str = "A",
         **extra: Any) -> dict[str, Any]:
    answer = hall.client.post("/api/bookings", json=dict(
        service=service, date="2026-12-01", start=start, **extra))
    assert answer.status_code == 201, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def test_booking_form_lists_bookable_services_days_and_the_privacy_notice(
        hall: WebHall) -> None:
    page = hall.client.get("/booking")
    html = page.get_data(as_text=True)
    settings = json.loads(re.search(
        r'<script type="application/json" id="booking-settings">(.*?)</script>', html,
        re.S).group(1))  # type: ignore[union-attr]
    agencies = {a["name"]: a["services"] for a in settings["agencies"]}
    assert [s["prefix"] for s in agencies["Dukcapil"]] == ["A", "B"]
    assert agencies["Dukcapil"][1]["outreach"] is True
    assert agencies["Imigrasi"] == [{"prefix": "C", "name": "Paspor", "nik": True,
                                     "outreach": False}]
    assert len(settings["days"]) == 8  # today and the 7 days ahead
    assert settings["days"][0] == {"date": "2026-12-01",
                                   "label": "hari ini, Selasa, 1 Desember 2026"}
    assert settings["days"][1]["label"].startswith("besok, Rabu")
    # The notice states what is kept and the retention days of [booking] retention_days.
    assert "dihapus 9 hari setelah tanggal reservasi" in html
    assert "hash berkunci" in html and "4 angka terakhir" in html
    assert 'name="csrf_token"' in html


def test_booking_page_shows_code_qr_calendar_and_cancel(hall: WebHall) -> None:
    made = book(hall, phone="081234567890")
    token, code = made["token"], made["code"]
    page = hall.client.get(f"/b/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert f'id="bk-code" aria-describedby="code-caption">{code}</p>' in html
    assert "Selasa, 1 Desember 2026" in html and "09:00–09:30" in html
    assert "Terpesan" in html and 'id="cancel-form"' in html and 'name="csrf_token"' in html
    assert "7890" not in html  # the phone number is not shown back
    assert f"/b/{token}/qr.svg" in html and f"/b/{token}/reservasi.ics" in html

    qr = hall.client.get(f"/b/{token}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.data.startswith(b"<svg")
    # It holds the booking's own address, on the hub's public base (never the Host header).
    assert qr.data == qr_svg(f"{devices.public_base(hall.hub)}/b/{token}")
    assert qr.headers["Cache-Control"] == "no-store"

    ics = hall.client.get(f"/b/{token}/reservasi.ics")
    assert ics.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics.headers["Content-Disposition"] == (
        f'attachment; filename="reservasi-{code.replace("-", "")}.ics"')
    [vevent] = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert vevent["summary"] == f"Reservasi KTP-el ({code})"
    assert vevent.decoded("dtstart") == datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    assert vevent.decoded("dtend") == datetime(2026, 12, 1, 9, 30, tzinfo=TZ)
    assert code in str(vevent["description"]) and f"/b/{token}" in str(vevent["url"])
    assert vevent["location"] == "MPP Uji"
    english = hall.client.get(f"/b/{token}/reservasi.ics?lang=en").data.decode()
    assert f"SUMMARY:Booking KTP-el ({code})" in english

    assert hall.client.post(f"/api/bookings/{token}/cancel").status_code == 200
    html = hall.client.get(f"/b/{token}?lang=id").get_data(as_text=True)
    assert "Dibatalkan" in html and 'id="cancel-form"' not in html and "/booking" in html
    assert '<p class="bk-reason" id="bk-reason">Dibatalkan oleh pemesan.</p>' in html
    assert b"METHOD:CANCEL" in hall.client.get(f"/b/{token}/reservasi.ics").data


def test_checked_in_booking_links_its_ticket(hall: WebHall) -> None:
    made = book(hall)
    hall.clock.set("2026-12-01 08:40")
    pair(hall.app, hall.client, "lobi")
    answer = hall.client.post("/api/bookings/checkin", json={"code": made["code"]})
    assert answer.status_code == 201 and answer.get_json()["booked"] is True
    ticket = answer.get_json()["ticket"]
    html = hall.client.get(f"/b/{made['token']}").get_data(as_text=True)
    assert "Sudah lapor hadir" in html and f'id="bk-ticket">{ticket}<' in html
    follow = re.search(r'id="bk-follow" href="(/t/[^"]+)"', html)
    assert follow is not None and 'id="cancel-form"' not in html
    status = hall.client.get(follow.group(1))
    assert status.status_code == 200 and ticket in status.get_data(as_text=True)


def test_kiosk_offers_the_booking_check_in(hall: WebHall, client: Any) -> None:
    html = hall.client.get("/kiosk").get_data(as_text=True)
    assert '"booking": true' in html and "Saya sudah reservasi" in html
    assert "kiosk-booking.js" in html and 'id="screen-booked"' in html
    # A hall without [[booking.sessions]] shows no such button.
    assert '"booking": false' in client.get("/kiosk").get_data(as_text=True)


def test_a_closure_cancels_the_booking_and_its_page_says_why_escaped(hall: WebHall) -> None:
    made = book(hall, start="10:00")
    admin = hall.token("admin", "adm")
    closed = hall.client.post("/api/admin/calendar", headers={"Authorization": f"Bearer {admin}"},
                              json={"date": "2026-12-01", "reason": "Banjir <b>lantai 1</b>"})
    assert closed.status_code == 201, closed.get_json()
    html = hall.client.get(f"/b/{made['token']}?lang=id").get_data(as_text=True)
    assert "Dibatalkan" in html and 'id="cancel-form"' not in html
    reason = re.search(r'id="bk-reason">([^<]*(?:&lt;[^<]*)*)</p>', html)
    assert reason is not None and "Banjir &lt;b&gt;lantai 1&lt;/b&gt;" in reason.group(1)
    assert "<b>lantai 1</b>" not in html
