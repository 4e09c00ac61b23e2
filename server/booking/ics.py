"""A booking as an iCalendar file (RFC 5545) for the phone's calendar, written with the
``icalendar`` library (already a dependency: admin calendar import). One VEVENT in the hall's
time zone, with a VTIMEZONE so calendars that know no Olson names still place it right, and
an alarm an hour before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # icalendar is imported when a file is written, not by a serving hub
    from icalendar import Timezone

PRODID = "-//Loket//Reservasi Antrean//ID"


@dataclass(frozen=True)
class BookingEvent:
    """What the calendar entry says: the slot, where, and the texts (already translated)."""

    token: str
    day: date
    start: time
    end: time
    timezone: str
    summary: str
    description: str
    location: str
    url: str
    stamp: datetime
    """When the file was made (DTSTAMP), an aware datetime."""
    cancelled: bool = False


def _vtimezone(tzid: str, at: datetime) -> Timezone:
    """The zone's VTIMEZONE around ``at``; a zone without transitions there (all of
    Indonesia's since 1964) gets one STANDARD part with its offset, as RFC 5545 requires at
    least one."""
    from icalendar import Timezone, TimezoneStandard

    zone = Timezone.from_tzid(tzid, first_date=at.date() - timedelta(days=366),
                              last_date=at.date() + timedelta(days=366))
    if zone.subcomponents:
        return zone
    zone = Timezone()
    zone.add("tzid", tzid)
    standard = TimezoneStandard()
    offset = at.utcoffset() or timedelta(0)
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", offset)
    standard.add("tzoffsetto", offset)
    standard.add("tzname", at.tzname() or tzid)
    zone.add_component(standard)
    return zone


def booking_ics(event: BookingEvent) -> bytes:
    """The ``.ics`` bytes of one booking: CRLF line ends, folded long lines and escaped
    texts (the library's), UTF-8."""
    from icalendar import Alarm, Calendar, Event

    tz = ZoneInfo(event.timezone)
    start = datetime.combine(event.day, event.start, tzinfo=tz)
    end = datetime.combine(event.day, event.end, tzinfo=tz)
    if end <= start:
        end = start + timedelta(minutes=30)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if event.cancelled else "PUBLISH")
    cal.add_component(_vtimezone(event.timezone, start))
    vevent = Event()
    # The token is stable for the booking, so a second download updates the same entry.
    vevent.add("uid", f"booking-{event.token}@loket")
    vevent.add("dtstamp", event.stamp.astimezone(ZoneInfo("UTC")))
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if not event.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.summary)
        alarm.add("trigger", timedelta(hours=-1))
        vevent.add_component(alarm)
    cal.add_component(vevent)
    return bytes(cal.to_ical())
