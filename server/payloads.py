"""The shapes of what the hub sends: its events (``ticket``, ``call``, ``counter``, ``queue``,
``settings``, ``hall``), the display snapshot (``GET /api/state``, Socket.IO ``snapshot``) and
its API answers (an issued ticket, a counter's state, a ticket's public status).

TypedDicts, so the JSON on the wire is unchanged: a payload *is* the dict the hub builds, and
these classes say which keys it has and what each holds. ``tests/test_payloads.py`` builds
every payload through a real hub and compares its keys with these classes, so the two cannot
drift apart. Times are ISO 8601 in the hall's timezone (``Hub.iso``); ``None`` where there is
no such moment. A leaf module (imports only :mod:`loket.server.counter_status`)."""

# No ``from __future__ import annotations`` here: TypedDict reads NotRequired from evaluated
# annotations only (with strings, Python 3.11 counts every key as required).
from typing import Any, NotRequired, TypedDict

from loket.server.counter_status import CounterState


class EstimatePayload(TypedDict):
    """A wait estimate as pages and the API show it (``WaitEstimate.public``)."""

    seconds: int
    """The expected wait in seconds."""
    minutes: int
    """The centre of the range shown, in minutes, rounded to 5."""
    low_min: int
    """The low end of the range shown, in minutes."""
    high_min: int
    """The high end of the range shown, in minutes."""
    counters_open: float
    """How many counters serve the ticket's line now (a shared counter counts as a fraction),
    rounded to 2 places."""


class TicketPublic(TypedDict):
    """A ticket as its holder may see it: the ``ticket`` event on the status namespace (to the
    ticket's own room), and the base of :class:`TicketEvent` and :class:`TicketStatusAnswer`."""

    ticket: str
    """The label citizens see, e.g. ``A-012``."""
    service: str
    """The prefix of the service whose queue the ticket is in now (changes on transfer)."""
    status: str
    """``waiting``, ``called``, ``serving``, ``done`` or ``no_show`` (``TicketStatus``)."""
    priority: bool
    """Taken as a priority ticket (elderly, disabled, pregnant)."""
    booked: bool
    """Checked in from a booking (an appointment) rather than taken at the kiosk."""
    counter: str | None
    """The id of the counter that called it; None while it was never called."""
    counter_name: str | None
    """That counter's name; None while it was never called."""
    issued_at: str | None
    """When it was issued."""
    called_at: str | None
    """Its first call (recalls do not move it); None while waiting."""
    transferred_from: str | None
    """Where a transferred ticket came from, e.g. ``A @ Loket 3``; None if never transferred."""


class TicketEvent(TicketPublic):
    """The ``ticket`` event: a ticket was issued or changed status (called, served, done,
    no-show, transferred, brought back). Internal: it carries the database id and the status
    token's hash, which the status namespace uses as the ticket's room (and strips)."""

    id: int
    """The ticket's database id."""
    token_hash: str
    """SHA-256 of the ticket's status token (never the token itself)."""


class TicketStatusAnswer(TicketPublic):
    """A ticket's public status (``GET /api/tickets/status/<token>``, the status page): plus
    its place and estimate while it waits today."""

    ahead: NotRequired[int]
    """Tickets before it in its queue (only while it waits, on its day)."""
    estimated_wait_s: NotRequired[int]
    """The expected wait in seconds (only while it waits, on its day)."""
    estimate: NotRequired[EstimatePayload]
    """The estimate as shown (only while it waits, on its day)."""


class CallEvent(TypedDict):
    """The ``call`` event: a counter called (or recalled) a ticket. Displays show it and the
    audio announces it; the snapshot's ``calls`` are the latest of them."""

    id: int
    """The call record's id (increasing: displays order and de-duplicate calls by it)."""
    ticket: str
    """The label called, e.g. ``A-012``."""
    service: str
    """The prefix of the ticket's service."""
    counter: str
    """The id of the counter that called."""
    counter_name: str
    """That counter's name (its id if it is no longer configured)."""
    counter_spoken_name: str
    """How announcements say the counter; empty for its name."""
    zone: str
    """The counter's zone (displays of other zones ignore the call); empty if unknown."""
    recall: bool
    """A repeated call of the counter's current ticket."""
    priority: bool
    """The ticket is a priority ticket."""
    booked: bool
    """The ticket was checked in from a booking."""
    at: str | None
    """When it was called."""


class CounterPayload(TypedDict):
    """A counter's state (``GET /api/counters/<id>``, panels, the ``counter`` event)."""

    counter: str
    """The counter's id."""
    counter_name: str
    """Its name, e.g. ``Loket 1``."""
    zone: str
    """Its zone."""
    status: CounterState
    """``idle``, ``serving``, ``break`` or ``closed``."""
    open: bool
    """Open for service (idle or serving)."""
    ticket: str | None
    """The label of its current ticket; None when it has none."""
    ticket_status: str | None
    """That ticket's status (``called`` or ``serving``); None when it has none."""
    service: str | None
    """That ticket's service prefix; None when it has none."""
    priority: bool
    """That ticket is a priority ticket (False when there is none)."""
    booked: bool
    """That ticket was checked in from a booking (False when there is none)."""
    waited_s: int | None
    """How long that ticket waited before its first call, in seconds; None when there is none."""
    since: str | None
    """When that ticket was first called; None when there is none."""
    officer: str | None
    """Who is signed in at the counter; None for nobody. Personal data: an integration's
    ``GET /api/counters/<id>`` gets None, and the public snapshot (``GET /api/state`` without a
    staff sign-in, Socket.IO ``snapshot`` and ``counter`` on the display namespace) leaves the
    key out (``realtime.STAFF_ONLY_FIELDS``)."""
    waiting: int
    """Tickets waiting today in the counter's services."""


