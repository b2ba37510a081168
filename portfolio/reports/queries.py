"""The cohort tracking grid: learners by criteria, in a fixed number of queries."""

from dataclasses import dataclass

import sqlalchemy as sa

from portfolio.accounts.models import Cohort, User, cohort_members
from portfolio.evidence.models import (
    EvidenceItem,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.queries import STATUS_LABELS
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
)


@dataclass
class CohortGrid:
    unit: Unit | None
    criteria: list[Criterion]
    rows: list[tuple[User, dict[int, str]]]  # learner, criterion id -> status

    def summary(self) -> dict[str, int]:
        counts = {key: 0 for key in STATUS_LABELS}
        for _, statuses in self.rows:
            for criterion in self.criteria:
                counts[statuses.get(criterion.id, "none")] += 1
        return counts


def cohort_grid(cohort: Cohort) -> CohortGrid:
    """Each learner's status on each criterion: met / not yet (latest completed assessment),
    submitted (mapped and awaiting assessment), mapped, proposed, or no evidence."""
    unit = db.session.scalar(sa.select(Unit).order_by(Unit.id).limit(1))
    learners = list(
        db.session.scalars(
            sa.select(User)
            .join(cohort_members, cohort_members.c.user_id == User.id)
            .where(cohort_members.c.cohort_id == cohort.id)
            .order_by(User.full_name)
        )
    )
    if unit is None:
        return CohortGrid(None, [], [(u, {}) for u in learners])
    criteria = list(
        db.session.scalars(
            sa.select(Criterion)
            .join(Outcome)
            .where(Criterion.unit_id == unit.id)
            .order_by(Outcome.position, Criterion.position)
        )
    )
    ids = [u.id for u in learners]
    portfolio_of = dict(
        db.session.execute(
            sa.select(Portfolio.id, Portfolio.learner_id).where(
                Portfolio.learner_id.in_(ids), Portfolio.unit_id == unit.id
            )
        ).all()
    )
    statuses: dict[int, dict[int, str]] = {pid: {} for pid in portfolio_of}
    for pid, criterion_id, confirmed in db.session.execute(
        sa.select(EvidenceItem.portfolio_id, Mapping.criterion_id, Mapping.confirmed)
        .join(Mapping, Mapping.item_id == EvidenceItem.id)
        .where(EvidenceItem.portfolio_id.in_(portfolio_of), EvidenceItem.withdrawn.is_(False))
    ):
        current = statuses[pid].get(criterion_id)
        if confirmed:
            statuses[pid][criterion_id] = "mapped"
        elif current is None:
            statuses[pid][criterion_id] = "proposed"
    latest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .where(Submission.portfolio_id.in_(portfolio_of))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    pending = set(
        db.session.scalars(
            sa.select(Submission.portfolio_id)
            .join(
                latest,
                sa.and_(
                    latest.c.portfolio_id == Submission.portfolio_id,
                    latest.c.number == Submission.number,
                ),
            )
            .where(Submission.status == SubmissionStatus.SUBMITTED)
        )
    )
    for pid in pending:
        for criterion_id, status in statuses[pid].items():
            if status == "mapped":
                statuses[pid][criterion_id] = "submitted"
    # Decisions of each portfolio's most recent completed primary assessment.
    for pid, criterion_id, decision in db.session.execute(
        sa.select(
            Submission.portfolio_id, CriterionDecision.criterion_id, CriterionDecision.decision
        )
        .join(Assessment, Assessment.submission_id == Submission.id)
        .join(CriterionDecision, CriterionDecision.assessment_id == Assessment.id)
        .where(
            Submission.portfolio_id.in_(portfolio_of),
            Assessment.kind == AssessmentKind.PRIMARY,
            Assessment.status != AssessmentStatus.IN_PROGRESS,
        )
        .order_by(Assessment.completed_at)
    ):
        statuses[pid][criterion_id] = "met" if decision == "competent" else "not_yet"
    by_learner = {learner_id: statuses[pid] for pid, learner_id in portfolio_of.items()}
    return CohortGrid(unit, criteria, [(u, by_learner.get(u.id, {})) for u in learners])
