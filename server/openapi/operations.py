"""What the OpenAPI document says about each route of the JSON API that is not in its code:
who may call it, what it answers and with which refusals. Keyed by the Flask endpoint; a
test checks every ``/api/`` rule of the hall's app has an entry here."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from loket.server.openapi import answers
from loket.server.openapi import requests as req

PUBLIC = "public"
STAFF = "staff"
"""A signed-in officer/supervisor/admin (session cookie, CSRF header on writes) or a token."""


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    auth: str = STAFF
    body: tuple[type[BaseModel], ...] = ()
    answer: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[str, ...] = ()
    media: str = "application/json"
    query: tuple[tuple[str, str], ...] = ()
    """(name, description) of query parameters."""
    body_required: bool = True
    extra: dict[str, object] = field(default_factory=dict)


SUP = ("unauthorized", "forbidden")
ADMIN_WRITE = ("invalid", "csrf", *SUP)
"""What an admin change may be refused with (``invalid`` names the field)."""
PERIOD = (("from", "First day `YYYY-MM-DD` (default: today)."),
          ("to", "Last day `YYYY-MM-DD` (default: `from`)."))

OPERATIONS: dict[str, Operation] = {
    # ------------------------------------------------------------------ queue
    "api.issue_ticket": Operation(
        "Take a ticket", "queue", PUBLIC, (req.TicketRequest,), answers.TicketIssued, 201,
        ("bad_request", "bad_phone", "priority_forbidden", "kiosk_mismatch", "unknown_service",
         "closed", "paused", "quota_full", "rate_limited")),
    "api.counter_action": Operation(
        "A counter's action (open, next, recall, start, done, no_show, transfer, break, "
        "resume, close; force_close and reset for supervisors)", "queue", STAFF,
        (req.TicketActionBody, req.TransferBody, req.NoBody), answers.CounterState, 200,
        ("bad_request", "csrf", *SUP, "unknown_counter", "unknown_action", "unknown_service",
         "unknown_ticket", "empty", "counter_closed", "on_break", "no_current", "not_callable",
         "not_skipped", "other_service", "same_service", "ticket_closed"),
        body_required=False),
    "api.counter_state": Operation(
        "A counter's state", "queue", STAFF, (), answers.CounterState, 200,
        (*SUP, "unknown_counter")),
    "api.state": Operation(
        "The hall's state (services, counters, recent calls)", "queue", PUBLIC, (),
        answers.StateSnapshot, 200, (), query=(("zone", "Only this zone's counters."),)),
    "api.ticket_status": Operation(
        "A ticket's status (its holder's page)", "queue", PUBLIC, (), answers.TicketStatus,
        200, ("not_found",)),
    "notify.opt_in": Operation(
        "Ask for WhatsApp/SMS notices on a ticket", "queue", PUBLIC, (req.PhoneBody,),
        None, 200, ("bad_request", "bad_phone", "not_found", "notify_unavailable",
                    "ticket_closed", "rate_limited")),
    "kiosk.services": Operation("Services a kiosk offers", "kiosk", PUBLIC),
    "kiosk.kiosks": Operation("Configured kiosks and their printers", "kiosk", STAFF,
                              errors=SUP),
    "kiosk.check_endpoint": Operation(
        "Check a kiosk's printer", "kiosk", PUBLIC, errors=("kiosk_not_paired", "not_found"),
        body_required=False),
    "kiosk.print_endpoint": Operation(
        "Print a ticket on a kiosk's printer", "kiosk", PUBLIC,
        errors=("bad_request", "kiosk_not_paired", "not_found"), body_required=False),
    "assistance.request_help": Operation(
        "Ask for help (kiosk or status page)", "assistance", PUBLIC, (req.AssistanceBody,),
        None, 201, ("bad_request", "rate_limited")),
    "assistance.open_list": Operation(
        "Open help requests", "assistance", STAFF, errors=(*SUP, "unknown_counter"),
        query=(("counter", "Only requests of this counter's zone."),)),
    "assistance.taken": Operation(
        "Take a help request", "assistance", STAFF, (req.NoBody,),
        errors=(*SUP, "csrf", "not_found", "assistance_taken"), body_required=False),
    # ------------------------------------------------------------------ supervisor
    "supervisor_api.dashboard_json": Operation("Dashboard figures", "supervisor",
                                               errors=SUP),
    "supervisor_api.move_tickets": Operation(
        "Move waiting tickets to another service", "supervisor", STAFF, (req.MoveBody,),
        errors=("bad_request", "csrf", *SUP, "unknown_service", "same_service")),
    "supervisor_api.running_text": Operation(
        "Set the running text", "supervisor", STAFF, (req.RunningTextBody,),
        errors=("bad_request", "csrf", *SUP)),
    "supervisor_api.pause_service": Operation(
        "Pause or resume a service", "supervisor", STAFF, (req.PausedBody,),
        errors=("bad_request", "csrf", *SUP, "unknown_service")),
    "supervisor_api.audit_log": Operation(
        "Audit log", "supervisor", errors=("bad_request", *SUP),
        query=(("limit", "1-1000 entries (default 100)."),)),
    "supervisor_api.complaint_list": Operation(
        "Complaints (survey and online)", "supervisor", errors=SUP,
        query=(("all", "`1`: handled ones too."),)),
    "supervisor_api.complaint_handled": Operation(
        "Mark a survey complaint handled", "supervisor", STAFF, (req.HandledBody,),
        errors=("bad_request", "csrf", *SUP, "not_found", "already_handled"),
        body_required=False),
    "supervisor_api.report_json": Operation(
        "Service report for a period", "reports", errors=("bad_request", *SUP),
        query=(*PERIOD, ("by", "`service`, `agency`, `counter` or `officer`."))),
    "supervisor_api.report_export": Operation(
        "Report as CSV or Excel (`fmt`: `csv`, `xlsx`)", "reports", media="text/csv",
        errors=("bad_request", *SUP, "not_found"), query=PERIOD),
    "supervisor_api.report_ikm": Operation(
        "IKM (SKM index) for a period", "reports", errors=("bad_request", *SUP),
        query=(*PERIOD, ("service", "Only this service."))),
    "supervisor_api.survey_answer": Operation(
        "Answer the satisfaction survey (SKM)", "survey", PUBLIC, (req.SurveyBody,), None,
        201, ("bad_request", "not_found", "survey_done", "survey_not_served",
              "survey_other_counter", "rate_limited")),
    # ------------------------------------------------------------------ signage
    "signage_api.upload_media": Operation(
        "Upload an image or video for the screens (multipart `file`)", "signage",
        errors=("bad_request", "csrf", *SUP, "unsupported_media", "video_unavailable",
                "too_large"), status=201, media="multipart/form-data"),
    "signage_api.list_media": Operation("Uploaded media", "signage", errors=SUP),
    "signage_api.delete_media": Operation(
        "Delete an uploaded medium", "signage", errors=("csrf", *SUP, "not_found"),
        status=204),
    "signage_api.all_playlists": Operation("Every screen group's playlist", "signage",
                                           errors=SUP),
    "signage_api.one_playlist": Operation("A screen group's playlist", "signage",
                                          errors=(*SUP, "unknown_group")),
    "signage_api.put_playlist": Operation(
        "Set a screen group's playlist", "signage", STAFF, (req.PlaylistBody,),
        errors=("bad_request", "csrf", *SUP, "unknown_group", "unknown_media",
                "unknown_service")),
    "signage_api.put_standar": Operation(
        "Set a service's Standar Pelayanan (admins)", "signage", STAFF, (req.StandarBody,),
        errors=("bad_request", "csrf", *SUP, "unknown_service")),
    "signage_api.put_maklumat": Operation(
        "Set the Maklumat Pelayanan", "signage", STAFF, (req.MaklumatBody,),
        errors=("bad_request", "csrf", *SUP, "unknown_media")),
    "signage_api.list_texts": Operation("Scheduled running texts", "signage", errors=SUP),
    "signage_api.add_text": Operation(
        "Add a scheduled running text", "signage", STAFF, (req.RunningTextItemBody,),
        status=201, errors=("bad_request", "csrf", *SUP, "unknown_zone")),
    "signage_api.delete_text": Operation(
        "Delete a scheduled running text", "signage", errors=("csrf", *SUP, "not_found"),
        status=204),
    "signage_api.info_all": Operation("Public service information", "signage", PUBLIC),
    "signage_api.info_one": Operation("One service's public information", "signage",
                                      PUBLIC, errors=("unknown_service",)),
    "signage_api.skm_public": Operation("The published SKM result", "signage", PUBLIC),
    "signage_api.put_skm_public": Operation(
        "Publish an SKM result", "signage", STAFF, (req.SkmPublicBody,),
        errors=("bad_request", "csrf", *SUP)),
    "signage_api.signage_state": Operation("What the screens show", "signage", PUBLIC),
    "signage_api.list_complaints": Operation(
        "Online complaints (pengaduan)", "signage", errors=SUP,
        query=(("all", "`1`: answered ones too."),)),
    "signage_api.answer_complaint": Operation(
        "Answer an online complaint", "signage", STAFF, (req.ComplaintAnswerBody,),
        errors=("bad_request", "csrf", *SUP, "not_found", "already_handled")),
    # ------------------------------------------------------------------ notices, integrations
    "notify.health": Operation("Notice delivery health", "integrations", errors=SUP),
    "integrations_webhooks.list_webhooks": Operation("Webhook subscriptions",
                                                     "integrations", errors=SUP),
    "integrations_webhooks.create_webhook": Operation(
        "Subscribe to events (admins)", "integrations", STAFF, (req.WebhookBody,),
        status=201, errors=("bad_request", "csrf", *SUP, "webhook_exists")),
    "integrations_webhooks.delete_webhook": Operation(
        "Delete a subscription (admins)", "integrations",
        errors=("csrf", *SUP, "not_found", "webhook_from_config")),
    "integrations_webhooks.health": Operation("Webhook delivery health", "integrations",
                                              errors=SUP),
    "open_data.daily": Operation(
        "Open data: daily figures per service (JSON or CSV)", "open data", PUBLIC,
        errors=("bad_request",),
        query=(*PERIOD, ("format", "`json` (default) or `csv`."))),
    "open_data.ikm": Operation("Open data: IKM per period", "open data", PUBLIC,
                               errors=("bad_request",), query=PERIOD),
    "open_data.meta": Operation("Open data: metadata (Satu Data Indonesia)", "open data",
                                PUBLIC),
    # ------------------------------------------------------------------ the hall's administration
    "admin_api.hall": Operation("The live hall: agencies, services, counters, kiosks, calendar",
                                "admin", errors=SUP),
    "admin_api.create_service": Operation(
        "Add a service (admins)", "admin", STAFF, (req.AdminServiceBody,), status=201,
        errors=(*ADMIN_WRITE, "exists")),
    "admin_api.update_service": Operation(
        "Change a service (supervisors: quota, opening hours, last ticket)", "admin", STAFF,
        (req.AdminServiceBody,), errors=(*ADMIN_WRITE, "unknown_service")),
    "admin_api.delete_service": Operation(
        "Delete a service with nobody waiting (admins)", "admin", status=204,
        errors=("csrf", *SUP, "unknown_service", "has_waiting")),
    "admin_api.create_counter": Operation(
        "Add a counter (admins)", "admin", STAFF, (req.AdminCounterBody,), status=201,
        errors=(*ADMIN_WRITE, "exists")),
    "admin_api.update_counter": Operation(
        "Change a counter: name, zone, services in order, spoken name (admins)", "admin",
        STAFF, (req.AdminCounterBody,), errors=(*ADMIN_WRITE, "unknown_counter")),
    "admin_api.delete_counter": Operation(
        "Delete a counter (admins)", "admin", status=204,
        errors=("csrf", *SUP, "unknown_counter", "invalid")),
    "admin_api.create_agency": Operation(
        "Add an agency (admins)", "admin", STAFF, (req.AdminAgencyBody,), status=201,
        errors=(*ADMIN_WRITE, "exists")),
    "admin_calendar_api.create": Operation(
        "Close the hall or services on dates, or add a recurring break", "admin", STAFF,
        (req.AdminCalendarBody,), status=201, errors=ADMIN_WRITE),
    "admin_calendar_api.listing": Operation("The hall calendar", "admin", errors=SUP),
    "admin_calendar_api.delete": Operation(
        "Delete a calendar entry", "admin", status=204,
        errors=("csrf", *SUP, "unknown_entry", "not_found")),
    "admin_accounts_api.list_users": Operation("Users (admins)", "admin", errors=SUP),
    "admin_accounts_api.create_user": Operation(
        "Add a user (admins)", "admin", STAFF, (req.AdminUserBody,), status=201,
        errors=(*ADMIN_WRITE, "exists")),
    "admin_accounts_api.update_user": Operation(
        "Change a user: counters, role, password, enable or disable (admins)", "admin", STAFF,
        (req.AdminUserBody,), errors=(*ADMIN_WRITE, "unknown_user")),
    "admin_accounts_api.list_tokens": Operation("Device tokens (admins)", "admin",
                                                errors=SUP),
    "admin_accounts_api.new_token": Operation(
        "Create a device token, shown once (admins)", "admin", STAFF, (req.AdminTokenBody,),
        status=201, errors=ADMIN_WRITE),
    "admin_accounts_api.delete_token": Operation(
        "Revoke a device token (admins)", "admin", status=204,
        errors=("csrf", *SUP, "unknown_token", "not_found")),
    "admin_kiosks_api.create": Operation(
        "Add a kiosk (admins)", "admin", STAFF, (req.AdminKioskBody,), status=201,
        errors=(*ADMIN_WRITE, "exists")),
    "admin_kiosks_api.update": Operation(
        "Change a kiosk (admins)", "admin", STAFF, (req.AdminKioskBody,),
        errors=(*ADMIN_WRITE, "not_found")),
    "admin_kiosks_api.delete": Operation(
        "Delete a kiosk (admins)", "admin", status=204, errors=("csrf", *SUP, "not_found")),
    # ------------------------------------------------------------------ bookings
    "booking_api.booking_services": Operation(
        "Bookable services and the booking window (the citizen's page)", "booking", PUBLIC,
        errors=("rate_limited",)),
    "booking_api.slots": Operation(
        "A day's slots of a service with their places left", "booking", PUBLIC, (),
        answers.BookingSlots, 200, ("bad_request", "unknown_service", "rate_limited"),
        query=(("service", "Service prefix (`A`)."), ("date", "`YYYY-MM-DD`."))),
    "booking_api.create_booking": Operation(
        "Book a slot (anyone, rate-limited per address and phone; tokens: same rules)",
        "booking", PUBLIC, (req.BookingRequest,), answers.BookingCreated, 201,
        ("bad_request", "bad_phone", "bad_nik", "csrf", "forbidden", "unknown_service",
         "not_bookable", "outside_window", "closed", "already_booked", "slot_full",
         "rate_limited")),
    "booking_api.get_booking": Operation(
        "A booking by its link's token", "booking", PUBLIC, (), answers.BookingView, 200,
        ("not_found", "rate_limited")),
    "booking_api.cancel_booking": Operation(
        "Cancel a booking by its link's token", "booking", PUBLIC, (req.NoBody,),
        answers.BookingView, 200,
        ("bad_request", "not_found", "already_checked_in", "too_late", "rate_limited"),
        body_required=False),
    "booking_api.checkin": Operation(
        "Check a booking in and issue its ticket (paired kiosk, staff session or token)",
        "booking", STAFF, (req.CheckinBody,), answers.BookingCheckedIn, 201,
        ("bad_request", "csrf", "kiosk_not_paired", "forbidden", "kiosk_mismatch",
         "not_found", "already_checked_in", "cancelled", "too_early", "too_late", "closed",
         "paused", "quota_full", "rate_limited")),
    "booking_api.supervisor_bookings": Operation(
        "A day's bookings per service: booked, checked in, cancelled, no-shows", "booking",
        STAFF, errors=("bad_request", *SUP), query=(("date", "`YYYY-MM-DD` (default: today)."),)),
    "booking_api.supervisor_booking_report": Operation(
        "Tickets booked vs walk-in and the bookings' outcomes per day and service", "booking",
        STAFF, errors=("bad_request", *SUP), query=PERIOD),
    "booking_api.outreach": Operation(
        "Outreach (jemput bola) bookings with address, contact and team", "booking", STAFF,
        errors=("bad_request", *SUP),
        query=(("from", "First day (default: today)."),
               ("to", "Last day (default: `[booking] days_ahead` from today)."))),
    "booking_api.outreach_team": Operation(
        "Assign an outreach team to a booking", "booking", STAFF, (req.TeamBody,),
        errors=("bad_request", "csrf", *SUP, "not_found")),
    "booking_api.admin_sessions": Operation(
        "The bookable sessions", "admin", STAFF, errors=SUP),
    "booking_api.admin_set_sessions": Operation(
        "Replace the bookable sessions (admins)", "admin", STAFF,
        (req.AdminBookingSessionsBody,), errors=ADMIN_WRITE),
    # ------------------------------------------------------------------ the document
    "openapi.spec": Operation("This document (OpenAPI 3.1)", "meta", PUBLIC),
    "openapi.docs": Operation("This reference, readable (Swagger UI)", "meta", PUBLIC,
                              media="text/html"),
}
