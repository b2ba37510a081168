"""What the assessment templates need, computed once per request: the views stay thin and the
templates only format."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio import authz
from portfolio.accounts.models import User
from portfolio.auth.forms import ReauthForm
from portfolio.casework.checks import MarkingCheck, marking_checks
from portfolio.casework.errors import RulesError
from portfolio.casework.models import Case
from portfolio.casework.queries import choice_of, records_of, spec_for, trail_events, trail_of
from portfolio.db import utcnow
from portfolio.evidence.queries import outcomes_of
from portfolio.evidence.snapshot import diff_snapshots
from portfolio.extensions import db
from portfolio.review import iqa_queries, queries
from portfolio.review.forms import CorrectionForm
from portfolio.review.models import Assessment, AssessmentKind, Decision
from portfolio.scenarios.schema import Scenario

KIND_TAGS = {"simulated": "sim", "workplace": "work", "assessor": "assessor"}


@dataclass(frozen=True)
class CaseGuide:
    """One case in the submission: its scenario's assessor guidance, the marking checks over
    its trail, and the checks over the complaint analysis it submitted."""

    case: Case
    spec: Scenario
    checks: list[MarkingCheck]
    analysis_checks: list[MarkingCheck] = field(default_factory=list)


def _quoted(titles) -> str:
    return ", ".join(f"“{t}”" for t in titles)


def analysis_checks(items: list[dict]) -> list[MarkingCheck]:
    """The marking guide's LO3 points as facts over a case's analyses and recommendations in
    the version: a Pareto by category (the app adds the cumulative percentage and the vital
    few), weighted by cost and not only counted (a count alone can mislead), and remediation for
    the other customers the cause affected. Nothing when the version holds neither."""
    # snapshots never change: read them leniently, as older versions may lack a field
    analyses = []
    for i in items:
        content = i.get("content") or {}
        if i.get("source") == "analysis" and not content.get("missing"):
            analyses.append(
                {
                    "title": content.get("title") or i.get("title", ""),
                    "params": content.get("params") or {},
                    "figures": content.get("figures") or {},
                }
            )
    recommendations = [
        r
        for i in items
        if i.get("source") == "recommendations"
        for r in (i.get("content") or {}).get("items") or []
    ]
    if not analyses and not recommendations:
        return []
    pareto = [a for a in analyses if a["params"].get("group_by") == "category"]
    by_month = [a["title"] for a in analyses if a["params"].get("group_by") == "month"]
    if pareto:
        shown = []
        for a in pareto:
            summary = a["figures"].get("summary") or {}
            few, pct = summary.get("vital_few") or [], summary.get("vital_few_pct")
            shown.append(
                f"“{a['title']}” by {'cost' if a['params'].get('measure') == 'cost' else 'count'}"
                + (f", vital few: {', '.join(few)} ({pct}% cumulative)" if few else "")
            )
        pareto_detail = "; ".join(shown) + "."
    else:
        pareto_detail = "No analysis by category in this version" + (
            f"; by month only: {_quoted(by_month)}." if by_month else "."
        )
    cost = [a["title"] for a in analyses if a["params"].get("measure") == "cost"]
    count = [a["title"] for a in analyses if a["params"].get("measure") != "cost"]
    cost_detail = (
        "No analysis in this version."
        if not analyses
        else f"By cost: {_quoted(cost) or 'none'}. By count: {_quoted(count) or 'none'}."
    )
    others = [
        r.get("change", "") for r in recommendations if (r.get("other_customers") or "").strip()
    ]
    n = len(recommendations)
    if not n:
        others_detail = "No recommendation in this version."
    elif n == 1:
        others_detail = (
            "The recommendation says what happens for other affected customers."
            if others
            else "The recommendation does not say what happens for other affected customers."
        )
    else:
        says = "says" if len(others) == 1 else "say"
        others_detail = (
            f"{len(others)} of the {n} recommendations {says} what happens for other affected "
            + (f"customers: {_quoted(others)}." if others else "customers.")
        )
    return [
        MarkingCheck(
            "pareto",
            "Pareto by category, with cumulative percentage",
            bool(pareto),
            pareto_detail,
        ),
        MarkingCheck(
            "cost_weighted",
            "Complaints weighted by cost, not only counted",
            bool(cost),
            cost_detail,
        ),
        MarkingCheck(
            "other_customers",
            "Remediation for other affected customers",
            bool(others),
            others_detail,
        ),
    ]


def _checks(case: Case, spec: Scenario) -> list[MarkingCheck]:
    """The marking-point checks over the case's trail and records as they stand now."""
    records = records_of(case)
    letter = records["letter"].data.get("text") if "letter" in records else None
    try:
        choice = choice_of(records["remedy"].data) if "remedy" in records else None
    except RulesError:
        choice = None
    return marking_checks(spec, trail_of(trail_events(case)), letter=letter, choice=choice)


