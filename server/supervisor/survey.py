"""The satisfaction survey (SKM): storing one response per ticket, and the complaints and
suggestions written in it, which supervisors follow up.

Integrity: a response is accepted only for a ticket that was served (``serving`` after the
officer's START, or ``done``); from an officer's tablet (a signed-in officer, or the counter
tablet's signed survey token) only for a ticket of that officer's / tablet's counter; and a
ticket that is a no-show counts in no IKM, even when it became one after its survey
(:func:`counts_in_ikm`, used by :func:`loket.server.supervisor.reports.ikm_groups`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from loket.server import ikm
from loket.server.auth import Principal
from loket.server.errors import HubError, bad_request
from loket.server.hub import Hub, hash_token
from loket.server.models import Counter, Ticket, TicketStatus
from loket.server.supervisor.models import SurveyResponse

log = logging.getLogger(__name__)
MAX_COMMENT = 1000
SURVEYABLE = (TicketStatus.SERVING, TicketStatus.DONE)
"""A citizen can answer once served (START pressed, or done): at the counter's tablet, or at
the exit afterwards. A ticket only called may still become a no-show."""


def counts_in_ikm() -> ColumnElement[bool]:
    """SQL condition on :class:`Ticket` for responses that count in the IKM: not a no-show."""
    return Ticket.status != TicketStatus.NO_SHOW


def counter_rule(principal: Principal | None, tablet_counter: str | None
                 ) -> Callable[[str | None], bool] | None:
    """Which tickets' counters a response may come from: the counter a tablet's signed
    survey token names, and the counters a signed-in officer may operate; None: any (a
    citizen's own phone, a supervisor)."""
    officer = principal if principal is not None and principal.role == "officer" else None
    if tablet_counter is None and officer is None:
        return None

    def allowed(counter_id: str | None) -> bool:
        if counter_id is None:
            return False
        if tablet_counter is not None and counter_id != tablet_counter:
            return False
        return officer is None or officer.may_operate(counter_id)

    return allowed


def record_response(
    hub: Hub, token: str | None, scores: object, comment: str = "",
    ticket_id: int | None = None,
    counter_allowed: Callable[[str | None], bool] | None = None,
) -> dict[str, Any]:
    """Store a response for the ticket of the status ``token`` (or of ``ticket_id``, from a
    counter tablet's signed survey token). ``counter_allowed`` (:func:`counter_rule`) says
    which counters' tickets this tablet or officer may answer for.

    HubError: 400 bad scores or comment, 404 unknown token, 403 ``survey_other_counter``, 409
    already answered or the ticket has not been served."""
    try:
        values = ikm.validate_scores(scores)
    except ikm.SurveyError as exc:
        raise bad_request(str(exc)) from None
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise bad_request(f"the comment is longer than {MAX_COMMENT} characters")
    if ticket_id is None and (not token or len(token) > 64):
        raise HubError("not_found")
    now = hub.clock()
    try:
        with hub.db.session() as s:
            if ticket_id is not None:
                ticket = s.get(Ticket, ticket_id)
            else:
                ticket = s.scalars(
                    select(Ticket).where(Ticket.status_token_hash == hash_token(str(token)))
                ).one_or_none()
            if ticket is None:
                raise HubError("not_found")
            if counter_allowed is not None and not counter_allowed(ticket.counter_id):
                log.warning("survey for %s refused: served at counter %s, not this tablet's",
                            ticket.label, ticket.counter_id)
                raise HubError("survey_other_counter", ticket=ticket.label)
            if s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket.id)):
                raise HubError("survey_done", ticket=ticket.label)
            if ticket.status not in SURVEYABLE:
                raise HubError("survey_not_served", ticket=ticket.label)
            row = SurveyResponse(
                ticket_id=ticket.id,
                ts=now,
                day=hub.day(now),
                service=ticket.service,
                counter_id=ticket.counter_id,
                officer=ticket.officer,
                comment=comment,
                has_comment=1 if comment else 0,
                handled_note="",
                **{f"u{i + 1}": v for i, v in enumerate(values)},
            )
            s.add(row)
            s.flush()
            label, service = ticket.label, ticket.service
    except IntegrityError:
        # Two tablets answered at once: the unique ticket_id let only one in.
        raise HubError("survey_done", ticket="") from None
    log.info("survey response for %s", label)
    return {"ticket": label, "service": service, "recorded_at": hub.iso(now)}


