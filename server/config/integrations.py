"""``[integrations]``: event webhooks for agencies' systems (``[[integrations.webhooks]]``) and
the public open-data figures (see docs/integrations.md)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from loket.server.config.base import Section

EVENT_TYPES = (
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.transferred", "ticket.done",
    "ticket.no_show", "counter.opened", "counter.closed", "survey.submitted",
    "booking.created", "booking.checked_in", "booking.cancelled", "booking.expired",
)
"""Every event a webhook may subscribe to (``"*"``: all of them)."""
NAME_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,39}$"


def check_events(events: list[str]) -> list[str]:
    """The event list without duplicates, or ValueError naming an unknown type."""
    out: list[str] = []
    for event in events:
        if event != "*" and event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event!r}; known: {', '.join(EVENT_TYPES)} "
                             "(or \"*\" for all)")
        if event not in out:
            out.append(event)
    if not out:
        raise ValueError("name at least one event type")
    return out


class WebhookSection(Section):
    url: str
    """Where events are POSTed (``https://...``); a 2xx answer counts as delivered."""
    events: list[str]
    """Event types to send, e.g. ``["ticket.called", "ticket.done"]``; ``["*"]`` for all."""
    secret: str
    """Key of the ``X-Loket-Signature`` HMAC: ``"env:NAME"`` (read from the environment
    variable NAME, recommended), ``"file:/path"`` or the key itself (32+ random characters)."""
    name: str = Field(default="", pattern=r"^$|" + NAME_PATTERN)
    """Name shown on the dashboard and in `GET /api/integrations/webhooks` (default
    ``config-<n>``)."""
    allow_personal_data: bool = False
    """Also send the officer's user name and survey comments. Only with a data processing
    agreement (UU 27/2022); never phone numbers or status-page tokens."""
    timeout_s: float = Field(default=5.0, gt=0, le=30)
    """Longest wait for the receiver's answer (connect and answer); a timeout is retried."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        return check_events(value)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        if not value or value in ("env:", "file:"):
            raise ValueError("a webhook needs a secret (\"env:NAME\" is best)")
        return value


class IntegrationsSection(Section):
    webhooks: list[WebhookSection] = Field(default_factory=list)
    """[[integrations.webhooks]]: agencies' systems told about events (more may be added by
    an admin through `POST /api/integrations/webhooks`)."""
    max_attempts: int = Field(default=20, ge=1, le=100)
    """Attempts per event before it is dead-lettered (later events of the same ticket wait
    until then: per-ticket order is kept)."""
    retry_base_s: float = Field(default=5.0, gt=0, le=3600)
    """Wait before the first retry; doubled after each failed attempt."""
    retry_max_s: float = Field(default=600.0, gt=0, le=86400)
    """Longest wait between two attempts."""
    alert_after: int = Field(default=5, ge=1, le=1000)
    """The dashboard raises an alert after this many failures in a row to one receiver."""
    open_data: bool = True
    """Publish the daily open-data figures (`GET /api/open-data/daily`, the `/data` page)."""
    producer: str = ""
    """Producer (*produsen data*) named in the open-data metadata (default: the hall's
    name)."""
    licence: str = "CC BY 4.0"
    """Licence of the open data."""
    read_rate_limit: str = Field(default="120 per minute", min_length=1, max_length=100)
    """Requests per integration token (``loket token create --role integration``) to the
    JSON API, all methods together, e.g. ``"120 per minute;3000 per hour"``."""
    act_rate_limit: str = Field(default="30 per minute", min_length=1, max_length=100)
    """Writes (e.g. ``POST /api/tickets``) per acting integration token (``--scope act``),
    counted on top of ``read_rate_limit``."""

    @field_validator("read_rate_limit", "act_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"not a rate limit: {value!r} (e.g. \"120 per minute\")") from None
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> IntegrationsSection:
        seen: set[str] = set()
        for i, hook in enumerate(self.webhooks):
            name = hook.name or f"config-{i + 1}"
            if name in seen:
                raise ValueError(f"webhook name {name!r} is used twice")
            seen.add(name)
        return self

    def webhook_names(self) -> list[str]:
        return [hook.name or f"config-{i + 1}" for i, hook in enumerate(self.webhooks)]