def case_guides(snapshot: dict) -> list[CaseGuide]:
    """Guidance and checks for every case the submitted evidence came from."""
    ids = sorted({i["case_id"] for i in snapshot["items"] if i.get("case_id")})
    if not ids:
        return []
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(ids)).options(so.joinedload(Case.version))
    )
    guides = []
    for case in cases:
        spec = spec_for(case)
        mine = [i for i in snapshot["items"] if i.get("case_id") == case.id]
        guides.append(CaseGuide(case, spec, _checks(case, spec), analysis_checks(mine)))
    return guides


def evidence_by_ref(snapshot: dict) -> dict[str, list[dict]]:
    """{criterion ref: [{"index", "title", "kind", "justification"}]} from the snapshot."""
    found: dict[str, list[dict]] = {}
    for index, item in enumerate(snapshot["items"], start=1):
        for mapping in item["mappings"]:
            found.setdefault(mapping["ref"], []).append(
                {
                    "index": index,
                    "title": item["title"],
                    "kind": item["kind"],
                    "justification": mapping["justification"],
                }
            )
    return found


def simulated_only(outcomes, by_ref: dict[str, list[dict]]) -> set[int]:
    """The competence criteria (not the knowledge ones) whose evidence in the version is all
    simulated: awarding bodies generally want workplace evidence for those, so the bench says
    so where the assessor decides."""
    return {
        c.id
        for o in outcomes
        if o.kind == "competence"
        for c in o.criteria
        if (entries := by_ref.get(c.ref)) and all(e["kind"] == "simulated" for e in entries)
    }


@dataclass(frozen=True)
class LogRow:
    """One decision-log entry as the bench lists it: what it is and a short detail."""

    entry: object
    label: str
    detail: str


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decision_label(value) -> str:
    try:
        return Decision(value).label
    except ValueError:
        return str(value or "").replace("_", " ")


def _log_detail(kind: str, payload: dict) -> str:
    """A few words on what the entry records."""
    if payload.get("criterion"):
        decision = _decision_label(payload.get("decision"))
        if kind == "correction" and payload.get("previous_decision"):
            # a correction reads as the change it made, not as a decision like the others
            was = _decision_label(payload["previous_decision"])
            return f"{payload['criterion']}: {was} corrected to {decision}"
        return f"{payload['criterion']}: {decision}"
    if kind == "iqa_verdict":
        verdicts = payload.get("verdicts") or []
        against = [v.get("criterion", "?") for v in verdicts if not v.get("agree")]
        if not against:
            return f"Agrees with all {len(verdicts)} decisions"
        return f"Disagrees on {', '.join(against)} (agrees on {len(verdicts) - len(against)})"
    if kind == "assessor_response":
        return f"“{_short(payload.get('response', ''))}”"
    if payload.get("submission_number"):
        return f"Version {payload['submission_number']}"
    return ""


def log_rows(entries, standardisation_ids: set[int]) -> list[LogRow]:
    """The portfolio's log entries labelled for the bench: a standardisation marking's
    decisions are labelled as standardisation, not as the learner's decisions."""
    rows = []
    for entry in entries:
        payload = entry.payload or {}
        label = entry.kind.replace("_", " ")
        if entry.kind == "standardisation":
            label = "standardisation finished"
        elif payload.get("assessment_id") in standardisation_ids and entry.kind == "decision":
            label = "standardisation decision"
        elif entry.kind == "iqa_verdict":
            label = "IQA verdict"
        rows.append(LogRow(entry, label, _log_detail(entry.kind, payload)))
    return rows


def _shared(submission, assessment: Assessment | None) -> dict:
    portfolio = submission.portfolio
    return {
        "submission": submission,
        "portfolio": portfolio,
        "learner": portfolio.learner,
        "snap": submission.snapshot,
        "outcomes": outcomes_of(portfolio.unit_id),
        "by_ref": evidence_by_ref(submission.snapshot),
        "assessment": assessment,
        "kind_tags": KIND_TAGS,
        "Decision": Decision,
        "action_form": ReauthForm(),
    }


