"""Trail events in plain English, for the case log page, evidence snapshots and the PDF."""

from datetime import date

from sqlalchemy import Row

from portfolio.casework.errors import RulesError
from portfolio.casework.models import TrailEvent
from portfolio.casework.remedy import format_money
from portfolio.casework.trail import entry_total
from portfolio.scenarios.schema import Scenario


def _doc(spec: Scenario, document_id: str) -> str:
    doc = spec.document(document_id)
    return doc.title if doc else document_id


def _day(iso: object) -> str:
    """An ISO date from a payload as the pages write dates (14 Apr 2026)."""
    try:
        return date.fromisoformat(str(iso)).strftime("%-d %b %Y")
    except ValueError:
        return str(iso)


def _money(total: object) -> str:
    """An authorisation request's total as the remedy page writes it (£1,030.20)."""
    try:
        return format_money(entry_total(total))
    except RulesError:
        return f"£{total}"


def describe_event(spec: Scenario, event: TrailEvent | Row) -> str:
    """One line saying what the learner (or the simulation) did."""
    p = event.payload
    match event.kind:
        case "case_started":
            return f"Case opened (scenario version {p.get('scenario_version', '?')})"
        case "document_requested":
            return f"Requested and read: {_doc(spec, p['document_id'])}"
        case "question_asked":
            person = spec.stakeholder(p["stakeholder_id"])
            question = spec.question(p["stakeholder_id"], p["question_id"])
            who = person.name if person else p["stakeholder_id"]
            return f'Asked {who}: "{question.text if question else p["question_id"]}"'
        case "finding_pinned":
            if p.get("source") == "document":
                return f"Pinned a finding to {_doc(spec, p.get('document_id', ''))}"
            person = spec.stakeholder(p.get("stakeholder_id", ""))
            if person is None:
                return "Pinned a finding to an interview answer"
            return f"Pinned a finding to {person.name}'s answer"
        case "timeline_saved":
            if p.get("removed"):
                return f"Removed the timeline entry for {_day(p['removed'])}"
            if p.get("occurred_on"):
                return f"Added a timeline entry for {_day(p['occurred_on'])}"
            return "Added a timeline entry"
        case "root_cause_saved":
            method = "5 Whys" if p.get("method") == "five_whys" else "fishbone"
            return f"Saved the root-cause analysis ({method})"
        case "authorisation_requested":
            answer = "authorised" if p.get("approved") else "not authorised"
            return f"Asked for authorisation of {_money(p.get('total'))}: {answer}"
        case "response_sent":
            return f"Sent the {'first' if p.get('round') == 1 else 'revised'} final response"
        case "customer_replied":
            return f"Customer replied: {'accepted' if p.get('accepted') else 'not accepted'}"
        case "outcome_recorded":
            return "Recorded the outcome"
        case "draft_saved":
            record = str(p.get("record", "")).replace("_", " ")
            if p.get("removed"):
                return "Removed a finding"
            if p.get("deleted"):
                return f"Deleted the {record}"
            if p.get("saved") or "id" in p:
                return f"Saved the {record}"
            return f"Draft saved: {record}"
    # summary_saved, options_saved, remedy_saved, letter_saved and any later kinds
    return "Saved the " + event.kind.removesuffix("_saved").replace("_", " ")
