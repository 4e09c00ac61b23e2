"""Report files: CSV and Excel (XLSX) with typed cells.

Numbers stay numbers (counts as integers, times in minutes as decimals), dates and times are
real date/datetime cells in the hall's time zone (Excel has no zone, so the zone is named in
the header rows and in the column titles).

No text from the hall (service, counter or officer names, labels) can become a formula: text
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
in the CSV (what spreadsheets show as plain text), and is written as a text cell in the
workbook (openpyxl would otherwise store ``=...`` as a live formula)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from loket.server.ikm import ELEMENTS

if TYPE_CHECKING:  # openpyxl (175 modules) is imported by to_xlsx only, not by a serving hub
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP "CSV injection")."""


def neutral(value: Any) -> Any:
    """A CSV cell that no spreadsheet evaluates: risky text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _append(ws: Worksheet, values: list[Any]) -> None:
    """``ws.append`` with every text cell stored as text, never as a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "Kelompok", "Group"),
    ("issued", "Diterbitkan", "Issued"),
    ("served", "Dilayani", "Served"),
    ("no_show", "Tidak hadir", "No-show"),
    ("transferred", "Dialihkan", "Transferred"),
    ("avg_wait_min", "Rata-rata tunggu (menit)", "Average wait (min)"),
    ("p90_wait_min", "P90 tunggu (menit)", "P90 wait (min)"),
    ("avg_service_min", "Rata-rata layanan (menit)", "Average service (min)"),
    ("p90_service_min", "P90 layanan (menit)", "P90 service (min)"),
    ("busiest_hour", "Jam tersibuk", "Busiest hour"),
    ("ikm", "IKM", "IKM"),
    ("ikm_grade", "Mutu", "Grade"),
    ("respondents", "Responden", "Respondents"),
)
ELEMENT_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f"u{i + 1}", f"U{i + 1} {e['id']}", f"U{i + 1} {e['en']}") for i, e in enumerate(ELEMENTS)
)
"""The average score (1-4) of each of the nine SKM elements, after the IKM columns."""
BOOKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("booked", "Reservasi", "Booked"),
    ("walk_in", "Datang langsung", "Walk-in"),
)
"""Tickets checked in from an online booking and the others (issue 15), after the IKM columns
and before the nine elements, so the earlier columns keep their places and the elements stay
last."""
COLUMNS = COLUMNS + BOOKING_COLUMNS + ELEMENT_COLUMNS


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 2)


def flat_row(row: dict[str, Any]) -> list[Any]:
    ikm = row.get("ikm") or {}
    busiest = row.get("busiest_hours") or []
    values = {
        "name": row["name"],
        "issued": row.get("issued"),
        "served": row["served"],
        "no_show": row["no_show"],
        "transferred": row["transferred"],
        "avg_wait_min": _minutes(row.get("avg_wait_s")),
        "p90_wait_min": _minutes(row.get("p90_wait_s")),
        "avg_service_min": _minutes(row.get("avg_service_s")),
        "p90_service_min": _minutes(row.get("p90_service_s")),
        "busiest_hour": busiest[0]["label"] if busiest else None,
        "ikm": ikm.get("ikm"),
        "ikm_grade": ikm.get("grade"),
        "respondents": ikm.get("respondents", 0) if ikm else 0,
        "booked": row.get("booked", 0),
        "walk_in": row.get("walk_in", 0),
    }
    elements = (ikm.get("elements") if ikm else None) or [None] * len(ELEMENT_COLUMNS)
    values.update({k: v for (k, _, _), v in zip(ELEMENT_COLUMNS, elements, strict=False)})
    return [values[key] for key, _, _ in COLUMNS]


def _titles(lang: str) -> list[str]:
    return [title_id if lang == "id" else title_en for _, title_id, title_en in COLUMNS]


def _generated(report: dict[str, Any], tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(report["generated_at"]).astimezone(tz).replace(tzinfo=None)


def to_csv(report: dict[str, Any], lang: str = "id") -> str:
    """One header line, one line per group, then the total; decimal point, comma separator."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_titles(lang))
    for row in [*report["rows"], report["total"]]:
        writer.writerow(["" if v is None else neutral(v) for v in flat_row(row)])
    return out.getvalue()


def to_xlsx(
    report: dict[str, Any], lang: str = "id", tickets: list[tuple[Any, ...]] | None = None
) -> bytes:
    """A workbook with the summary, the hourly profile and (for short periods) each ticket."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tz = ZoneInfo(report["timezone"])
    wb = Workbook()
    ws = wb.active
    ws.title = "Laporan" if lang == "id" else "Report"
    bold = Font(bold=True)
    ws.append(["Periode" if lang == "id" else "Period",
               date.fromisoformat(report["from"]), date.fromisoformat(report["to"])])
    ws.append([("Dibuat" if lang == "id" else "Generated") + f" ({report['timezone']})",
               _generated(report, tz)])
    ws.append([])
    ws.append(_titles(lang))
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in report["rows"]:
        _append(ws, flat_row(row))
    _append(ws, flat_row(report["total"]))
    for cell in ws[ws.max_row]:
        cell.font = bold
    for cell in (ws["B1"], ws["C1"]):
        cell.number_format = "yyyy-mm-dd"
    ws["B2"].number_format = "yyyy-mm-dd hh:mm:ss"
    for column in "FGHI":
        for cell in ws[column][4:]:
            cell.number_format = "0.00"
    ws.column_dimensions["A"].width = 32
    hours = wb.create_sheet("Per jam" if lang == "id" else "Per hour")
    hours.append(["Jam" if lang == "id" else "Hour",
                  "Kedatangan" if lang == "id" else "Arrivals",
                  "Dilayani" if lang == "id" else "Served"])
    for h in report["hourly"]:
        _append(hours, [h["label"], h["arrivals"], h["served"]])
    if tickets:
        _ticket_sheet(wb, tickets, tz, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


TICKET_TITLES = {
    "id": ["Hari", "Nomor", "Layanan awal", "Layanan", "Status", "Prioritas", "Loket",
           "Petugas", "Diambil", "Dipanggil", "Mulai dilayani", "Selesai", "Dialihkan"],
    "en": ["Day", "Ticket", "Issued service", "Service", "Status", "Priority", "Counter",
           "Officer", "Issued", "Called", "Service started", "Finished", "Transfers"],
}


def _local(ts: float | None, tz: ZoneInfo) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def _ticket_sheet(wb: Workbook, tickets: list[tuple[Any, ...]], tz: ZoneInfo, lang: str) -> None:
    ws = wb.create_sheet("Tiket" if lang == "id" else "Tickets")
    titles = list(TICKET_TITLES["id" if lang == "id" else "en"])
    for i in range(8, 12):
        titles[i] = f"{titles[i]} ({tz.key})"
    ws.append(titles)
    for (day, label, issued_service, service, status, priority, counter, officer, issued,
         called, served, finished, transfers) in tickets:
        _append(ws, [date.fromisoformat(day), label, issued_service, service, status,
                     bool(priority), counter, officer, _local(issued, tz), _local(called, tz),
                     _local(served, tz), _local(finished, tz), int(transfers)])
    for row in ws.iter_rows(min_row=2, min_col=9, max_col=12):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    for cell in ws["A"][1:]:
        cell.number_format = "yyyy-mm-dd"


def filename(report: dict[str, Any], suffix: str) -> str:
    return f"laporan-{report['dimension']}-{report['from']}-{report['to']}.{suffix}"
