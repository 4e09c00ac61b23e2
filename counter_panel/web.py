"""The officers' web panel: ``/counter`` (choose a counter) and ``/counter/<id>`` (the big
buttons), its data at ``/counter/<id>/data``, and the Socket.IO namespace ``/counter`` that
tells an open panel when its counter, the queue or its calls change.

Actions go through the JSON API (``POST /api/counters/<id>/<action>`` with the session cookie
and ``X-CSRFToken``), so the panel, the keypads and any integration share one code path and
see the same state."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_socketio import join_room
from sqlalchemy import select

from loket.counter_panel import messages  # noqa: F401  (registers the panel's texts)
from loket.server.auth import Principal, principal_from_socket
from loket.server.context import get_hub
from loket.server.events import Event
from loket.server.extensions import socketio
from loket.server.i18n import catalog, register
from loket.server.models import Ticket, TicketStatus

register({
    "counter.sign_in": {"id": "Masuk bertugas di loket ini", "en": "Sign in at this counter"},
    "counter.signed_in_other": {
        "id": "Petugas yang tercatat di loket ini: {name}. Panggilan dari keypad dicatat atas "
              "nama petugas yang masuk bertugas.",
        "en": "Officer signed in at this counter: {name}. Keypad calls are credited to the "
              "officer signed in here.",
    },
})
log = logging.getLogger(__name__)
NAMESPACE = "/counter"
bp = Blueprint("counter_panel", __name__, url_prefix="/counter", template_folder="templates",
               static_folder="static", static_url_path="/static")


def _hub() -> Any:
    return get_hub()


def _principal() -> Principal:
    principal: Principal = current_user.principal
    return principal


def allowed_counters(principal: Principal) -> list[Any]:
    return [c for c in _hub().counters.values() if principal.may_operate(c.id)]


@bp.get("")
@bp.get("/")
@login_required
def choose() -> Any:
    counters = allowed_counters(_principal())
    wanted = request.args.get("counter")
    if wanted and any(c.id == wanted for c in counters):
        return redirect(url_for("counter_panel.panel", counter_id=wanted))
    if len(counters) == 1:
        return redirect(url_for("counter_panel.panel", counter_id=counters[0].id))
    return render_template("counter_panel/choose.html", counters=counters)


@bp.get("/<counter_id>")
@login_required
def panel(counter_id: str) -> Any:
    hub = _hub()
    counter = hub.counters.get(counter_id)
    if counter is None:
        abort(404)
    if not _principal().may_operate(counter_id):
        abort(403)
    # Opening the page changes nothing (a supervisor looking at it does not become the
    # counter's officer); signing in is the explicit POST below.
    signed_in = hub.counter_state(counter_id).get("officer")
    services = [{"prefix": p, "name": s.name, "name_en": s.name_en or s.name}
                for p, s in hub.services.items()]
    return render_template(
        "counter_panel/panel.html",
        counter=counter,
        services=services,
        texts=catalog(g.lang, "counter."),
        several=len(allowed_counters(_principal())) > 1,
        signed_in=signed_in,
    )


@bp.post("/<counter_id>/signin")
@login_required
def sign_in(counter_id: str) -> Any:
    """The officer signs in at this counter (a CSRF-protected form): keypad calls from now on
    are credited to them in the reports."""
    hub = _hub()
    if counter_id not in hub.counters:
        abort(404)
    if not _principal().may_operate(counter_id):
        abort(403)
    name = current_user.username  # as the API records it on every action
    if hub.counter_state(counter_id).get("officer") != name:
        for other in hub.counters:  # one person works at one counter at a time
            if other != counter_id and hub.counter_state(other).get("officer") == name:
                hub.set_officer(other, None)
        hub.set_officer(counter_id, name)
        hub.audit(_principal().label, "counter:signin", counter_id)
    return redirect(url_for("counter_panel.panel", counter_id=counter_id))


@bp.get("/<counter_id>/data")
@login_required
def data(counter_id: str) -> Any:
    hub = _hub()
    if counter_id not in hub.counters:
        abort(404)
    if not _principal().may_operate(counter_id):
        abort(403)
    return jsonify(panel_data(hub, counter_id))


def panel_data(hub: Any, counter_id: str) -> dict[str, Any]:
    """The panel's whole picture of one counter."""
    counter = hub.counters[counter_id]
    counts = hub.waiting_counts()
    with hub.db.read() as s:
        rows = s.scalars(
            select(Ticket)
            .where(Ticket.day == hub.day(), Ticket.counter_id == counter_id,
                   Ticket.status.in_((TicketStatus.DONE, TicketStatus.NO_SHOW)))
            .order_by(Ticket.finished_ts.desc())
            .limit(100)
        ).all()
        served = [
            {
                "ticket": t.label,
                "service": t.service,
                "status": t.status,
                "booked": bool(t.booked),  # checked in from an online booking
                "called_at": hub.iso(t.called_ts),
                "duration_s": round(t.finished_ts - t.served_ts)
                if t.finished_ts and t.served_ts else None,
            }
            for t in rows
        ]
    return {
        "state": hub.counter_state(counter_id),
        "waiting": [{"prefix": p, "name": hub.services[p].name, "waiting": counts.get(p, 0)}
                    for p in counter.services],
        "served": served,
        "now": hub.iso(hub.clock()),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    hub = get_hub(app)

    @socketio.on("connect", namespace=NAMESPACE)
    def _connect(auth: Any = None) -> bool:
        principal = principal_from_socket(auth)
        counter_id = str(auth.get("counter", "")) if isinstance(auth, dict) else ""
        if principal is None or counter_id not in hub.counters \
                or not principal.may_operate(counter_id):
            return False
        join_room(f"counter:{counter_id}", namespace=NAMESPACE)
        return True

    def on_event(event: Event) -> None:
        if event.remote:  # its process already pushed it to every process's panels
            return
        data = event.data
        if event.kind in ("counter", "call"):
            room = f"counter:{data.get('counter')}"
            socketio.emit(event.kind, data, namespace=NAMESPACE, to=room)
        elif event.kind == "queue":
            socketio.emit("queue", data, namespace=NAMESPACE)

    hub.events.subscribe(on_event, {"counter", "call", "queue"})
