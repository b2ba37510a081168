"""Generated marking for the large demo: assessments with a decision on every criterion, their
decision-log entries and notifications, IQA sampling plans with samples and reviews, and
finally the decision log itself, chained entry by entry as review/log.py chains it."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from portfolio.demo.state import Generation, Learner
from portfolio.evidence.models import SubmissionStatus
from portfolio.extensions import db
from portfolio.review.log import GENESIS, entry_digest
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
    IqaVerdict,
    Notification,
    Sample,
    SampleStage,
    SamplingPlan,
)

STATUS_OF = {
    SubmissionStatus.RETURNED: AssessmentStatus.RETURNED,
    SubmissionStatus.SIGNED_OFF: AssessmentStatus.SIGNED_OFF,
}


def notify(gen: Generation, user_id: int, kind: str, message: str, link: str, at, read_at=None):
    gen.add(
        Notification.__table__,
        {
            "user_id": user_id,
            "kind": kind,
            "message": message[:500],
            "link": link,
            "created_at": at,
            "read_at": read_at,
        },
    )


def assess(
    gen: Generation,
    learner: Learner,
    submission_id: int,
    version: dict,
    digest: str,
    evidenced: frozenset[str],
):
    """The assessor's marking of one submitted version: completed (returned or signed off),
    in progress for a share of those still waiting, or not opened yet. A criterion with no
    evidence in the version (not in `evidenced`) is never judged Competent."""
    rng = gen.rng
    status = STATUS_OF.get(version["status"])
    if learner.assessor_id is None or (status is None and rng.random() > 0.12):
        return
    (assessment_id,) = gen.writer.ids(Assessment.__table__, 1)
    started = version["at"] + timedelta(hours=rng.uniform(2, 30))
    completed = version["completed"]
    if completed is None:
        started = min(started, gen.now - timedelta(minutes=5))
    elif started >= completed:
        started = completed - timedelta(hours=1)
    assessor = gen.names[learner.assessor_id]
    signed = status == AssessmentStatus.SIGNED_OFF
    feedback = (
        "Every criterion is met: well done."
        if signed
        else "Good progress. Add the evidence each criterion marked Not yet competent asks for."
    )
    acknowledged = None
    if completed is not None and rng.random() < 0.6:
        acknowledged = completed + timedelta(hours=rng.uniform(1, 72))
        acknowledged = acknowledged if acknowledged < gen.now else None
    gen.add(
        Assessment.__table__,
        {
            "id": assessment_id,
            "submission_id": submission_id,
            "assessor_id": learner.assessor_id,
            "kind": AssessmentKind.PRIMARY,
            "status": status or AssessmentStatus.IN_PROGRESS,
            "overall_feedback": feedback if status else "",
            "signed_name": assessor if signed else None,
            "started_at": started,
            "completed_at": completed,
            "acknowledged_at": acknowledged,
            "version": 3,
        },
    )
    criteria = gen.criteria if status else gen.criteria[: rng.randint(0, len(gen.criteria))]
    decisions = {}
    for n, criterion in enumerate(criteria):
        not_yet = not signed and (rng.random() < 0.2 or (n == 0 and status is not None))
        not_yet = not_yet or criterion.ref not in evidenced
        decision = Decision.NOT_YET if not_yet else Decision.COMPETENT
        text = f"Show how your evidence meets {criterion.ref}." if not_yet else ""
        decisions[criterion] = (decision, text)
        gen.add(
            CriterionDecision.__table__,
            {
                "assessment_id": assessment_id,
                "criterion_id": criterion.id,
                "decision": decision,
                "feedback": text,
                "updated_at": started + timedelta(minutes=n),
            },
        )
    if status is None:
        return
    _log_completion(gen, learner, assessment_id, submission_id, version, digest, decisions)
    kind = "signed_off" if signed else "returned"
    message = (
        f"{assessor} signed off version {version['number']} of your portfolio: every criterion "
        "is met. Read the feedback."
        if signed
        else f"{assessor} returned version {version['number']} of your portfolio with feedback. "
        "Read it, then resubmit."
    )
    link = f"/assess/feedback/{assessment_id}"
    notify(gen, learner.id, kind, message, link, completed, acknowledged)
    if acknowledged is not None:
        payload = {"assessment_id": assessment_id, "learner_id": learner.id}
        gen.log_entry(acknowledged, "acknowledgement", learner.id, submission_id, payload)
    gen.completed.append(
        {
            "id": assessment_id,
            "assessor_id": learner.assessor_id,
            "iqa_id": learner.iqa_id,
            "submission_id": submission_id,
            "completed": completed,
            "status": status,
            "decisions": {c.id: d for c, (d, _) in decisions.items()},
            "learner": learner.name,
            "number": version["number"],
        }
    )


def _log_completion(gen, learner, assessment_id, submission_id, version, digest, decisions):
    completed, actor = version["completed"], learner.assessor_id
    summary = {}
    for n, (criterion, (decision, text)) in enumerate(decisions.items()):
        payload = {
            "assessment_id": assessment_id,
            "submission_number": version["number"],
            "criterion_id": criterion.id,
            "criterion": criterion.ref,
            "decision": decision.value,
            "feedback": text,
        }
        at = completed - timedelta(microseconds=len(decisions) - n)
        gen.log_entry(at, "decision", actor, submission_id, payload)
        summary[criterion.ref] = decision.value
    payload = {
        "assessment_id": assessment_id,
        "learner_id": learner.id,
        "submission_number": version["number"],
        "snapshot_hash": digest,
        "overall_feedback": "",
        "decisions": summary,
    }
    if version["status"] == SubmissionStatus.SIGNED_OFF:
        payload["overall_feedback"] = "Every criterion is met: well done."
        payload |= {"signed_name": gen.names[actor], "signed_at": completed.isoformat()}
        gen.log_entry(completed, "sign_off", actor, submission_id, payload)
    else:
        payload["overall_feedback"] = (
            "Good progress. Add the evidence each criterion marked Not yet competent asks for."
        )
        gen.log_entry(completed, "return", actor, submission_id, payload)


# --- IQA ----------------------------------------------------------------------------------------


def build_iqa(gen: Generation, iqa_ids: list[int]) -> None:
    """One interim sampling plan per IQA: every assessment of a new assessor and a fifth of each
    other assessor's, chosen from their own learners; about half the samples reviewed."""
    rng = gen.rng
    by_iqa: dict[int, list[dict]] = defaultdict(list)
    for a in gen.completed:
        if a["iqa_id"] is not None:
            by_iqa[a["iqa_id"]].append(a)
    plan_ids = gen.writer.ids(SamplingPlan.__table__, len(iqa_ids))
    for plan_id, iqa_id in zip(plan_ids, iqa_ids, strict=True):
        created = gen.now - timedelta(days=100)
        gen.add(
            SamplingPlan.__table__,
            {
                "id": plan_id,
                "centre_id": gen.centre_id,
                "iqa_id": iqa_id,
                "name": "Interim sample, this year",
                "stage": SampleStage.INTERIM,
                "share_pct": 20,
                "all_new_assessors": True,
                "each_scenario": True,
                "created_at": created,
            },
        )
        by_assessor: dict[int, list[dict]] = defaultdict(list)
        for a in by_iqa[iqa_id]:
            by_assessor[a["assessor_id"]].append(a)
        chosen = []
        for assessor_id, done in sorted(by_assessor.items()):
            name = gen.names[assessor_id]
            if assessor_id in gen.new_assessors:
                chosen += [(a, f"Every decision of a new assessor ({name})") for a in done]
            else:
                picked = rng.sample(done, math.ceil(len(done) * 0.2))
                chosen += [(a, f"20% of {name}'s assessments") for a in picked]
        sample_ids = gen.writer.ids(Sample.__table__, len(chosen))
        for sample_id, (a, reason) in zip(sample_ids, chosen, strict=True):
            at = a["completed"] + timedelta(days=rng.uniform(1, 5))
            at = min(at, gen.now - timedelta(minutes=1))
            gen.add(
                Sample.__table__,
                {
                    "id": sample_id,
                    "plan_id": plan_id,
                    "assessment_id": a["id"],
                    "reason": reason,
                    "created_at": at,
                },
            )
            if rng.random() < 0.5:
                _review(gen, iqa_id, plan_id, sample_id, a, reason, at)
        gen.maybe_flush()


