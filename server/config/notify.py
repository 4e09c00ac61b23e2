"""``[notify]`` and ``[[notify.channels]]``: notices on citizens' phones (WhatsApp, SMS) and
booking e-mails, sent by `loket notify worker` through an outbox (see docs/notifications.md)."""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, field_validator, model_validator

from loket.server.config.base import Section, http_url

NOTICE_KINDS = (
    "issued", "near", "called", "recalled", "skipped",
    "booking_confirmed", "booking_reminder_day", "booking_reminder_hour", "booking_cancelled",
    "test",
)
"""Every kind of notice; ``[notify.templates.id]`` and ``.en`` may override any of them."""
PLACEHOLDERS = frozenset({
    "ticket", "service", "counter", "zone", "hall", "status_url", "ahead", "minutes",
    "code", "date", "start", "booking_url", "reason",
})
"""Names a notice template may use in braces (``{ticket}``)."""
BODY_PLACEHOLDERS = frozenset({"phone", "text", "ticket", "counter", "kind", "key", "lang"})
"""Names a webhook ``body`` value may use: the recipient, the rendered text and the ticket."""
SECRET_PREFIXES = ("env:", "file:")

_KIND_KEYS: dict[str, frozenset[str]] = {
    "webhook": frozenset({"url", "method", "headers", "format", "body"}),
    "whatsapp_cloud": frozenset({"base_url", "phone_number_id", "token", "template",
                                 "template_languages"}),
    "smtp": frozenset({"host", "port", "security", "username", "password", "from_addr"}),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "webhook": ("url", "body"),
    "whatsapp_cloud": ("phone_number_id", "token"),
    "smtp": ("host", "from_addr"),
}
_COMMON_KEYS = frozenset({"name", "kind", "timeout_s", "rate_per_minute"})


