"""What the portfolio PDF shows, as plain data: the submission's frozen snapshot, then what came
after it (the assessor's decisions and sign-off, the IQA's record, this version's entries in the
decision log) and the head of the log. No database object leaves this module, so the template
cannot lazy-load anything, and the same dict renders identically in any process."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.casework.models import Case
from portfolio.casework.queries import spec_for
from portfolio.db import utcnow
from portfolio.evidence.models import EvidenceKind, Submission, SubmissionStatus
from portfolio.evidence.queries import STATUS_LABELS
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.improvement.figures import (
    FiguresUnreadable,
    figures_from_dict,
    flag_labels,
    present,
)
from portfolio.review.log import latest_hash
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Decision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
    Sample,
    SamplingPlan,
)
from portfolio.review.queries import corrections_of, effective_decisions

# Past this many items the grid lists item numbers per criterion instead of a column per item,
# so it still fits the width of an A4 page.
GRID_MATRIX_MAX_ITEMS = 12
IMAGE_TYPES = ("image/png", "image/jpeg")
# A figures table with more columns than this (a category, the months, change, trend and step)
# does not fit a portrait page's width.
WIDE_TABLE_COLUMNS = 7
SUBMISSION_STATUS_LABELS = {
    SubmissionStatus.SUBMITTED: "Submitted, awaiting assessment",
    SubmissionStatus.RETURNED: "Returned for resubmission",
    SubmissionStatus.SIGNED_OFF: "Signed off",
}
ASSESSMENT_STATUS_LABELS = {
    AssessmentStatus.RETURNED: "Returned for resubmission",
    AssessmentStatus.SIGNED_OFF: "Signed off",
    AssessmentStatus.COMPLETED: "Completed",
}
IQA_STATUS_LABELS = {
    IqaReviewStatus.COMPLETED: "Verdict given",
    IqaReviewStatus.RESPONDED: "Verdict given; the assessor has responded",
}


# --- after submission: decisions, sign-off, IQA, the log ---------------------------------------


def review_state(submission: Submission) -> dict[str, Any]:
    """Everything about this version that can change after it was submitted, as plain data:
    its status, completed assessments with their per-criterion decisions, the IQA's completed
    reviews of them, the samples whose review is not complete (named, their verdicts not
    shown), and this version's decision-log entries. Drafts (an assessment or IQA review still
    in progress) are not shown: they are not decisions yet.

    Five queries, however many decisions there are. The PDF cache keys on this (see cache.py),
    so a version that is signed off or sampled after a first download renders again."""
    order = _criterion_order(submission.snapshot)
    assessments = db.session.scalars(
        sa.select(Assessment)
        .where(
            Assessment.submission_id == submission.id,
            Assessment.kind == AssessmentKind.PRIMARY,
            Assessment.status != AssessmentStatus.IN_PROGRESS,
        )
        .options(
            so.joinedload(Assessment.assessor),
            so.selectinload(Assessment.decisions),
        )
        .order_by(Assessment.completed_at, Assessment.id)
    ).all()
    corrections = corrections_of(list(assessments))
    criterion_refs = _criterion_refs(assessments, corrections)
    reviews = []
    if assessments:
        reviews = db.session.scalars(
            sa.select(IqaReview)
            .join(Sample, IqaReview.sample_id == Sample.id)
            .where(
                Sample.assessment_id.in_([a.id for a in assessments]),
                IqaReview.status != IqaReviewStatus.IN_PROGRESS,
            )
            .options(
                so.joinedload(IqaReview.iqa),
                so.joinedload(IqaReview.sample).joinedload(Sample.plan),
                so.selectinload(IqaReview.verdicts),
            )
            .order_by(IqaReview.completed_at, IqaReview.id)
        ).all()
        criterion_refs |= _criterion_refs_of_verdicts(reviews)
        # Sampled, the review not finished: without these the PDF said "not sampled".
        pending = db.session.scalars(
            sa.select(Sample)
            .outerjoin(IqaReview, IqaReview.sample_id == Sample.id)
            .where(
                Sample.assessment_id.in_([a.id for a in assessments]),
                sa.or_(IqaReview.id.is_(None), IqaReview.status == IqaReviewStatus.IN_PROGRESS),
            )
            .options(so.joinedload(Sample.plan).joinedload(SamplingPlan.iqa))
            .order_by(Sample.id)
        ).all()
    else:
        pending = []
    entries = db.session.scalars(
        sa.select(DecisionLogEntry)
        .where(DecisionLogEntry.submission_id == submission.id)
        .options(so.joinedload(DecisionLogEntry.actor))
        .order_by(DecisionLogEntry.seq)
    ).all()
    return {
        "status": submission.status.value,
        "status_label": SUBMISSION_STATUS_LABELS[submission.status],
        "assessments": [
            _assessment(a, corrections.get(a.id, []), criterion_refs, order) for a in assessments
        ],
        "iqa_reviews": [_iqa_review(r, criterion_refs, order) for r in reviews],
        "iqa_pending": [
            {
                "iqa": s.plan.iqa.full_name,
                "plan": s.plan.name,
                "stage": s.plan.stage.value,
                "reason": s.reason,
            }
            for s in pending
        ],
        "log_entries": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "kind_label": _kind_label(e.kind),
                "detail": _entry_detail(e.payload),
                "actor": e.actor.full_name,
                "created_at": e.created_at,
                "prev_hash": e.prev_hash,
                "entry_hash": e.entry_hash,
            }
            for e in entries
        ],
    }


LOG_KIND_LABELS = {
    "decision": "Decision",
    "correction": "Decision corrected",
    "return": "Returned for resubmission",
    "sign_off": "Signed off",
    "standardisation": "Standardisation marking",
    "iqa_verdict": "IQA verdict",
    "assessor_response": "Assessor responded to the IQA",
    "acknowledgement": "Learner acknowledged the feedback",
}


def _kind_label(kind: str) -> str:
    """A log entry's kind in words: "iqa_verdict" -> "IQA verdict"."""
    if kind in LOG_KIND_LABELS:
        return LOG_KIND_LABELS[kind]
    words = kind.replace("_", " ").capitalize().split(" ")
    return " ".join("IQA" if w.lower() == "iqa" else w for w in words)


