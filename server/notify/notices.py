"""What each notice says: built-in wording (Indonesian first, English), overridden per hall by
``[notify.templates.id]`` / ``[notify.templates.en]``, rendered with the notice's
placeholders. Pure: no database, no network."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from loket.server.config.notify import NOTICE_KINDS

TICKET_KINDS = ("issued", "near", "called", "recalled", "skipped")
BOOKING_KINDS = (
    "booking_confirmed", "booking_reminder_day", "booking_reminder_hour", "booking_cancelled",
)

DEFAULTS: dict[str, dict[str, str]] = {
    "id": {
        "issued": "{hall}: nomor antrean Anda {ticket} ({service}), {ahead} orang di depan "
                  "Anda. Pantau antrean di {status_url} . Kami kabari lewat pesan ini saat "
                  "giliran Anda dekat.",
        "near": "{hall}: giliran Anda hampir tiba. Nomor {ticket}, {ahead} orang lagi di depan "
                "Anda. Silakan kembali ke ruang tunggu.",
        "called": "{hall}: nomor {ticket}, silakan menuju {counter} ({zone}) sekarang.",
        "recalled": "{hall}: panggilan ulang untuk nomor {ticket}. Silakan segera menuju "
                    "{counter} ({zone}).",
        "skipped": "{hall}: nomor {ticket} dilewati karena tidak hadir saat dipanggil. "
                   "Silakan temui petugas informasi, atau ambil nomor baru di kiosk.",
        "booking_confirmed": "{hall}: reservasi {code} untuk {service} pada {date} pukul "
                             "{start} sudah tercatat. Detail: {booking_url}",
        "booking_reminder_day": "{hall}: pengingat, reservasi {code} ({service}) besok, {date} "
                                "pukul {start}. Check-in di kiosk saat tiba.",
        "booking_reminder_hour": "{hall}: pengingat, reservasi {code} ({service}) hari ini "
                                 "pukul {start}. Check-in di kiosk saat tiba.",
        "booking_cancelled": "{hall}: reservasi {code} ({service}, {date} pukul {start}) "
                             "dibatalkan. {reason}",
        "test": "{hall}: pesan uji dari Loket. Saluran pemberitahuan berfungsi.",
    },
    "en": {
        "issued": "{hall}: your queue number is {ticket} ({service}), {ahead} people ahead "
                  "of you. Follow your queue at {status_url} . We will message you here when "
                  "your turn is near.",
        "near": "{hall}: your turn is near. Number {ticket}, {ahead} people ahead of you. "
                "Please come back to the waiting area.",
        "called": "{hall}: number {ticket}, please go to {counter} ({zone}) now.",
        "recalled": "{hall}: second call for number {ticket}. Please go to {counter} ({zone}) "
                    "now.",
        "skipped": "{hall}: number {ticket} was skipped because you were not there when "
                   "called. Please see the information desk, or take a new number at the "
                   "kiosk.",
        "booking_confirmed": "{hall}: booking {code} for {service} on {date} at {start} is "
                             "confirmed. Details: {booking_url}",
        "booking_reminder_day": "{hall}: reminder, booking {code} ({service}) tomorrow, {date} "
                                "at {start}. Check in at the kiosk when you arrive.",
        "booking_reminder_hour": "{hall}: reminder, booking {code} ({service}) today at "
                                 "{start}. Check in at the kiosk when you arrive.",
        "booking_cancelled": "{hall}: booking {code} ({service}, {date} at {start}) was "
                             "cancelled. {reason}",
        "test": "{hall}: a test message from Loket. The notice channel works.",
    },
}
assert all(set(texts) == set(NOTICE_KINDS) for texts in DEFAULTS.values())


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, lang: str, params: dict[str, Any],
           overrides: Mapping[Any, dict[str, str]] | None = None) -> str:
    """The notice's text in ``lang`` (Indonesian when the language is unknown); a missing
    placeholder renders empty."""
    lang = lang if lang in DEFAULTS else "id"
    template = ((overrides or {}).get(lang, {}).get(kind)
                or DEFAULTS[lang].get(kind) or DEFAULTS["id"][kind])
    text = string.Formatter().vformat(template, (), _Blank(params))
    return " ".join(text.split())
