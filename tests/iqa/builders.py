"""Builders for IQA tests: a unit, submissions with a hand-made snapshot naming a scenario, and
completed assessments made directly with the models (with their decision-log entries)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portfolio.accounts.models import User
from portfolio.db import utcnow
from portfolio.evidence.models import Submission
from portfolio.evidence.services import portfolio_for
from portfolio.evidence.snapshot import snapshot_hash
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from portfolio.framework.queries import criteria_of
from portfolio.framework.services import import_unit
from portfolio.review import iqa, log
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
    Decision,
)
from portfolio.scenarios.loader import load_bundle
from tests.library.conftest import FIXTURES

C, N = Decision.COMPETENT, Decision.NOT_YET


def mini_unit() -> tuple[Unit, list[Criterion]]:
    """The fixture unit MINI (criteria 1.1, 1.2, 2.1), imported once per test."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "MINI"))
    if unit is None:
        [criteria], _ = load_bundle(FIXTURES)
        unit, _ = import_unit(criteria)
    return unit, criteria_of(unit.id)


def submit(
    learner: User,
    unit: Unit,
    *,
    scenario: str | None = "Fibrelink billing",
    occurred_on: str | None = None,
) -> Submission:
    """The learner's next version, with one evidence item from the named scenario (dated
    `occurred_on`, ISO text as snapshots keep it)."""
    portfolio = portfolio_for(learner, unit)
    number = 1 + (
        db.session.scalar(
            sa.select(sa.func.max(Submission.number)).where(Submission.portfolio_id == portfolio.id)
        )
        or 0
    )
    snapshot = {
        "format": 1,
        "learner": {"id": learner.id, "name": learner.full_name, "email": learner.email},
        "centre": "",
        "unit": {"code": unit.code, "title": unit.title, "outcomes": []},
        "items": [
            {
                "id": number,
                "kind": "simulated",
                "source": "reflection",
                "case_id": None,
                "source_ref": "",
                "scenario": scenario,
                "title": f"Reflective account ({scenario or 'workplace'})",
                "description": "",
                "occurred_on": occurred_on,
                "content": {"text": "What I learned from the case."},
                # every criterion evidenced, so that each may be judged Competent
                "mappings": [
                    {"ref": ref, "text": ref, "justification": "It does."}
                    for ref in ("1.1", "1.2", "2.1")
                ],
            }
        ],
        "declaration": {"name": learner.full_name, "date": date.today().isoformat()},
    }
    submission = Submission(
        portfolio=portfolio,
        number=number,
        declared_name=learner.full_name,
        declared_on=date.today(),
        snapshot=snapshot,
        snapshot_hash=snapshot_hash(snapshot),
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def assess(
    submission: Submission,
    assessor: User,
    decisions: dict[Criterion, Decision],
    *,
    status: AssessmentStatus = AssessmentStatus.SIGNED_OFF,
    kind: AssessmentKind = AssessmentKind.PRIMARY,
) -> Assessment:
    """A completed assessment with its decisions, logged as the assessor side logs them."""
    assessment = Assessment(
        submission=submission, assessor=assessor, kind=kind, overall_feedback="Well argued."
    )
    for criterion, decision in decisions.items():
        assessment.decisions.append(
            CriterionDecision(
                criterion_id=criterion.id,
                decision=decision,
                feedback="" if decision == C else f"Say more about {criterion.ref}.",
            )
        )
    db.session.add(assessment)
    db.session.flush()
    if status == AssessmentStatus.IN_PROGRESS:
        return assessment
    for criterion, decision in decisions.items():
        log.append(
            "decision",
            actor=assessor,
            submission_id=submission.id,
            payload={
                "assessment_id": assessment.id,
                "criterion": criterion.ref,
                "decision": decision.value,
            },
        )
    kind_of_entry = {
        AssessmentStatus.SIGNED_OFF: "sign_off",
        AssessmentStatus.RETURNED: "return",
        AssessmentStatus.COMPLETED: "standardisation",
    }[status]
    log.append(
        kind_of_entry,
        actor=assessor,
        submission_id=submission.id,
        payload={"assessment_id": assessment.id},
    )
    assessment.status = status
    assessment.completed_at = utcnow()
    if status == AssessmentStatus.SIGNED_OFF:
        assessment.signed_name = assessor.full_name
    db.session.flush()
    return assessment


def all_competent(criteria: list[Criterion]) -> dict[Criterion, Decision]:
    return {c: C for c in criteria}


def make_plan(world, **rules):
    """A sampling plan of world.iqa's: an interim sample of every decision unless `rules` say
    otherwise."""
    values = {"name": "Spring interim", "stage": "interim", "share_pct": 100} | rules
    return iqa.create_plan(world.centre, iqa=world.iqa, **values)


def completed_review(world, sample, criteria, *, disagree=("1.2",)):
    """world.iqa's finished review of `sample`: agreeing on every criterion but `disagree`
    (with feedback and an action for the assessor); committed."""
    review = iqa.start_review(sample, by=world.iqa)
    iqa.save_verdicts(
        review,
        {c.id: (c.ref not in disagree, "Too thin." if c.ref in disagree else "") for c in criteria},
        overall_feedback="Mostly sound.",
        actions="Re-mark 1.2 with the ombudsman rule in mind.",
        expected_version=review.version,
    )
    iqa.complete_review(review, by=world.iqa)
    db.session.commit()
    return review