def bench_page(
    submission,
    assessment: Assessment | None,
    user: User,
    *,
    errors: list[str] | None = None,
    field_errors: dict[str, str] | None = None,
    submitted=None,
    correction: tuple[int, CorrectionForm] | None = None,
    stale: bool = False,
) -> dict:
    """The marking bench: evidence as submitted, guidance and checks, the criteria with this
    assessor's decisions, what changed since the previous version, and the decision log."""
    context = _shared(submission, assessment)
    standardisation = assessment is not None and assessment.kind == AssessmentKind.STANDARDISATION
    previous = queries.previous_version(submission)
    earlier = None
    if previous is not None and not standardisation:
        prior = queries.completed_assessment_of(previous)
        if prior is not None:
            earlier = {"assessment": prior, "decisions": queries.effective_decisions(prior)}
    newest = queries.newest_version(submission)
    latest = newest.id == submission.id
    awaiting = (
        assessment is not None
        and not assessment.completed
        and latest
        and submission.status == "submitted"
    )
    completed = assessment is not None and assessment.completed
    effective = queries.effective_decisions(assessment) if completed else {}
    return context | {
        "guides": case_guides(submission.snapshot),
        "simulated_only": simulated_only(context["outcomes"], context["by_ref"]),
        "decisions": {d.criterion_id: d for d in assessment.decisions} if assessment else {},
        "effective": effective,
        # a sign-off a later correction took below "every criterion met", as the learner's
        # feedback page says it
        "corrected_below_met": [
            c.ref
            for o in context["outcomes"]
            for c in o.criteria
            if c.id in effective and effective[c.id].decision == Decision.NOT_YET
        ]
        if completed and assessment.status == "signed_off"
        else [],
        "previous": previous,
        "diff": diff_snapshots(previous.snapshot, submission.snapshot) if previous else None,
        "earlier": earlier,
        "standardisation": standardisation,
        # the version's PDF, for those who may see the learner's work (a standardisation
        # marker marks a colleague's learner without that access)
        "can_download": authz.can_view_portfolio(user, submission.portfolio),
        "can_edit": assessment is not None and not assessment.completed,
        "can_complete": awaiting and not standardisation,
        "is_latest": latest,
        "newest": newest,
        # records not in this version go into the next one: once a later version is
        # submitted they are in it, so only the latest version's bench lists them
        "later_records": queries.later_records(submission)
        if not standardisation and latest
        else [],
        "log": log_rows(
            queries.log_of_portfolio(submission.portfolio),
            queries.standardisation_ids(submission.portfolio),
        )
        if not standardisation
        else [],
        "errors": errors or [],
        # {field name: message} shown beside the field, and linked from the summary (a
        # decision's link goes to its first radio button)
        "field_errors": field_errors or {},
        "error_links": [
            (f"{name}_competent" if name.startswith("decision_") else name, message)
            for name, message in (field_errors or {}).items()
        ],
        "submitted": submitted,
        # entries refused as saved elsewhere: the page's script saves no draft of them
        "stale": stale,
        "correction": correction,
        "correction_forms": _correction_forms(context["outcomes"], correction, assessment)
        if completed and not standardisation
        else {},
        "age": queries.age_label(utcnow() - submission.submitted_at),
        # IQA sampling of this marking: the assessor is told while the review is under way,
        # and led to the finished review (the notice at sampling links here)
        "iqa_samples": iqa_queries.samples_of_assessment(assessment)
        if completed and not standardisation
        else [],
    }


def _correction_forms(outcomes, correction, assessment) -> dict[int, CorrectionForm]:
    """A correction form per criterion, each carrying the latest correction it was opened on
    (a refused one keeps what was posted)."""
    latest: dict[int, int] = {}
    for entry in queries.corrections_of([assessment])[assessment.id]:
        latest[entry.payload["criterion_id"]] = entry.seq
    forms = {}
    for outcome in outcomes:
        for criterion in outcome.criteria:
            if correction and correction[0] == criterion.id:
                forms[criterion.id] = correction[1]
            else:
                forms[criterion.id] = CorrectionForm(
                    prefix=f"c{criterion.id}",
                    formdata=None,
                    data={"seen": latest.get(criterion.id, 0)},
                )
    return forms


def sign_off_page(submission, assessment: Assessment, form) -> dict:
    """The sign-off page: the decisions being signed, and what still stops a sign-off."""
    context = _shared(submission, assessment)
    decided = {d.criterion_id: d for d in assessment.decisions}
    criteria = [c for o in context["outcomes"] for c in o.criteria]
    return context | {
        "form": form,
        "today": date.today().strftime("%-d %b %Y"),
        "decided": decided,
        "undecided": [c.ref for c in criteria if c.id not in decided],
        "not_yet": [
            c.ref
            for c in criteria
            if c.id in decided and decided[c.id].decision != Decision.COMPETENT
        ],
        "no_feedback": not assessment.overall_feedback.strip(),
    }


def feedback_page(assessment: Assessment, user: User) -> dict:
    """The learner's feedback: each criterion's decision as it stands beside the evidence they
    mapped to it, the overall feedback, and the evidence as submitted."""
    submission = assessment.submission
    context = _shared(submission, assessment)
    effective = queries.effective_decisions(assessment)
    criteria = [c for o in context["outcomes"] for c in o.criteria]
    not_met = [
        c.ref
        for c in criteria
        if c.id in effective and effective[c.id].decision == Decision.NOT_YET
    ]
    return context | {
        "effective": effective,
        # a sign-off a later correction took below "every criterion met"
        "corrected_below_met": not_met if assessment.status == "signed_off" else [],
        "can_acknowledge": user.id == submission.portfolio.learner_id
        and assessment.acknowledged_at is None,
        "is_learner": user.id == submission.portfolio.learner_id,
    }