def _entry_detail(payload: dict[str, Any]) -> str:
    """The criterion and decision an entry records, when it records one."""
    ref, value = payload.get("criterion"), payload.get("decision")
    if isinstance(ref, str) and value in Decision._value2member_map_:
        return f"{ref}: {Decision(value).label}"
    return ""


def state_digest(state: dict[str, Any]) -> str:
    """A stable SHA-256 of a review state (timestamps as ISO text)."""
    data = json.dumps(state, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(data.encode()).hexdigest()


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not plain data: {value!r}")


def _criterion_order(snapshot: dict) -> dict[str, int]:
    refs = [c["ref"] for o in snapshot["unit"]["outcomes"] for c in o["criteria"]]
    return {ref: i for i, ref in enumerate(refs)}


def _criterion_refs(
    assessments: list[Assessment], corrections: dict[int, list[DecisionLogEntry]]
) -> dict[int, str]:
    """Criterion id -> ref for every decision and correction, in one query."""
    ids = {d.criterion_id for a in assessments for d in a.decisions}
    ids |= {e.payload["criterion_id"] for entries in corrections.values() for e in entries}
    return _refs(ids)


def _criterion_refs_of_verdicts(reviews: list[IqaReview]) -> dict[int, str]:
    return _refs({v.criterion_id for r in reviews for v in r.verdicts})


def _refs(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Criterion.id, Criterion.ref).where(Criterion.id.in_(ids)))
    return {criterion_id: ref for criterion_id, ref in rows}


