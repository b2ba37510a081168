"""What the case templates need, computed once per request: the views stay thin and the
templates only format."""

from decimal import Decimal

from portfolio import authz
from portfolio.accounts.models import User
from portfolio.auth.forms import ReauthForm
from portfolio.casework import clock as sim_clock
from portfolio.casework.checks import formative_list, marking_checks
from portfolio.casework.errors import RulesError
from portfolio.casework.models import Case, CaseStatus
from portfolio.casework.narrative import describe_event
from portfolio.casework.queries import (
    choice_of,
    records_of,
    spec_for,
    stage_of,
    state_of,
    trail_events,
    trail_of,
)
from portfolio.casework.records import CUSTOM_COMPONENTS, FISHBONE_CATEGORIES, OPTIONS, WHYS
from portfolio.casework.remedy import needs_authorisation, remedy_total, states_amount
from portfolio.casework.services import answer_about, authorisation_blocker, sending_closed
from portfolio.casework.trail import Trail, TrailKind, first_index
from portfolio.improvement.queries import knowledge_questions
from portfolio.roles import Role

CASE_NAV = (
    ("casework.overview", {}, "Referral"),
    ("casework.case_file", {}, "Case file"),
    ("casework.interviews", {}, "Interviews"),
    ("casework.timeline", {}, "Findings and timeline"),
    ("casework.record", {"kind": "root_cause"}, "Root cause"),
    ("casework.record", {"kind": "summary"}, "Investigation summary"),
    ("casework.record", {"kind": "options"}, "Options"),
    ("casework.record", {"kind": "remedy"}, "Remedy"),
    ("casework.record", {"kind": "letter"}, "Final response"),
    ("casework.record", {"kind": "outcome"}, "Reply and outcome"),
    ("improvement.analysis", {}, "Complaint analysis"),
    ("improvement.recommendations", {}, "Recommendations"),
    ("casework.record", {"kind": "knowledge"}, "Knowledge"),
    ("casework.record", {"kind": "reflection"}, "Reflection"),
    ("casework.case_log", {}, "Case log"),
)


def findings_by_answer(case: Case) -> dict[tuple[str, str], list[str]]:
    """The findings pinned to each interview answer, keyed by (stakeholder id, question id), in
    the order they were pinned: shown under the answer they came from."""
    pinned: dict[tuple[str, str], list[str]] = {}
    for finding in case.findings:
        if finding.stakeholder_id and finding.question_id:
            pinned.setdefault((finding.stakeholder_id, finding.question_id), []).append(
                finding.text
            )
    return pinned


def case_page(case: Case, user: User) -> dict:
    """The context every case page shares."""
    spec = spec_for(case)
    events = trail_events(case)
    records = records_of(case)
    trail = trail_of(events)
    draft_letter = records["letter"].data.get("text") if "letter" in records else None
    draft_remedy = records["remedy"].data if "remedy" in records else None
    sent = records["correspondence"].data.get("rounds", []) if "correspondence" in records else []
    closed = sending_closed(sent)
    # The assessor's checks weigh the response as last sent, never a later draft; the learner's
    # prompts weigh the draft they can still send, and the response as sent once sending is over.
    if sent:
        letter, choice = sent[-1]["letter"], _choice(sent[-1]["remedy"])
    else:
        letter, choice = draft_letter, _choice(draft_remedy)
    pending = not closed
    if pending:
        learner_letter, learner_choice = draft_letter, _choice(draft_remedy)
    else:
        learner_letter, learner_choice = letter, choice
    can_work = authz.can_work_case(user, case) and case.status == CaseStatus.OPEN
    now = sim_clock.SimTime.from_hours(spec.clock, case.hours)
    return {
        "case": case,
        "spec": spec,
        "events": events,
        "state": state_of(events),
        "stage": stage_of(events),
        "records": records,
        "now": now,
        "now_date": sim_clock.calendar_date(spec.clock, now.day),
        "deadlines": sim_clock.deadline_status(
            spec,
            case.hours,
            sent_hours=first_sent_hours(trail),
            offered=sim_clock.remedies_offered(sent),
            sending_over=closed,
        ),
        "can_work": can_work,
        "is_learner": user.id == case.learner_id,
        "is_staff": user.role in (Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN),
        "sending_closed": closed,
        "formative": formative_list(
            spec,
            trail,
            letter=learner_letter,
            choice=learner_choice,
            pending=pending,
            closed=closed,
        )
        if user.id == case.learner_id
        else [],
        "checks": marking_checks(spec, trail, letter=letter, choice=choice)
        if user.role in (Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN)
        else [],
        "action_form": ReauthForm(),
        "case_nav": CASE_NAV,
        "describe": lambda event: describe_event(spec, event),
        "sim_time": lambda hours: sim_clock.SimTime.from_hours(spec.clock, hours),
    }