def _review(gen, iqa_id, plan_id, sample_id, a, reason, sampled_at) -> None:
    rng = gen.rng
    (review_id,) = gen.writer.ids(IqaReview.__table__, 1)
    done = min(sampled_at + timedelta(days=rng.uniform(0.5, 7)), gen.now - timedelta(seconds=30))
    verdicts = []
    for criterion in gen.criteria:
        if criterion.id not in a["decisions"]:
            continue
        agree = rng.random() < 0.93
        feedback = "" if agree else f"The evidence for {criterion.ref} does not support this."
        verdicts.append((criterion, agree, feedback))
    disagreed = sum(1 for v in verdicts if not v[1])
    actions = "Re-check the evidence against the criteria named and tell me." if disagreed else ""
    responded = disagreed and rng.random() < 0.6
    response_at = done + timedelta(days=1)
    responded = responded and response_at < gen.now
    gen.add(
        IqaReview.__table__,
        {
            "id": review_id,
            "sample_id": sample_id,
            "iqa_id": iqa_id,
            "status": IqaReviewStatus.RESPONDED if responded else IqaReviewStatus.COMPLETED,
            "overall_feedback": "Sound judgements overall.",
            "actions": actions,
            "assessor_response": "I have re-checked the evidence." if responded else "",
            "completed_at": done,
            "responded_at": response_at if responded else None,
            "version": 2,
        },
    )
    for criterion, agree, feedback in verdicts:
        gen.add(
            IqaVerdict.__table__,
            {
                "review_id": review_id,
                "criterion_id": criterion.id,
                "agree": agree,
                "feedback": feedback,
            },
        )
    payload = {
        "review_id": review_id,
        "sample_id": sample_id,
        "plan_id": plan_id,
        "plan": "Interim sample, this year",
        "stage": SampleStage.INTERIM.value,
        "reason": reason,
        "assessment_id": a["id"],
        "assessor_id": a["assessor_id"],
        "verdicts": [
            {
                "criterion_id": c.id,
                "criterion": c.ref,
                "assessor_decision": a["decisions"][c.id].value,
                "corrected": False,
                "agree": agree,
                "feedback": feedback,
            }
            for c, agree, feedback in verdicts
        ],
        "overall_feedback": "Sound judgements overall.",
        "actions": actions,
    }
    gen.log_entry(done, "iqa_verdict", iqa_id, a["submission_id"], payload)
    iqa = gen.names[iqa_id]
    message = (
        f"{iqa} (IQA) has reviewed your assessment of {a['learner']}'s version {a['number']}: "
        + (
            f"disagrees on {disagreed} criterion{'' if disagreed == 1 else 'a'}. "
            "Please read the actions and respond."
            if disagreed
            else "agrees with every decision. Please read the review and respond."
        )
    )
    read = response_at if responded else None
    notify(
        gen,
        a["assessor_id"],
        "iqa_verdict",
        message,
        f"/iqa/reviews/{review_id}/respond",
        done,
        read,
    )
    if responded:
        payload = {
            "review_id": review_id,
            "assessment_id": a["id"],
            "iqa_id": iqa_id,
            "response": "I have re-checked the evidence.",
        }
        gen.log_entry(
            response_at, "assessor_response", a["assessor_id"], a["submission_id"], payload
        )


