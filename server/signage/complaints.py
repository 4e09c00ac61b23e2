"""Online complaints and suggestions (pengaduan): filed by citizens on ``/pengaduan`` (optionally
tied to their ticket's status token), read back with a token of their own, answered by
supervisors. Minimal personal data (UU 27/2022): no name or ID number is asked for."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import func, select

from loket.server import report_stats
from loket.server.errors import HubError, bad_request
from loket.server.hub import Hub, hash_token
from loket.server.models import Ticket
from loket.server.signage.models import Complaint

log = logging.getLogger(__name__)
KINDS = ("pengaduan", "saran")
MAX_TEXT = 2000
MAX_CONTACT = 120
MAX_ANSWER = 2000


def file(hub: Hub, kind: str, text: str, service: str | None = None,
         status_token: str | None = None, contact: str = "") -> str:
    """Store a complaint and return its reading token (shown to the citizen once)."""
    if kind not in KINDS:
        raise bad_request("kind must be 'pengaduan' or 'saran'")
    text = (text or "").strip()
    if len(text) < 5:
        raise bad_request("please write at least a few words")
    if len(text) > MAX_TEXT:
        raise bad_request(f"the text is longer than {MAX_TEXT} characters")
    contact = (contact or "").strip()
    if len(contact) > MAX_CONTACT:
        raise bad_request(f"the contact is longer than {MAX_CONTACT} characters")
    service = (service or "").strip().upper() or None
    if service is not None and service not in hub.services:
        raise HubError("unknown_service", service=service[:4])
    token = secrets.token_urlsafe(18)
    now = hub.clock()
    with hub.db.session() as s:
        ticket_id = None
        if status_token:
            ticket = s.scalars(select(Ticket).where(
                Ticket.status_token_hash == hash_token(status_token[:64]))).one_or_none()
            if ticket is not None:
                ticket_id = ticket.id
                service = service or ticket.service
        s.add(Complaint(ts=now, day=hub.day(now), token_hash=hash_token(token), kind=kind,
                        service=service, ticket_id=ticket_id, text=text, contact=contact,
                        answer=""))
    log.info("online %s filed", kind)
    return token


def by_token(hub: Hub, token: str) -> dict[str, Any] | None:
    if not token or len(token) > 64:
        return None
    with hub.db.read() as s:
        row = s.scalars(select(Complaint).where(
            Complaint.token_hash == hash_token(token))).one_or_none()
        if row is None:
            return None
        return {"kind": row.kind, "service": row.service, "text": row.text,
                "filed_at": hub.iso(row.ts), "answer": row.answer or None,
                "answered_at": hub.iso(row.answered_ts)}


def listing(hub: Hub, include_answered: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Online complaints for supervisors, newest first, in the shape of the survey's comments
    (``source`` tells them apart)."""
    with hub.db.read() as s:
        query = select(Complaint).order_by(Complaint.ts.desc()).limit(limit)
        if not include_answered:
            query = query.where(Complaint.answered_ts.is_(None))
        rows = s.scalars(query).all()
        labels = {}
        ids = [r.ticket_id for r in rows if r.ticket_id]
        if ids:
            found = s.execute(select(Ticket.id, Ticket.label).where(Ticket.id.in_(ids)))
            labels = {int(i): str(label) for i, label in found}
        return [
            {
                "id": r.id, "source": "pengaduan", "kind": r.kind, "at": hub.iso(r.ts),
                "ticket": labels.get(r.ticket_id) if r.ticket_id else None,
                "service": r.service, "counter": None, "officer": None, "comment": r.text,
                "contact": r.contact, "ikm": None, "handled": r.answered_ts is not None,
                "handled_at": hub.iso(r.answered_ts), "handled_by": r.answered_by,
                "handled_note": r.answer,
            }
            for r in rows
        ]


def answer(hub: Hub, complaint_id: int, text: str, actor: str) -> dict[str, Any]:
    text = (text or "").strip()
    if not text:
        raise bad_request("field 'answer' is required")
    if len(text) > MAX_ANSWER:
        raise bad_request(f"the answer is longer than {MAX_ANSWER} characters")
    now = hub.clock()
    with hub.db.session() as s:
        row = s.get(Complaint, complaint_id)
        if row is None:
            raise HubError("not_found")
        row.answer, row.answered_ts, row.answered_by = text, now, actor
    hub.audit(actor, "complaint:answered", f"pengaduan:{complaint_id}", text[:500])
    return {"id": complaint_id, "answered_at": hub.iso(now), "answered_by": actor}


def period_summary(hub: Hub, period: report_stats.Period) -> dict[str, Any]:
    """Complaints received and answered in a period, with the answers (no complaint text and
    no contact: only what the hall wrote), for the published SKM follow-up."""
    first, last = period.first.isoformat(), period.last.isoformat()
    with hub.db.read() as s:
        in_period = Complaint.day.between(first, last)
        received = s.scalar(select(func.count()).select_from(Complaint).where(in_period)) or 0
        rows = s.scalars(
            select(Complaint).where(in_period, Complaint.answered_ts.is_not(None))
            .order_by(Complaint.answered_ts.desc()).limit(20)
        ).all()
        answered = s.scalar(select(func.count()).select_from(Complaint).where(
            in_period, Complaint.answered_ts.is_not(None))) or 0
        return {
            "received": int(received), "answered": int(answered),
            "answers": [{"kind": r.kind, "service": r.service, "answer": r.answer,
                         "answered_at": hub.iso(r.answered_ts)} for r in rows],
        }