def _choice(remedy: dict | None):
    """The remedy record as a choice, or None when there is none (or it no longer parses)."""
    if remedy is None:
        return None
    try:
        return choice_of(remedy)
    except RulesError:
        return None


def first_sent_hours(trail: Trail) -> int | None:
    """When the final response was first sent (its trail entry's hours), None while unsent."""
    first = first_index(trail, TrailKind.RESPONSE_SENT)
    return None if first is None else trail[first].hours


def record_page(case: Case, kind: str, page: dict) -> dict:
    """Extra context for one record page."""
    spec = page["spec"]
    records = page["records"]
    record = records.get(kind)
    extra: dict = {
        "record": record,
        "data": record.data if record else {},
        "version": record.version if record else "",
    }
    if kind == "root_cause":
        extra |= {"whys": WHYS, "bones": FISHBONE_CATEGORIES}
    elif kind == "options":
        extra["option_count"] = OPTIONS
    elif kind == "remedy":
        extra |= _remedy_context(spec, records)
    elif kind in ("letter", "outcome"):
        correspondence = records.get("correspondence")
        rounds = correspondence.data.get("rounds", []) if correspondence else []
        extra |= {"rounds": rounds, "custom_count": CUSTOM_COMPONENTS}
        if kind == "letter":
            extra["authority_blocker"] = _authority_blocker(spec, records)
    elif kind == "knowledge":
        extra["questions"] = knowledge_questions(spec)
    return extra


def _authority_blocker(spec, records) -> str | None:
    """Why the saved remedy cannot be sent yet for want of authorisation, or None."""
    if "remedy" not in records:
        return None
    auth = records.get("authorisation")
    requests = auth.data.get("requests", []) if auth else []
    try:
        return authorisation_blocker(
            spec, records["remedy"].data, requests, where="on the Remedy page"
        )
    except RulesError:
        return None


def _remedy_context(spec, records) -> dict:
    remedy = records["remedy"].data if "remedy" in records else None
    auth = records.get("authorisation")
    requests = auth.data.get("requests", []) if auth else []
    context: dict = {
        "custom_count": CUSTOM_COMPONENTS,
        "requests": requests,
        # Menu remedies whose label already says the amount: the menu does not repeat it.
        "amount_stated": {r.id for r in spec.remedies if states_amount(r.label, r.amount)},
    }
    if remedy is None:
        return context | {
            "total": Decimal(0),
            "needs": (False, []),
            "covered": False,
            "declined": False,
        }
    try:
        choice = choice_of(remedy)
        total = remedy_total(spec, choice)
        needs = needs_authorisation(spec, choice)
    except RulesError:
        total, needs = Decimal(0), (False, [])
    try:
        answer = answer_about(remedy, requests)
    except RulesError:
        answer = None
    covered = answer is not None and answer["approved"]
    declined = answer is not None and not answer["approved"]
    return context | {"total": total, "needs": needs, "covered": covered, "declined": declined}
