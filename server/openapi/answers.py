"""Shapes of the main answers of the JSON API, for the OpenAPI document (the hub builds
them as dicts; a contract test checks real answers against these). Answers may carry more
fields than listed (``additionalProperties``): clients must ignore what they do not know."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Answer):
    """Every refusal: a stable code (see the table in docs/api.md) and a message in the
    client's language."""

    model_config = ConfigDict(extra="forbid")
    error: str = Field(description="Stable error code, e.g. `quota_full`.")
    message: str = Field(description="Readable message (Indonesian or English).")
    field: str | None = Field(None, description="`invalid` (admin changes): the field "
                                                "refused, as `loket check` names it.")


class Estimate(Answer):
    seconds: int | float | None = None
    minutes: int | float | None = None
    low_min: int | float | None = None
    high_min: int | float | None = None


class TicketIssued(Answer):
    """``201`` answer of ``POST /api/tickets``."""

    ticket: str = Field(description="The number, e.g. `A-001`.")
    service: str
    service_name: str
    agency: str | None = None
    priority: bool
    position: int = Field(description="Place in the service's queue (1 = next).")
    ahead: int
    estimated_wait_s: int | float | None = None
    estimate: Estimate | None = None
    issued_at: str
    status_token: str = Field(description="Secret of the ticket's status page.")
    status_url: str


class CounterState(Answer):
    """A counter as officers see it (``GET /api/counters/{id}`` and every action's answer)."""

    counter: str
    counter_name: str
    zone: str | None = None
    status: str = Field(description="`closed`, `idle`, `serving`, `break`…")
    open: bool
    ticket: str | None = None
    ticket_status: str | None = None
    service: str | None = None
    priority: bool = False
    waited_s: int | float | None = None
    since: str | None = None
    officer: str | None = None
    waiting: int | None = None


class Hall(Answer):
    name: str
    timezone: str
    language: str


class ServiceState(Answer):
    prefix: str
    name: str
    agency: str | None = None
    waiting: int
    issued: int
    quota: int | None = None
    open: bool
    paused: bool


class CallState(Answer):
    id: int
    ticket: str
    service: str | None = None
    counter: str
    counter_name: str | None = None
    zone: str | None = None
    recall: bool
    priority: bool
    at: str


class StateSnapshot(Answer):
    """``GET /api/state``: the hall now (officers' names only for signed-in staff)."""

    hall: Hall
    day: str
    at: str
    zone: str | None = None
    services: list[ServiceState]
    counters: list[dict[str, Any]]
    calls: list[CallState]
    running_text: str | None = None


class TicketStatus(Answer):
    """``GET /api/tickets/status/{token}``: one ticket for its holder."""

    ticket: str
    service: str | None = None


class BookingSlot(Answer):
    start: str = Field(description="`HH:MM`.")
    end: str
    capacity: int
    available: int = Field(description="Places left (0 outside the booking window, on a "
                                       "closed day or in a break).")


class BookingSlots(Answer):
    """``200`` answer of ``GET /api/booking/slots``."""

    service: str
    date: str
    slots: list[BookingSlot]


class BookingCreated(Answer):
    """``201`` answer of ``POST /api/bookings``."""

    code: str = Field(description="Short code to read aloud or type at the kiosk (`K7M-Q4P`).")
    token: str = Field(description="Secret of the booking's link; shown only now.")
    service: str
    date: str
    start: str
    end: str
    booking_url: str = Field(description="`/b/<token>` (absolute with `[booking] public_url`).")


class BookingView(Answer):
    """``200`` answer of ``GET /api/bookings/{token}`` and of its cancel."""

    code: str
    service: str
    service_name: str
    date: str
    start: str
    end: str
    status: str = Field(description="`booked`, `checked_in`, `cancelled` or `expired`.")
    ticket: str | None = Field(None, description="Once checked in: the ticket's number.")
    status_url: str | None = Field(None, description="Once checked in: its status page.")


class BookingCheckedIn(TicketIssued):
    """``201`` answer of ``POST /api/bookings/checkin``: ``POST /api/tickets``'s answer."""

    booked: bool = Field(description="Always `true`.")
