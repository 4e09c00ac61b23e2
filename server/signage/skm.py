"""The SKM results a hall publishes: the IKM of a period chosen by supervisors, its grade, the
nine elements, the number of respondents and the follow-up ("Tindak lanjut": the supervisors'
notes and the complaints answered in the period). The IKM itself comes from the supervisor's
reports (:func:`loket.server.supervisor.reports.hall_ikm`), never recomputed here."""

from __future__ import annotations

from datetime import date
from typing import Any

from loket.server import ikm, report_stats
from loket.server.errors import bad_request
from loket.server.hub import Hub
from loket.server.signage import complaints, content
from loket.server.supervisor import reports

MAX_NOTES = 4000


def period(hub: Hub) -> report_stats.Period:
    """The published period: the supervisors' choice, else this month so far."""
    chosen = content.note(hub, "skm")
    today = hub.local(hub.clock()).date()
    try:
        if chosen.get("from") and chosen.get("to"):
            return report_stats.parse_period(chosen["from"], chosen["to"], today)
    except report_stats.PeriodError:
        pass
    return report_stats.Period(today.replace(day=1), today)


def set_public(hub: Hub, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Supervisors choose the period (``from``/``to``) and write the follow-up notes."""
    notes = body.get("follow_up", "")
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        raise bad_request(f"'follow_up' must be text of at most {MAX_NOTES} characters")
    try:
        chosen = report_stats.parse_period(body.get("from"), body.get("to"),
                                           hub.local(hub.clock()).date())
    except (report_stats.PeriodError, TypeError) as exc:
        raise bad_request(str(exc)) from None
    value = {"from": chosen.first.isoformat(), "to": chosen.last.isoformat(),
             "follow_up": notes.strip()}
    content.set_note(hub, "skm", value, actor)
    return public(hub)


def _label(first: date, last: date, lang: str) -> str:
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} – {last.isoformat()}"


def public(hub: Hub, lang: str = "id") -> dict[str, Any]:
    chosen = period(hub)
    with hub.db.read() as s:
        result = reports.hall_ikm(s, hub, chosen).as_dict(lang)
    averages = result["elements"]
    assert isinstance(averages, list)
    elements = [
        {"key": e["key"], "name": e["id"] if lang == "id" else e["en"], "average": avg,
         "ikm": None if avg is None else round(float(avg) * 25, 2)}
        for e, avg in zip(ikm.ELEMENTS, averages, strict=True)
    ]
    notes = str(content.note(hub, "skm").get("follow_up", ""))
    return {
        "period": {"from": chosen.first.isoformat(), "to": chosen.last.isoformat(),
                   "label": _label(chosen.first, chosen.last, lang)},
        "ikm": result["ikm"],
        "grade": result["grade"],
        "grade_text": result["grade_text"],
        "respondents": result["respondents"],
        "elements": elements,
        "follow_up": {
            "notes": notes,
            "complaints": complaints.period_summary(hub, chosen),
        },
    }