def _fields(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ValueError(f"{exc} in {template!r}") from None


class ChannelSection(Section):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,31}$")
    """Channel name, used by `loket notify test --channel NAME` and on the dashboard."""
    kind: Literal["webhook", "whatsapp_cloud", "smtp"]
    """``webhook`` (any HTTP gateway: Indonesian WhatsApp gateways, SMS), ``whatsapp_cloud``
    (Meta's WhatsApp Business Cloud API, template messages) or ``smtp`` (e-mail, bookings)."""
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    """Longest wait for the gateway or mail server per message, in seconds (connect and
    answer); a timeout counts as a failure and is retried."""
    rate_per_minute: int = Field(default=60, ge=1, le=6000)
    """Most messages this channel sends per minute (per worker process)."""
    url: str = ""
    """webhook: the gateway's URL (``https://...``)."""
    method: Literal["POST", "PUT", "GET"] = "POST"
    """webhook: HTTP method."""
    headers: dict[str, str] = Field(default_factory=dict)
    """webhook: extra request headers; a value ``"env:NAME"`` is read from the environment
    variable NAME, ``"file:/path"`` from a file only Loket's user may read."""
    format: Literal["json", "form"] = "json"
    """webhook: how ``body`` is encoded (``json``, or ``form`` for
    application/x-www-form-urlencoded; with GET, the query string)."""
    body: dict[str, str] = Field(default_factory=dict)
    """webhook: the request's fields; each value is a template with ``{phone}`` (E.164
    without ``+``; ``{phone_plus}`` is not offered on purpose), ``{text}``, ``{ticket}``,
    ``{counter}``, ``{kind}``, ``{key}`` (the notice's idempotency key) and ``{lang}``. Values
    may also be ``"env:NAME"`` (an API key sent in the body)."""
    base_url: str = "https://graph.facebook.com/v21.0"
    """whatsapp_cloud: the Graph API base URL (tests point it at a local server)."""
    phone_number_id: str = ""
    """whatsapp_cloud: the sending number's id in WhatsApp Manager."""
    token: str = ""
    """whatsapp_cloud: access token, ``"env:NAME"`` or ``"file:/path"`` (never in this
    file)."""
    template: str = "loket_notice"
    """whatsapp_cloud: name of the approved message template; its body has one parameter
    ``{{1}}`` that receives the notice's text."""
    template_languages: dict[str, str] = Field(
        default_factory=lambda: {"id": "id", "en": "en"})
    """whatsapp_cloud: the template's language code for each Loket language."""
    host: str = ""
    """smtp: mail server host."""
    port: int = Field(default=587, ge=1, le=65535)
    """smtp: mail server port."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    """smtp: ``starttls`` (port 587), ``ssl`` (port 465) or ``none`` (a relay on the LAN)."""
    username: str = ""
    """smtp: login name (empty: no login)."""
    password: str = ""
    """smtp: password, ``"env:NAME"`` or ``"file:/path"``."""
    from_addr: str = ""
    """smtp: sender address (``antrean@mpp.example.go.id``)."""

    @model_validator(mode="after")
    def _kind_keys(self) -> ChannelSection:
        allowed = _COMMON_KEYS | _KIND_KEYS[self.kind]
        for key in sorted(self.model_fields_set - allowed):
            raise ValueError(f"{key!r} is not a setting of a {self.kind} channel")
        for key in _REQUIRED[self.kind]:
            if not getattr(self, key):
                raise ValueError(f"a {self.kind} channel needs {key!r}")
        for key in ("token", "password"):
            value = getattr(self, key)
            if value and not value.startswith(SECRET_PREFIXES):
                raise ValueError(f"{key!r} must be \"env:NAME\" or \"file:/path\", not the "
                                 "secret itself")
        if self.kind == "webhook":
            if not self.url.startswith(("http://", "https://")):
                raise ValueError(f"'url' must start with http:// or https:// (got {self.url!r})")
            for key, value in self.body.items():
                unknown = _fields(value) - BODY_PLACEHOLDERS if not value.startswith(
                    SECRET_PREFIXES) else set()
                if unknown:
                    raise ValueError(f"body.{key}: unknown placeholder(s) "
                                     f"{', '.join(sorted(unknown))}; use "
                                     f"{', '.join(sorted(BODY_PLACEHOLDERS))}")
        if self.kind == "whatsapp_cloud" and not self.base_url.startswith(
                ("http://", "https://")):
            raise ValueError(f"'base_url' must start with http:// or https:// "
                             f"(got {self.base_url!r})")
        return self


class NotifySection(Section):
    near_position: int = Field(default=3, ge=1, le=50)
    """Send "your turn is near" when this many people (or fewer) are ahead of the ticket."""
    near_minutes: int = Field(default=0, ge=0, le=240)
    """Also send it when the estimated wait falls under this many minutes (0: only
    ``near_position``)."""
    public_url: str = ""
    """Base URL of the status links in notices (``https://antrean.mpp.example.go.id``).
    Empty: ``[kiosk] public_url``. Never taken from a request."""
    max_attempts: int = Field(default=8, ge=1, le=100)
    """Attempts per notice (each tries every channel in order) before it is dead-lettered."""
    retry_base_s: float = Field(default=5.0, gt=0, le=3600)
    """Wait before the first retry; doubled after each failed attempt."""
    retry_max_s: float = Field(default=600.0, gt=0, le=86400)
    """Longest wait between two attempts."""
    workers: int = Field(default=4, ge=1, le=64)
    """Messages the worker sends at once (threads)."""
    poll_s: float = Field(default=1.0, ge=0.05, le=60)
    """How often the worker looks for new notices, in seconds."""
    alert_after: int = Field(default=5, ge=1, le=1000)
    """The dashboard raises an alert after this many failures in a row on one channel."""
    keep_days: int = Field(default=7, ge=1, le=366)
    """Days sent and dead-lettered notices are kept for the delivery figures (they never hold
    a phone number: numbers are deleted at the end of the ticket's day)."""
    run_worker: bool = True
    """`loket serve` starts the sender (`loket notify worker`) as its child process, which
    ends with it. False: run `loket notify worker` yourself (e.g. its own systemd unit, or on
    another machine). Several senders are safe: each notice is claimed by exactly one."""
    channels: list[ChannelSection] = Field(default_factory=list)
    """[[notify.channels]]: tried in order for each notice until one accepts it. None: no
    notices are sent and the opt-in is not offered."""
    templates: dict[Literal["id", "en"], dict[str, str]] = Field(default_factory=dict)
    """Per-hall wording: ``[notify.templates.id]`` and ``[notify.templates.en]``, each a table
    of notice kind → text with placeholders such as ``{ticket}``, ``{counter}``, ``{zone}``,
    ``{status_url}``, ``{ahead}`` (see docs/notifications.md)."""

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_url(value).rstrip("/")

    @field_validator("templates")
    @classmethod
    def _templates(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for lang, texts in value.items():
            for kind, text in texts.items():
                if kind not in NOTICE_KINDS:
                    raise ValueError(f"{lang}.{kind}: unknown notice kind; known: "
                                     f"{', '.join(NOTICE_KINDS)}")
                unknown = _fields(text) - PLACEHOLDERS
                if unknown:
                    raise ValueError(f"{lang}.{kind}: unknown placeholder(s) "
                                     f"{', '.join(sorted(unknown))}")
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> NotifySection:
        seen: set[str] = set()
        for channel in self.channels:
            if channel.name in seen:
                raise ValueError(f"channel name {channel.name!r} is used twice")
            seen.add(channel.name)
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.channels)
