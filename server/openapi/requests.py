"""The request bodies of the JSON API, one pydantic model per body. Routes parse with these
(:func:`loket.server.openapi.body.parse`); the OpenAPI document and docs/api.md's field tables are
made from them. Values are checked further by the handlers (a service must exist, a text has
a maximum length): those refusals are listed per operation in :mod:`server.openapi.operations`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from loket.server.openapi.body import Body


def absent(description: str, alias: str | None = None) -> Any:
    """A field that may be left out (the handler's default applies, never this ``None``)."""
    return Field(None, alias=alias, description=description)


class TicketRequest(Body):
    """``POST /api/tickets``: take a ticket."""

    service: str = Field(description="Service prefix, case-insensitive (`A`).")
    priority: bool = Field(False, description=(
        "Lansia, disabilitas, ibu hamil (only the flag is stored, never a reason). `true` "
        "needs a paired kiosk, a session or a token: otherwise `403 priority_forbidden`."))
    kiosk: str = absent(description=(
        "≤ 32 characters: the issuing kiosk's id. Ignored without a paired kiosk, session or "
        "token; a paired kiosk naming another kiosk: `403 kiosk_mismatch`."))
    phone: str = absent(description=(
        "Send this ticket's notices (WhatsApp/SMS) to this Indonesian mobile number "
        "(`0812…`, `+62812…`, `62812…`; see docs/notifications.md); else `400 bad_phone`."))


class TicketActionBody(Body):
    """``call``/``bring_back`` on a counter: which ticket."""

    ticket: str = Field(description="The ticket shown on the panel, e.g. `A-001`.")


class TransferBody(Body):
    """``transfer`` on a counter: the service the current ticket goes to."""

    service: str = Field(description="Target service prefix.")


class NoBody(Body):
    """No body (an empty JSON object is accepted)."""


class PhoneBody(Body):
    """``POST /api/tickets/status/{token}/notify``: ask for notices on this ticket."""

    phone: str = absent(description="Mobile number (`08…` or `+628…`).")


class MoveBody(Body):
    """``POST /api/supervisor/move``: move waiting tickets between services."""

    from_: str = Field(alias="from", description="Service prefix the tickets leave.")
    to: str = Field(description="Service prefix they join.")
    limit: int = absent(description="At most this many (the oldest); all when "
                                                "left out.")


class RunningTextBody(Body):
    """``POST /api/supervisor/running-text``: the text that runs along the TVs' bottom."""

    text: str = Field(description="The text (empty: the default).")


class PausedBody(Body):
    """``POST /api/supervisor/paused``: stop or restart issuing tickets of a service."""

    service: str = Field(description="Service prefix.")
    paused: bool = Field(description="`true` to pause, `false` to resume.")


class HandledBody(Body):
    """``POST /api/supervisor/complaints/{id}/handled``: mark a complaint handled."""

    note: str = absent(description="What was done (optional).")


class SurveyBody(Body):
    """``POST /api/survey``: a citizen's answers to the nine SKM questions."""

    status_token: str = absent(description="The ticket's status token (from "
                                                       "the ticket or its QR code).")
    survey_token: str = absent(description="The signed token of the counter's "
                                                       "survey tablet (instead).")
    scores: list[Any] = Field(description="Nine scores 1-4, one per SKM question.")
    comment: str = absent(description="A free comment or complaint.")


class AssistanceBody(Body):
    """``POST /api/assistance``: a citizen asks for help."""

    kiosk: str = absent(description="The kiosk asking (configured id).")
    where: str = absent(description="Where the citizen is (at most 80 "
                                                "characters).")
    status_token: str = absent(description="The citizen's ticket status token.")
    on_call: bool = Field(False, description="Help at the counter when the ticket is called "
                                             "(needs `status_token`).")


class PlaylistBody(Body):
    """``PUT /api/admin/playlists/{group}``: what a group of screens shows."""

    items: list[Any] = Field(description="Slides: `{\"slide\": \"skm\"|\"standar\"|"
                                         "\"maklumat\"}` or `{\"media\": id}` with "
                                         "`seconds`.")


class RunningTextItemBody(Body):
    """``POST /api/supervisor/running-texts``: a scheduled running text."""

    text: str = absent(description="The text (required, at most 500 "
                                               "characters).")
    zone: str | None = absent(description="Only the screens of this zone.")
    from_: str | None = absent(alias="from", description="First day `YYYY-MM-DD`.")
    until: str | None = absent(description="Last day `YYYY-MM-DD`.")
    days: list[Any] | str | None = absent(description="Week days, e.g. `[\"mon\"]` or "
                                                           "`\"mon-fri\"`.")
    time: str | None = absent(description="Hours, e.g. `08:00-12:00`.")


class StandarBody(Body):
    """``PUT /api/admin/standar/{prefix}``: a service's Standar Pelayanan (any of the six)."""

    persyaratan: str = absent(description="Requirements.")
    prosedur: str = absent(description="Procedure.")
    waktu: str = absent(description="Time it takes.")
    biaya: str = absent(description="Cost.")
    produk: str = absent(description="What the citizen gets.")
    pengaduan: str = absent(description="How to complain.")


class MaklumatBody(Body):
    """``PUT /api/admin/maklumat``: the hall's Maklumat Pelayanan."""

    text: str = absent(description="The pledge's text.")
    media: int | None = absent(description="An uploaded image to show with it.")


class SkmPublicBody(Body):
    """``PUT /api/supervisor/skm-public``: the SKM result published on screens."""

    from_: str = absent(alias="from", description="First day `YYYY-MM-DD`.")
    to: str = absent(description="Last day `YYYY-MM-DD`.")
    follow_up: str = absent(description="What the hall does about it.")


class ComplaintAnswerBody(Body):
    """``POST /api/supervisor/pengaduan/{id}/answer``: answer an online complaint."""

    answer: str = absent(description="The answer (published with the "
                                                 "complaint).")


class WebhookBody(Body):
    """``POST /api/integrations/webhooks``: subscribe an agency's system to events."""

    name: str = Field(description="1-40 lowercase letters, digits, `-` or `_`.")
    url: str = Field(description="`http://` or `https://` receiver (at most 500 characters).")
    events: list[Any] = Field(description="Event types, e.g. `[\"ticket.called\"]`; "
                                          "`[\"*\"]` for all.")
    secret: str = absent(description="`env:NAME` or `file:/path`; left out, "
                                                 "Loket makes one and shows it once.")
    allow_personal_data: bool = Field(False, description="Also send officers' names and "
                                                         "survey comments.")
    timeout_s: int | float = Field(5.0, description="Longest wait for the receiver "
                                                    "(0-30 s).")


# ---------------------------------------------------------------------- the hall's administration
# The admin routes check values through the hall's config models (the same rules and words as
# `loket check`) and answer 400 {"error": "invalid", "field"}; these models fix the fields and
# their JSON types. Left-out fields keep their value (PATCH) or their default (POST).
class AdminServiceBody(Body):
    """``POST /api/admin/services`` (``prefix``, ``name`` and ``agency`` required) and
    ``PATCH /api/admin/services/<prefix>``; supervisors may change only ``quota``,
    ``opening_hours`` and ``last_ticket``."""

    prefix: str | None = absent("One or two capital letters, e.g. `A`.")
    name: str | None = absent("The service's name as citizens see it.")
    name_en: str | None = absent("The name in English (empty: the same).")
    agency: str | None = absent("The agency's id or name.")
    quota: int | None = absent("Tickets a day (1-9999); `null`: no quota.")
    opening_hours: list[str] | None = absent("Rules such as `mon-fri 07:30-15:00`.")
    sla_minutes: int | None = absent("Target longest wait in minutes.")
    last_ticket: str | None = absent("Last ticket of the day, `HH:MM` (empty: closing time).")


class AdminCounterBody(Body):
    """``POST /api/admin/counters`` (``id``, ``name`` and ``services`` required) and
    ``PATCH /api/admin/counters/<id>``."""

    id: str | None = absent("1-16 letters, digits, `-` or `_`.")
    name: str | None = absent("As shown on the screens, e.g. `Loket 5`.")
    zone: str | None = absent("The zone (screen group) it belongs to.")
    services: list[str] | None = absent("Service prefixes in the order it serves them.")
    spoken_name: str | None = absent("How the announcer says it (empty: the name).")


class AdminAgencyBody(Body):
    """``POST /api/admin/agencies``."""

    id: str | None = absent("Short id, e.g. `dukcapil`.")
    name: str | None = absent("Short name, e.g. `Dukcapil`.")
    full_name: str | None = absent("Full name.")


class AdminCalendarBody(Body):
    """``POST /api/admin/calendar``: a closure (``date``, ``until``?) or a recurring break
    (``rule``), for the whole hall or some ``services``, with the ``reason`` citizens see."""

    date: str | None = absent("First day closed, `YYYY-MM-DD`.")
    until: str | None = absent("Last day closed, `YYYY-MM-DD` (default: `date`).")
    services: list[str] | None = absent("Service prefixes (left out: the whole hall).")
    reason: str | None = absent("1-200 characters, e.g. `Libur Nasional: Idulfitri`.")
    rule: str | None = absent("A recurring break, e.g. `fri 11:30-13:00`.")
    uid: str | None = absent("An outside id (iCalendar UID) that makes a re-import idempotent.")


class AdminKioskBody(Body):
    """``POST /api/admin/kiosks`` and ``PATCH /api/admin/kiosks/<id>``."""

    id: str | None = absent("The kiosk's id.")
    name: str | None = absent("Where it stands.")
    printer: str | None = absent("Its ticket printer (e.g. `usb:0x0416:0x5011`; empty: none).")
    rate_limit: str | None = absent("Its own limit, e.g. `10 per 10 seconds`.")
    agencies: list[str] | None = absent("Agencies it offers (left out: all).")
    paper_width_mm: int | None = absent("Paper width of its printer.")


class AdminUserBody(Body):
    """``POST /api/admin/users`` and ``PATCH /api/admin/users/<username>``."""

    username: str | None = absent("The login name.")
    password: str | None = absent("A new password (the password policy applies).")
    role: str | None = absent("`officer`, `supervisor` or `admin`.")
    counters: list[str] | str | None = absent("Counters an officer may act at.")
    display_name: str | None = absent("The name shown on pages.")
    active: bool | None = absent("`false` disables the account, `true` enables it.")


class AdminTokenBody(Body):
    """``POST /api/admin/tokens``: a device token, shown once."""

    name: str | None = absent("What the token is for.")
    role: str | None = absent("`device`, `announcer`, `supervisor`, `admin` or `integration`.")
    counters: list[str] | str | None = absent("Counters a device token may act at.")


class BookingRequest(Body):
    """``POST /api/bookings``: book a slot (see docs/booking.md)."""

    service: str = Field(description="Service prefix, case-insensitive (`A`).")
    date: str = Field(description="The slot's date, `YYYY-MM-DD` (hall time zone).")
    start: str = Field(description="The slot's start, `HH:MM`, as `GET /api/booking/slots` "
                                   "lists it.")
    phone: str = absent(description=(
        "Indonesian mobile number for the confirmation, reminders and the ticket's notices; "
        "also what \"one booking per person\" counts without a NIK. Deleted "
        "`[booking] retention_days` after the booking's date."))
    nik: str = absent(description=(
        "16 digits; required by sessions with `requires_nik` (else `400 bad_nik`). Stored only "
        "as a keyed hash and its last four digits."))
    address: str = absent(description="≤ 300 characters: where an outreach (jemput bola) "
                                      "team goes; required for outreach services.")
    contact: str = absent(description="≤ 120 characters: who to reach for an outreach booking "
                                      "(a name and a number); `phone` may replace it.")


class CheckinBody(Body):
    """``POST /api/bookings/checkin``: check a booking in and issue its ticket."""

    code: str = Field(description=(
        "The booking code as typed (`K7M-Q4P`, `k7m q4p`) or what a QR scanner sent (the "
        "booking's `/b/<token>` link)."))
    kiosk: str = absent(description=(
        "≤ 32 characters: the kiosk's id (a paired kiosk's own is used; another is "
        "`403 kiosk_mismatch`)."))


class TeamBody(Body):
    """``POST /api/supervisor/outreach/{id}/team``: the outreach team of a booking."""

    team: str | None = Field(description="≤ 80 characters; empty or `null` unassigns.")


class AdminBookingSessionsBody(Body):
    """``PUT /api/admin/booking/sessions``: every bookable session (replaces them all)."""

    sessions: list[dict[str, Any]] = Field(description=(
        "`[[booking.sessions]]` entries: `service`, `days`, `start`, `end`, `slot_minutes`, "
        "`capacity`, `requires_nik`, `outreach` (docs/configuration.md)."))
