"""Integration tokens (``loket token create --role integration [--scope read|act]``): an
agency's system reads the JSON API (``GET``; ``integration``) or also issues tickets
(``integration-act``), each token counted against its own rate limits
(``[integrations] read_rate_limit`` and ``act_rate_limit``), never against a kiosk's or an
address's. Any other write by an integration token is ``403 forbidden``."""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from limits import parse_many

from loket.server.auth import current_principal
from loket.server.errors import HubError
from loket.server.extensions import limiter

log = logging.getLogger(__name__)

ACTING_ENDPOINTS = frozenset({"api.issue_ticket", "booking_api.create_booking",
                              "booking_api.cancel_booking"})
"""What an ``integration-act`` token may write: tickets and bookings."""
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def check_integration() -> None:
    """Before every ``/api/`` request: scope and rate limits of an integration token."""
    if not request.path.startswith("/api/") or "Authorization" not in request.headers:
        return
    principal = current_principal()
    if principal is None or not principal.is_integration:
        return
    writing = request.method not in READING
    if writing and (principal.role != "integration-act"
                    or request.endpoint not in ACTING_ENDPOINTS):
        raise HubError("forbidden")
    config = current_app.config["LOKET_CONFIG"].integrations
    limits = [("read", config.read_rate_limit)]
    if writing:
        limits.append(("act", config.act_rate_limit))
    strategy = limiter.limiter
    for kind, text in limits:
        for item in parse_many(text):
            if not strategy.hit(item, "integration", kind, principal.name):
                log.info("integration %s over its %s limit %s", principal.name, kind, item)
                raise HubError("rate_limited")


def init_app(app: Flask) -> None:
    app.before_request(check_integration)
