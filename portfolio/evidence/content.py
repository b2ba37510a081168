"""The content of each kind of evidence item as plain data: what the learner sees on the
evidence page, what a submission freezes, and what the PDF prints. No database objects leave
this module."""

from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from portfolio.casework.clock import day_of, deadline_status, remedies_offered
from portfolio.casework.errors import RulesError
from portfolio.casework.models import Case, Finding, TimelineEntry
from portfolio.casework.narrative import describe_event
from portfolio.casework.queries import choice_of, records_of, spec_for, trail_events
from portfolio.casework.remedy import remedy_total
from portfolio.casework.services import sending_closed
from portfolio.extensions import db
from portfolio.record_ids import record_id
from portfolio.scenarios.schema import Scenario

# What each case-derived source is called, in the order items are listed.
SOURCE_TITLES = {
    "investigation": "Investigation",
    "resolution": "Resolution and final response",
    "analysis": "Complaint analysis",
    "recommendations": "Recommendations",
    "knowledge": "Knowledge answers",
    "reflection": "Reflective account",
    "case_log": "Case log",
}
ASSESSOR_SOURCES = {
    "professional_discussion": "Professional discussion",
    "observation": "Observation",
    "questioning": "Questioning",
}


def _investigation(case: Case, spec: Scenario, records: dict) -> dict:
    findings = db.session.scalars(
        sa.select(Finding).where(Finding.case_id == case.id).order_by(Finding.id)
    )
    timeline = db.session.scalars(
        sa.select(TimelineEntry)
        .where(TimelineEntry.case_id == case.id)
        .order_by(TimelineEntry.occurred_on, TimelineEntry.id)
    )
    events = trail_events(case)

    def source_of(f: Finding) -> str:
        if f.source == "document":
            doc = spec.document(f.document_id or "")
            return doc.title if doc else ""
        person, question = (
            spec.stakeholder(f.stakeholder_id or ""),
            spec.question(f.stakeholder_id or "", f.question_id or ""),
        )
        return f"{person.name if person else ''}: {question.text if question else ''}"

    return {
        "documents_read": [
            describe_event(spec, e).removeprefix("Requested and read: ")
            for e in events
            if e.kind == "document_requested"
        ],
        "questions_asked": [
            describe_event(spec, e).removeprefix("Asked ")
            for e in events
            if e.kind == "question_asked"
        ],
        "findings": [{"text": f.text, "source": source_of(f)} for f in findings],
        "timeline": [
            {"date": e.occurred_on.isoformat(), "description": e.description} for e in timeline
        ],
        "root_cause": records["root_cause"].data if "root_cause" in records else None,
        "summary": records["summary"].data.get("summary", "") if "summary" in records else "",
    }


def _remedy(spec: Scenario, remedy: dict | None) -> dict | None:
    if remedy is None:
        return None
    components = []
    for rid in remedy.get("remedy_ids", []):
        item = spec.remedy(rid)
        if item:
            components.append({"label": item.label, "amount": str(item.amount)})
    components += [{"label": c["label"], "amount": c["amount"]} for c in remedy.get("custom", [])]
    try:
        total = str(remedy_total(spec, choice_of(remedy)))
    except (RulesError, ArithmeticError):
        total = str(Decimal(0))
    return {"components": components, "total": total, "notes": remedy.get("notes", "")}


def _resolution(case: Case, spec: Scenario, records: dict) -> dict:
    def data(kind: str) -> dict | None:
        return records[kind].data if kind in records else None

    rounds = (data("correspondence") or {}).get("rounds", [])
    return {
        "options": data("options"),
        "remedy": _remedy(spec, data("remedy")),
        "authorisation": (data("authorisation") or {}).get("requests", []),
        "letter": (data("letter") or {}).get("text", ""),
        "correspondence": [
            {
                "round": r["round"],
                "letter": r["letter"],
                "on_time": r["on_time"],
                # The day it was sent and the deadline it was judged against, for a reader of
                # the evidence (or the PDF) who cannot open the case's clock.
                "sent_day": day_of(spec.clock, r["sent_hours"]),
                "deadline_day": spec.final_deadline.day,
                "reply": r["reply"],
                "accepted": r["accepted"],
            }
            for r in rounds
        ],
        "remedy_deadlines": _remedy_deadlines(case, spec, rounds),
        "outcome": data("outcome"),
    }


def _remedy_deadlines(case: Case, spec: Scenario, rounds: list[dict]) -> list[dict]:
    """Each deadline a remedy meets (energy's dispute hold, retail's refund) and how the
    responses as sent settled it: the correspondence above names only the final deadline, so
    a reader of the evidence could not tell whether the Direct Debit was stopped in time."""
    if not rounds:
        return []
    statuses = deadline_status(
        spec,
        case.hours,
        offered=remedies_offered(rounds),
        sending_over=sending_closed(rounds),
    )
    return [
        {
            "label": " ".join(s.deadline.label.split()),
            "day": s.deadline.day,
            "outcome": s.outcome or "not offered yet",
            "met": s.met,
        }
        for s in statuses
        if s.deadline.met_by_remedy and not s.before_case
    ]


def _knowledge(case: Case, spec: Scenario, records: dict) -> dict:
    answers = records["knowledge"].data.get("answers", {}) if "knowledge" in records else {}
    return {
        "answers": [
            {"criterion": q.criterion, "question": q.text, "answer": answers.get(q.id, "")}
            for q in spec.knowledge_questions
        ]
    }


def _reflection(case: Case, spec: Scenario, records: dict) -> dict:
    return {"text": records["reflection"].data.get("text", "") if "reflection" in records else ""}


def _case_log(case: Case, spec: Scenario, records: dict) -> dict:
    from portfolio.casework.clock import SimTime

    return {
        "entries": [
            {
                "seq": e.seq,
                "simulated": str(SimTime.from_hours(spec.clock, e.sim_hours)),
                "real": e.real_at.isoformat(timespec="minutes"),
                "action": describe_event(spec, e),
            }
            for e in trail_events(case)
        ]
    }


def _analysis(case: Case, spec: Scenario, records: dict, ref: str) -> dict:
    from portfolio.improvement.models import SavedAnalysis

    analysis_id = record_id(ref)
    analysis = db.session.get(SavedAnalysis, analysis_id) if analysis_id is not None else None
    if analysis is None or analysis.case_id != case.id:
        return {"missing": True}
    return {
        "title": analysis.title,
        "params": analysis.params,
        "figures": analysis.figures,
        "commentary": analysis.commentary,
    }


def _recommendations(case: Case, spec: Scenario, records: dict) -> dict:
    from portfolio.improvement.models import Recommendation

    rows = db.session.scalars(
        sa.select(Recommendation)
        .where(Recommendation.case_id == case.id)
        .order_by(Recommendation.id)
    )
    fields = (
        "change",
        "owner",
        "benefit",
        "measure",
        "target",
        "by_when",
        "root_cause_link",
        "other_customers",
    )
    return {
        "items": [
            {**{f: getattr(r, f) for f in fields}, "analysis": r.analysis.title} for r in rows
        ]
    }


BUILDERS: dict[str, Callable[..., dict]] = {
    "investigation": _investigation,
    "resolution": _resolution,
    "knowledge": _knowledge,
    "reflection": _reflection,
    "case_log": _case_log,
    "recommendations": _recommendations,
}


def case_item_content(case: Case, source: str, source_ref: str = "") -> dict:
    """The current content of a case-derived item."""
    spec = spec_for(case)
    records = records_of(case)
    if source == "analysis":
        return _analysis(case, spec, records, source_ref)
    return BUILDERS[source](case, spec, records)
