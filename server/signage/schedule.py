"""Validation of the schedule fields shared by playlist items and running texts: a date range
(``from``/``until``, ``YYYY-MM-DD``), weekdays (``["mon", "fri"]``) and a time of day
(``"07:30-09:00"`` in the hall's time). The screens themselves decide what applies now (with
their own clock, in the hall's time zone), so nothing here runs on a timer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from loket.server.errors import bad_request

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_day(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"field {field!r} must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise bad_request(f"field {field!r} must be a date YYYY-MM-DD") from None


def parse_days(value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("field 'days' must be a list of weekdays (mon..sun)")
    days = [v.lower()[:3] for v in value]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise bad_request(f"unknown weekday {unknown[0]!r}: use mon, tue, wed, thu, fri, sat, sun")
    return [d for d in WEEKDAYS if d in days]


def parse_time(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _TIME.match(value.strip()):
        raise bad_request("field 'time' must be HH:MM-HH:MM (hall time)")
    start, end = value.strip().split("-")
    if start == end:
        raise bad_request("field 'time' must be a window of at least one minute")
    return f"{start}-{end}"


def parse_schedule(body: dict[str, Any]) -> dict[str, Any]:
    """The schedule fields of ``body``, validated; only those given are returned."""
    first = parse_day(body.get("from"), "from")
    last = parse_day(body.get("until"), "until")
    if first and last and last < first:
        raise bad_request("'until' is before 'from'")
    out: dict[str, Any] = {}
    if first:
        out["from"] = first
    if last:
        out["until"] = last
    days = parse_days(body.get("days"))
    if days:
        out["days"] = days
    window = parse_time(body.get("time"))
    if window:
        out["time"] = window
    return out