def _assessment(
    a: Assessment,
    corrections: list[DecisionLogEntry],
    refs: dict[int, str],
    order: dict[str, int],
) -> dict[str, Any]:
    """A completed assessment with each decision as it stands: the stored decision, or the
    latest correction on the log (review.queries.effective_decisions), with what it replaced."""
    stored = {d.criterion_id: d for d in a.decisions}
    decisions = sorted(
        (
            {
                "ref": refs[d.criterion_id],
                "decision": d.decision.value,
                "label": d.decision.label,
                "feedback": d.feedback,
                "corrected": d.corrected,
                "reason": d.reason,
                "corrected_at": d.corrected_at,
                "original_label": stored[d.criterion_id].decision.label
                if d.corrected and d.criterion_id in stored
                else "",
            }
            for d in effective_decisions(a, corrections).values()
        ),
        key=lambda d: (order.get(d["ref"], len(order)), d["ref"]),
    )
    return {
        "assessor": a.assessor.full_name,
        "status": a.status.value,
        "status_label": ASSESSMENT_STATUS_LABELS.get(a.status, a.status.value),
        "overall_feedback": a.overall_feedback,
        "signed_name": a.signed_name or "",
        "started_at": a.started_at,
        "completed_at": a.completed_at,
        "acknowledged_at": a.acknowledged_at,
        "decisions": decisions,
    }


def _iqa_review(r: IqaReview, refs: dict[int, str], order: dict[str, int]) -> dict[str, Any]:
    verdicts = sorted(
        (
            {"ref": refs[v.criterion_id], "agree": v.agree, "feedback": v.feedback}
            for v in r.verdicts
        ),
        key=lambda v: (order.get(v["ref"], len(order)), v["ref"]),
    )
    return {
        "iqa": r.iqa.full_name,
        "plan": r.sample.plan.name,
        "stage": r.sample.plan.stage.value,
        "reason": r.sample.reason,
        "status_label": IQA_STATUS_LABELS.get(r.status, r.status.value),
        "overall_feedback": r.overall_feedback,
        "actions": r.actions,
        "assessor_response": r.assessor_response,
        "completed_at": r.completed_at,
        "responded_at": r.responded_at,
        "verdicts": verdicts,
    }


# --- the whole document -----------------------------------------------------------------------