class CounterActionAnswer(CounterPayload):
    """The answer to a counter action (``POST /api/counters/<id>/<action>``): the counter's
    state after it."""

    called: NotRequired[str]
    """The label the action called (NEXT, RECALL, CALL); absent when it called nobody."""


class CounterEvent(CounterActionAnswer):
    """The ``counter`` event: a counter's state changed."""

    actor: NotRequired[str]
    """Who acted (``user:<name>``, ``token:<name>``, ``keypad:…``, ``system``); absent when
    the change was not an action (an officer signing in or out)."""


class QueueService(TypedDict):
    """One service's line in the ``queue`` event."""

    prefix: str
    """The service's prefix."""
    waiting: int
    """Tickets waiting today."""


class QueueCounter(TypedDict):
    """One counter's line in the ``queue`` event."""

    id: str
    """The counter's id."""
    waiting: int
    """Tickets waiting today in the counter's services."""


class QueuePayload(TypedDict):
    """The ``queue`` event: how many wait, per service and per counter (coalesced: at most a
    few a second)."""

    services: list[QueueService]
    """Every service, in configuration order."""
    counters: list[QueueCounter]
    """Every counter, in configuration order."""
    at: str | None
    """When it was counted."""


class SettingsEvent(TypedDict):
    """The ``settings`` event: a supervisor changed a live setting."""

    key: str
    """The setting's name, e.g. ``running_text`` or ``paused_services``."""
    value: Any
    """Its new value (JSON: text, a list of prefixes, …)."""


class HallEvent(TypedDict):
    """The ``hall`` event: the hall's configuration (services, counters, calendar) changed,
    or the calendar opened or closed a service."""

    version: int
    """The hall configuration's version."""
    calendar: NotRequired[bool]
    """True when only the calendar moved (a break or closing began or ended)."""


class ServiceState(TypedDict):
    """Whether tickets can be taken for a service now, and why not (``Hub.service_state``)."""

    open: bool
    """Tickets can be taken now (open by the calendar and not paused)."""
    paused: bool
    """A supervisor paused the service."""
    next_opening: str | None
    """When the calendar opens it again; None while it is open by the calendar."""
    next_opening_text: str | None
    """That moment in words, in the request's language; None while open."""
    closed_kind: str | None
    """Why the calendar closes it: ``closure``, ``break``, ``cutoff`` or ``hours``; None while
    open."""
    closed_reason: str | None
    """The closing's reason as configured (e.g. a holiday's name); None while open or given
    none."""


class SnapshotService(ServiceState):
    """One service in the snapshot (only those of the display's zone)."""

    prefix: str
    """The service's prefix."""
    name: str
    """Its name (Indonesian)."""
    name_en: str
    """Its English name (the Indonesian one where none is configured)."""
    agency: str
    """The name of the agency that serves it."""
    agency_id: str
    """That agency's id."""
    waiting: int
    """Tickets waiting today."""
    issued: int
    """Numbers issued today."""
    quota: int | None
    """Numbers a day at most; None for no quota beyond the numbering's."""
    sla_minutes: int
    """The service level: the longest wait the hall aims for, in minutes."""


class SnapshotCounter(CounterPayload):
    """One counter in the snapshot (only those of the display's zone)."""

    name: str
    """The counter's name (as ``counter_name``)."""
    services: list[str]
    """The prefixes of the services it serves, in its order."""
    calendar_break: str | None
    """The calendar break the counter is on now (its reason); None when on none."""


class SnapshotHall(TypedDict):
    """The hall, as the snapshot names it."""

    name: str
    """The hall's name."""
    timezone: str
    """Its IANA timezone, e.g. ``Asia/Jakarta``."""
    language: str
    """Its first language: ``id`` or ``en``."""


class Snapshot(TypedDict):
    """Everything a display needs on connect (``GET /api/state``, Socket.IO ``snapshot``)."""

    hall: SnapshotHall
    """The hall."""
    day: str
    """The hall's day, ``YYYY-MM-DD``."""
    at: str | None
    """When it was taken."""
    zone: str | None
    """The zone asked for; None for the whole hall."""
    services: list[SnapshotService]
    """The services of the zone's counters, in configuration order."""
    counters: list[SnapshotCounter]
    """The zone's counters, in configuration order."""
    calls: list[CallEvent]
    """The latest calls in the zone, newest first."""
    running_text: str
    """The running text at the foot of the displays."""


class IssuedTicket(TypedDict):
    """The answer to issuing a ticket (``POST /api/tickets``, the kiosk)."""

    ticket: str
    """The label, e.g. ``A-012``."""
    service: str
    """The service's prefix."""
    service_name: str
    """The service's name."""
    agency: str
    """The name of the agency that serves it."""
    priority: bool
    """Taken as a priority ticket."""
    booked: bool
    """Checked in from a booking."""
    position: int
    """Its place in the queue (1 = next)."""
    ahead: int
    """Tickets before it."""
    estimated_wait_s: int
    """The expected wait in seconds."""
    estimate: EstimatePayload
    """The estimate as shown."""
    issued_at: str | None
    """When it was issued."""
    status_token: str
    """The secret of its status page (printed as a QR code; only this answer carries it)."""
    status_url: str
    """The path of its status page, ``/t/<status_token>``."""
