"""Delivering one rendered message through one channel: an HTTP gateway (``webhook``), Meta's
WhatsApp Business Cloud API (``whatsapp_cloud``, template messages) or a mail server
(``smtp``). Blocking calls, always with a timeout: they run in the worker's threads, never in
the hub's event loop. Secrets come from ``env:NAME`` or ``file:/path`` (a file only Loket's
user may read)."""

from __future__ import annotations

import os
import smtplib
import ssl
import stat
import string
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests

from loket.server.config.notify import ChannelSection


class DeliveryError(Exception):
    """This channel did not take the message; another channel or a later attempt may."""


class SecretError(DeliveryError):
    """A secret named by the config cannot be read (a setup problem, shown as last error)."""


@dataclass(frozen=True)
class Message:
    key: str
    kind: str
    to: str
    """E.164 phone (``+62...``) or e-mail address."""
    text: str
    lang: str
    ticket: str = ""
    counter: str = ""
    subject: str = ""

    @property
    def is_email(self) -> bool:
        return "@" in self.to


def secret(value: str) -> str:
    """``env:NAME`` → the variable's value; ``file:/path`` → the file's first line (refused
    when others than its owner may read it); anything else as it is."""
    if value.startswith("env:"):
        name = value[4:]
        found = os.environ.get(name)
        if not found:
            raise SecretError(f"environment variable {name} is not set")
        return found
    if value.startswith("file:"):
        path = Path(value[5:])
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise SecretError(f"{path} may be read by others (chmod 600 it)")
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"cannot read {path}: {exc.strerror}") from None
    return value


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, fields: dict[str, Any]) -> str:
    if template.startswith(("env:", "file:")):
        return secret(template)
    return string.Formatter().vformat(template, (), _Blank(fields))


class RateLimit:
    """A token bucket: ``per_minute`` messages a minute, at most that many in a burst."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.lock = threading.Lock()

    def available(self) -> int:
        """Tokens free now (nothing taken)."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            return int(self.tokens)

    def take(self) -> float:
        """Take a token; returns 0, or the seconds until one is free (nothing taken)."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate


class Channel:
    """One configured channel."""

    def __init__(self, config: ChannelSection, session: requests.Session | None = None):
        self.config = config
        self.name = config.name
        self.limit = RateLimit(config.rate_per_minute)
        self._http = session or requests.Session()

    def accepts(self, message: Message) -> bool:
        return message.is_email == (self.config.kind == "smtp")

    def send(self, message: Message) -> None:
        """Deliver or raise :class:`DeliveryError`."""
        try:
            if self.config.kind == "smtp":
                self._smtp(message)
            elif self.config.kind == "whatsapp_cloud":
                self._http_call("POST", self._cloud_url(), message,
                                json_body=self._cloud_body(message),
                                headers={"Authorization":
                                         f"Bearer {secret(self.config.token)}"})
            else:
                self._webhook(message)
        except requests.Timeout:
            raise DeliveryError(f"no answer within {self.config.timeout_s:g} s") from None
        except requests.ConnectionError as exc:
            raise DeliveryError(f"connection failed: {_short(exc)}") from None
        except requests.RequestException as exc:
            raise DeliveryError(f"request failed: {_short(exc)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"mail server: {_short(exc)}") from None

    # ------------------------------------------------------------------ HTTP
    def _webhook(self, message: Message) -> None:
        c = self.config
        fields = {"phone": message.to.lstrip("+"), "text": message.text,
                  "ticket": message.ticket, "counter": message.counter, "kind": message.kind,
                  "key": message.key, "lang": message.lang}
        body = {name: _fill(value, fields) for name, value in c.body.items()}
        headers = {name: secret(value) for name, value in c.headers.items()}
        if c.method == "GET":
            self._http_call("GET", c.url, message, params=body, headers=headers)
        elif c.format == "form":
            self._http_call(c.method, c.url, message, data=body, headers=headers)
        else:
            self._http_call(c.method, c.url, message, json_body=body, headers=headers)

    def _cloud_url(self) -> str:
        return f"{self.config.base_url.rstrip('/')}/{self.config.phone_number_id}/messages"

    def _cloud_body(self, message: Message) -> dict[str, Any]:
        languages = self.config.template_languages
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.lstrip("+"),
            "type": "template",
            "template": {
                "name": self.config.template,
                "language": {"code": languages.get(message.lang, languages.get("id", "id"))},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": message.text}]}],
            },
        }

    def _http_call(self, method: str, url: str, message: Message, *,
                   headers: dict[str, str], json_body: Any = None,
                   data: dict[str, str] | None = None,
                   params: dict[str, str] | None = None) -> None:
        timeout = self.config.timeout_s
        response = self._http.request(
            method, url, json=json_body, data=data, params=params,
            headers={"Idempotency-Key": message.key, "User-Agent": "Loket-notify",
                     **headers},
            timeout=(min(timeout, 5.0), timeout), allow_redirects=False,
        )
        with response:
            if not 200 <= response.status_code < 300:
                raise DeliveryError(f"HTTP {response.status_code}: "
                                    f"{' '.join(response.text[:120].split())}")

    # ------------------------------------------------------------------ e-mail
    def _smtp(self, message: Message) -> None:
        c = self.config
        mail = EmailMessage()
        mail["From"] = c.from_addr
        mail["To"] = message.to
        mail["Subject"] = message.subject or message.text[:60]
        mail["Message-ID"] = f"<{message.key.replace(':', '.')}@loket>"
        mail.set_content(message.text)
        smtp: smtplib.SMTP
        if c.security == "ssl":
            smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
        with smtp:
            if c.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if c.username:
                smtp.login(c.username, secret(c.password))
            smtp.send_message(mail)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] or exc.__class__.__name__