def portfolio_context(
    submission: Submission, *, state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The PDF's context: cover, grid, items, decisions, sign-offs, IQA record and the log.
    Pass `state` when the caller already has it (the cache computed it for its key)."""
    snap = submission.snapshot
    state = review_state(submission) if state is None else state
    effective = standing_decisions(state)
    items = _items(snap, effective)
    head_hash = latest_hash()
    head_seq = db.session.scalar(
        sa.select(DecisionLogEntry.seq).where(DecisionLogEntry.entry_hash == head_hash)
    )
    latest_assessment = state["assessments"][-1] if state["assessments"] else None
    learner = snap["learner"]
    unit = snap["unit"]
    title = f"Portfolio of {learner['name']}: unit {unit['code']}, version {submission.number}"
    return {
        "title": title,
        "learner": {"name": learner["name"], "email": learner.get("email", "")},
        "centre": snap.get("centre", ""),
        "unit": unit,
        "criteria": {c["ref"]: c["text"].strip() for o in unit["outcomes"] for c in o["criteria"]},
        "submission": {
            "number": submission.number,
            "declared_name": submission.declared_name,
            "declared_on": submission.declared_on,
            "submitted_at": submission.submitted_at,
            "snapshot_hash": submission.snapshot_hash,
            "status_label": state["status_label"],
            "signed_off": state["status"] == SubmissionStatus.SIGNED_OFF.value,
        },
        "assessed_on": latest_assessment["completed_at"] if latest_assessment else None,
        "assessors": sorted({a["assessor"] for a in state["assessments"]}),
        "iqas": sorted({r["iqa"] for r in state["iqa_reviews"]}),
        "iqas_pending": sorted({p["iqa"] for p in state["iqa_pending"]}),
        "counts": {
            kind.value: sum(1 for i in items if i["kind"] == kind.value) for kind in EvidenceKind
        },
        "grid": _grid(unit, items, effective, assessed=bool(state["assessments"])),
        "items": items,
        "case_logs": [i for i in items if i["source"] == "case_log"],
        "uploads": [i for i in items if i["upload"]],
        "review": state,
        "signoffs": _signoffs(submission, state),
        "log": {
            "entries": state["log_entries"],
            "head_hash": head_hash,
            "head_seq": head_seq,
            "latest_for_version": state["log_entries"][-1] if state["log_entries"] else None,
        },
        "generated_at": utcnow(),
    }


def standing_decisions(state: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The decision that stands for each criterion: the latest completed assessment's, with
    its corrections applied (see review_state)."""
    decisions: dict[str, dict[str, str]] = {}
    for assessment in state["assessments"]:  # oldest first, so later ones win
        for d in assessment["decisions"]:
            decisions[d["ref"]] = {
                "decision": d["decision"],
                "label": d["label"],
                "feedback": d["feedback"],
                "assessor": assessment["assessor"],
            }
    return decisions


def _items(snap: dict, effective: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    flags = _flag_labels({i["case_id"] for i in snap["items"] if i["source"] == "analysis"})
    # Each item's mappings in the unit's order, as the grid and the decisions are: the snapshot
    # holds them in the order they were made (3.1, then 1.1 ...).
    order = _criterion_order(snap)
    items = []
    for n, item in enumerate(snap["items"], start=1):
        kind = EvidenceKind(item["kind"])
        content = _filled(item["source"], item["content"])
        items.append(
            {
                "n": n,
                "anchor": f"item-{n}",
                "kind": kind.value,
                "kind_label": kind.label,
                "source": item["source"],
                "title": item["title"],
                "scenario": item.get("scenario"),
                "description": _description(item),
                "occurred_on": _day(item.get("occurred_on")),
                "content": content,
                "mappings": [
                    {**m, "text": m["text"].strip(), "decision": effective.get(m["ref"])}
                    for m in sorted(
                        item["mappings"], key=lambda m: (order.get(m["ref"], len(order)), m["ref"])
                    )
                ],
                "charts": _charts(item, n, flags.get(item.get("case_id"), {})),
                "log_summary": _log_summary(content) if item["source"] == "case_log" else None,
                "upload": _upload(content) if item["source"] == "upload" else None,
            }
        )
    return items


def _filled(source: str, content: dict) -> dict:
    """The content as printed: a recommendation's optional fields left empty read as the app
    shows them ("The case's saved root cause", "—"), not as a label over a blank."""
    if source != "recommendations":
        return content
    items = [
        {
            **r,
            "root_cause_link": r.get("root_cause_link") or "The case’s saved root cause",
            "other_customers": r.get("other_customers") or "—",
        }
        for r in content.get("items", [])
    ]
    return {**content, "items": items}


def _description(item: dict) -> str:
    """The item's description, unless it is only the default a simulated record gets ("From
    the simulated case X."), which the item's heading line already says ("Simulated case: X.")."""
    description = item.get("description", "")
    if item.get("scenario") and description == f"From the simulated case {item['scenario']}.":
        return ""
    return description


def _day(value: str | None) -> date | None:
    """A snapshot's ISO date as a date, so the PDF prints it as the app does (5 Jan 2026)."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _flag_labels(case_ids: set[int | None]) -> dict[int, dict[str, str]]:
    """The complaint log's flag labels for each case's pinned scenario (for chart titles)."""
    ids = {i for i in case_ids if i is not None}
    if not ids:
        return {}
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(ids)).options(so.joinedload(Case.version))
    )
    return {case.id: flag_labels(spec_for(case)) for case in cases}


def _charts(item: dict, n: int, flags: dict[str, str]) -> list[dict[str, Any]]:
    """An analysis's charts drawn from its stored figures (never recomputed), as SVG, each with
    the table of its figures. ``wide`` marks a table with a column per month (more than three
    months), which the PDF prints on a landscape page together with its chart."""
    if item["source"] != "analysis" or item["content"].get("missing"):
        return []
    try:
        figures = figures_from_dict(item["content"]["figures"])
    except (FiguresUnreadable, KeyError, TypeError, ValueError):
        return []
    presentation = present(figures, flags, chart_id=f"item{n}")
    return [
        {
            "title": chart.title,
            "svg": chart.svg,
            "description": chart.description,
            "table": chart.table,
            "wide": len(chart.table.headers) > WIDE_TABLE_COLUMNS,
        }
        for chart in (presentation.summary, presentation.trends)
    ]


def _log_summary(content: dict) -> dict[str, Any]:
    """The case log in summary: its span, and every action but the draft saves."""
    entries = content.get("entries", [])
    milestones = [e for e in entries if not e["action"].startswith("Draft saved")]
    return {
        "count": len(entries),
        "drafts": len(entries) - len(milestones),
        "first": entries[0] if entries else None,
        "last": entries[-1] if entries else None,
        "milestones": milestones,
    }


def _upload(content: dict) -> dict[str, Any]:
    file = content["file"]
    return {
        "name": file["name"],
        "type": file["type"],
        "size": file["size"],
        "sha256": file["sha256"],
        "stored_name": file["stored_name"],
        "image": file["type"] in IMAGE_TYPES,
    }


def _grid(
    unit: dict, items: list[dict], effective: dict[str, dict[str, str]], *, assessed: bool
) -> dict[str, Any]:
    """Criteria down, evidence across, with each criterion's status after assessment."""
    by_ref: dict[str, list[int]] = {}
    for item in items:
        for m in item["mappings"]:
            by_ref.setdefault(m["ref"], []).append(item["n"])
    outcomes = []
    for outcome in unit["outcomes"]:
        rows = []
        for criterion in outcome["criteria"]:
            evidence = by_ref.get(criterion["ref"], [])
            decision = effective.get(criterion["ref"])
            if decision:
                status = "met" if decision["decision"] == "competent" else "not_yet"
                label = decision["label"]
            elif evidence:
                status = "submitted"
                label = "Evidenced, no decision recorded" if assessed else STATUS_LABELS[status]
            else:
                status, label = "none", STATUS_LABELS["none"]
            rows.append(
                {
                    "ref": criterion["ref"],
                    "text": criterion["text"].strip(),
                    "evidence": evidence,
                    "status": status,
                    "label": label,
                }
            )
        outcomes.append(
            {
                "ref": outcome["ref"],
                "title": outcome["title"],
                "kind": outcome["kind"],
                "rows": rows,
            }
        )
    return {
        "outcomes": outcomes,
        "matrix": len(items) <= GRID_MATRIX_MAX_ITEMS,
        "columns": [{"n": i["n"], "title": i["title"], "kind": i["kind"]} for i in items],
    }


def _signoffs(submission: Submission, state: dict[str, Any]) -> list[dict[str, Any]]:
    """Who put their name to this version, and when: the learner's declaration, each
    assessor's return or sign-off, and each IQA verdict."""
    rows = [
        {
            "role": "Learner: declaration of authenticity",
            "name": submission.declared_name,
            "on": submission.declared_on,
            "at": None,
            "detail": "Declared the evidence to be their own work.",
        }
    ]
    for a in state["assessments"]:
        rows.append(
            {
                "role": f"Assessor: {a['status_label'].lower()}",
                "name": a["signed_name"] or a["assessor"],
                "on": None,
                "at": a["completed_at"],
                # A sign-off takes the assessor's typed name and password; a return takes
                # neither, and "Signed electronically" beside it read as a signature.
                "detail": f"Signed electronically by {a['assessor']}'s account."
                if a["status"] == AssessmentStatus.SIGNED_OFF.value
                else f"Returned from {a['assessor']}'s account: not signed, as a return is "
                "not a sign-off.",
            }
        )
    for r in state["iqa_reviews"]:
        rows.append(
            {
                "role": "Internal quality assurer: sample reviewed",
                "name": r["iqa"],
                "on": None,
                "at": r["completed_at"],
                "detail": r["status_label"] + ".",
            }
        )
    return rows