COUNTER_TABLET_WINDOW_S = 30 * 60
"""A counter's tablet offers the survey for the ticket it serves now, or else the last one it
finished within this many seconds."""


def counter_ticket_id(hub: Hub, counter_id: str) -> int | None:
    """The ticket a counter's tablet asks about: the current one once it is being served
    (START), else — when the counter has no current ticket — the last finished at this counter
    recently that has no answer yet. A citizen only called (who may not come) gets nothing,
    and neither does the previous citizen's ticket while a new one stands at the counter."""
    with hub.db.read() as s:
        row = s.get(Counter, counter_id)
        if row is not None and row.current_ticket_id is not None:
            current = s.get(Ticket, row.current_ticket_id)
            if current is not None and current.status == TicketStatus.SERVING:
                return int(current.id)
            return None
        answered = select(SurveyResponse.ticket_id).where(
            SurveyResponse.ticket_id == Ticket.id
        ).exists()
        found = s.scalar(
            select(Ticket.id)
            .where(
                Ticket.counter_id == counter_id,
                Ticket.status == TicketStatus.DONE,
                Ticket.finished_ts >= hub.clock() - COUNTER_TABLET_WINDOW_S,
                ~answered,
            )
            .order_by(Ticket.finished_ts.desc())
            .limit(1)
        )
        return int(found) if found is not None else None


def survey_ticket(
    hub: Hub, token: str | None, ticket_id: int | None = None
) -> dict[str, Any] | None:
    """What the survey page shows about the ticket of a status token or id (None if
    unknown)."""
    if ticket_id is None and (not token or len(token) > 64):
        return None
    with hub.db.read() as s:
        if ticket_id is not None:
            ticket = s.get(Ticket, ticket_id)
        else:
            ticket = s.scalars(
                select(Ticket).where(Ticket.status_token_hash == hash_token(str(token)))
            ).one_or_none()
        if ticket is None:
            return None
        answered = s.scalar(
            select(func.count()).select_from(SurveyResponse)
            .where(SurveyResponse.ticket_id == ticket.id)
        )
        svc = hub.services.get(ticket.service)
        return {
            "ticket": ticket.label,
            "service": ticket.service,
            "service_name": svc.name if svc else ticket.service,
            "answered": bool(answered),
            "servable": ticket.status in SURVEYABLE,
        }


def complaints(hub: Hub, include_handled: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Comments from the survey, newest first; open ones only unless asked."""
    with hub.db.read() as s:
        query = (
            select(SurveyResponse, Ticket.label)
            .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
            .where(SurveyResponse.has_comment == 1)
            .order_by(SurveyResponse.ts.desc())
            .limit(limit)
        )
        if not include_handled:
            query = query.where(SurveyResponse.handled_ts.is_(None))
        rows = s.execute(query).all()
    out = []
    for row, label in rows:
        result = ikm.ikm_from_sums(1, [getattr(row, f"u{i}") for i in range(1, 10)])
        out.append(
            {
                "id": row.id,
                "at": hub.iso(row.ts),
                "ticket": label,
                "service": row.service,
                "counter": row.counter_id,
                "officer": row.officer,
                "comment": row.comment,
                "ikm": float(result.ikm) if result.ikm is not None else None,
                "handled": row.handled_ts is not None,
                "handled_at": hub.iso(row.handled_ts),
                "handled_by": row.handled_by,
                "handled_note": row.handled_note,
            }
        )
    return out


def mark_handled(hub: Hub, response_id: int, actor: str, note: str = "") -> dict[str, Any]:
    """Mark a complaint followed up; audited with who, when and the note."""
    if len(note) > 500:
        raise bad_request("the note is longer than 500 characters")
    now = hub.clock()
    with hub.db.session() as s:
        row = s.get(SurveyResponse, response_id)
        if row is None or not row.has_comment:
            raise HubError("not_found")
        if row.handled_ts is not None:
            raise HubError("already_handled")
        row.handled_ts, row.handled_by, row.handled_note = now, actor, note.strip()
    hub.audit(actor, "complaint:handled", str(response_id), note.strip())
    return {"id": response_id, "handled_at": hub.iso(now), "handled_by": actor}