# --- the chain ----------------------------------------------------------------------------------


def chain_log(gen: Generation, centre_id: int) -> int:
    """Write the pending entries in time order after the newest entry already on the log, each
    carrying the hash of the one before (as review.log.append does, one at a time)."""
    last = db.session.execute(
        sa.select(DecisionLogEntry.seq, DecisionLogEntry.entry_hash)
        .order_by(DecisionLogEntry.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last.seq, last.entry_hash) if last else (0, GENESIS)
    gen.flush()
    rows = []
    for entry in sorted(gen.log, key=lambda e: e.created_at):
        seq += 1
        digest = entry_digest(
            seq=seq,
            kind=entry.kind,
            actor_id=entry.actor_id,
            centre_id=centre_id,
            submission_id=entry.submission_id,
            payload=entry.payload,
            created_at=entry.created_at.isoformat(timespec="microseconds"),
            prev_hash=prev,
        )
        rows.append(
            {
                "seq": seq,
                "centre_id": centre_id,
                "kind": entry.kind,
                "actor_id": entry.actor_id,
                "submission_id": entry.submission_id,
                "payload": entry.payload,
                "created_at": entry.created_at,
                "prev_hash": prev,
                "entry_hash": digest,
            }
        )
        prev = digest
    gen.writer.insert(DecisionLogEntry.__table__, rows)
    gen.log.clear()
    return len(rows)
