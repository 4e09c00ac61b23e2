"""Who may issue tickets how fast, and with what (``POST /api/tickets``).

- A **paired kiosk** (its ``loket_kiosk`` cookie, see :mod:`loket.server.kiosk.devices`) is counted
  on its own, with its ``rate_limit`` or ``[kiosk] paired_rate_limit``: a limit only a stuck
  or abused device reaches. When it trips, the supervisor dashboard shows an alert.
- **Anyone else** (no kiosk cookie, no token, no session) is counted per IP address with the
  strict ``[kiosk] rate_limit``. A ``kiosk`` id in the body does not change that: it is ignored
  (the ticket is recorded without a kiosk), so it cannot be forged to get another allowance.
  Asking for ``priority`` is refused with ``403 {"error": "priority_forbidden"}``: only a
  paired kiosk, an officer or supervisor session or a device token may issue priority
  tickets (a citizen who needs one is told to ask an officer, instead of silently getting a
  regular ticket).
- Device, supervisor and admin tokens/sessions are not limited (:mod:`loket.server.api`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_limiter.util import get_remote_address

from loket.server.auth import current_principal
from loket.server.context import get_config, get_hub
from loket.server.errors import HubError
from loket.server.kiosk.devices import KioskInfo, current_kiosk, get_kiosk, note_limited

if TYPE_CHECKING:
    from loket.server.hub import Hub


def _hub() -> Hub:
    hub: Hub = get_hub()
    return hub


def _kiosk() -> KioskInfo | None:
    return current_kiosk(_hub())


def kiosk_rate_key() -> str:
    kiosk = _kiosk()
    return f"kiosk:{kiosk.id}" if kiosk else f"ip:{get_remote_address()}"


def kiosk_rate_limit() -> str:
    kiosk = _kiosk()
    config = get_config()
    if kiosk is not None:
        return kiosk.rate_limit or str(config.kiosk.paired_rate_limit)
    return str(config.kiosk.rate_limit)


def ticket_origin(kiosk_id: str | None, priority: bool) -> tuple[str | None, bool]:
    """The kiosk id to record and the priority to grant for this request (see above).

    HubError 403 ``kiosk_mismatch`` when a paired kiosk names another kiosk, 403
    ``priority_forbidden`` for an anonymous priority request."""
    kiosk = _kiosk()
    if kiosk is not None:
        if kiosk_id and kiosk_id != kiosk.id:
            raise HubError("kiosk_mismatch", kiosk=kiosk_id)
        return kiosk.id, priority
    if current_principal() is not None:
        return kiosk_id, priority  # officers, supervisors, device tokens: trusted
    if priority:
        raise HubError("priority_forbidden")
    return None, False


def note_refusal() -> None:
    """After a 429 on ``POST /api/tickets``: remember it for the supervisor's dashboard (a
    paired kiosk's trip, or a kiosk that is refused because it is not paired)."""
    hub = _hub()
    kiosk = _kiosk()
    if kiosk is not None:
        note_limited(hub, kiosk.id, paired=True)
        return
    body = request.get_json(silent=True) if request.is_json else None
    named = body.get("kiosk") if isinstance(body, dict) else None
    if isinstance(named, str) and get_kiosk(hub.config, hub.db, named) is not None:
        note_limited(hub, named, paired=False)
