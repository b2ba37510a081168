"""The cohort tracking grid: learners by criteria, in a fixed number of queries."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

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
    rows: list[tuple[User, list[str]]]  # learner, status key for each criterion in order
    page: Pagination | None = None

    def summary(self) -> dict[str, int]:
        """How many learner-criterion cells of these rows have each status."""
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for _, cells in self.rows:
            for status in cells:
                counts[status] += 1
        return counts


def cohort_grid(cohort: Cohort, *, page: int | None = None, per_page: int = 50) -> CohortGrid:
    """Each learner's status on each criterion: met / not yet (latest completed assessment),
    submitted (mapped and awaiting assessment), mapped, proposed, or no evidence. One page of
    learners by name (every learner when `page` is None, for the downloads), in a fixed
    number of queries."""
    unit = db.session.scalar(sa.select(Unit).order_by(Unit.id).limit(1))
    members = (
        sa.select(User)
        .join(cohort_members, cohort_members.c.user_id == User.id)
        .where(cohort_members.c.cohort_id == cohort.id)
        .order_by(User.full_name, User.id)
    )
    pagination = None
    if page is None:
        learners = list(db.session.scalars(members))
    else:
        pagination = db.paginate(members, page=page, per_page=per_page, error_out=False)
        learners = list(pagination.items)
    if unit is None:
        return CohortGrid(None, [], [(u, []) for u in learners], pagination)
    criteria = list(
        db.session.scalars(
            sa.select(Criterion)
            .join(Outcome)
            .where(Criterion.unit_id == unit.id)
            .order_by(Outcome.position, Criterion.position)
        )
    )
    statuses = _statuses(unit, [u.id for u in learners])
    rows = [(u, [statuses.get(u.id, {}).get(c.id, "none") for c in criteria]) for u in learners]
    return CohortGrid(unit, criteria, rows, pagination)


def _statuses(unit: Unit, learner_ids: list[int]) -> dict[int, dict[int, str]]:
    """learner id -> criterion id -> status, for these learners' portfolios for the unit."""
    portfolio_of = dict(
        db.session.execute(
            sa.select(Portfolio.id, Portfolio.learner_id).where(
                Portfolio.learner_id.in_(learner_ids), Portfolio.unit_id == unit.id
            )
        ).all()
    )
    # One subquery instead of an IN list of portfolio IDs in every statement below.
    portfolios = (
        sa.select(Portfolio.id)
        .where(Portfolio.learner_id.in_(learner_ids), Portfolio.unit_id == unit.id)
        .scalar_subquery()
    )
    statuses: dict[int, dict[int, str]] = {pid: {} for pid in portfolio_of}
    for pid, criterion_id, confirmed in db.session.execute(
        sa.select(EvidenceItem.portfolio_id, Mapping.criterion_id, Mapping.confirmed)
        .join(Mapping, Mapping.item_id == EvidenceItem.id)
        .where(EvidenceItem.portfolio_id.in_(portfolios), EvidenceItem.withdrawn.is_(False))
    ):
        current = statuses[pid].get(criterion_id)
        if confirmed:
            statuses[pid][criterion_id] = "mapped"
        elif current is None:
            statuses[pid][criterion_id] = "proposed"
    latest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .where(Submission.portfolio_id.in_(portfolios))
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
    # Decisions of each portfolio's most recent completed primary assessment only.
    completed = sa.and_(
        Assessment.kind == AssessmentKind.PRIMARY,
        Assessment.status != AssessmentStatus.IN_PROGRESS,
    )
    newest = (
        sa.select(Submission.portfolio_id, sa.func.max(Assessment.completed_at).label("at"))
        .join(Assessment, Assessment.submission_id == Submission.id)
        .where(Submission.portfolio_id.in_(portfolios), completed)
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    for pid, criterion_id, decision in db.session.execute(
        sa.select(
            Submission.portfolio_id, CriterionDecision.criterion_id, CriterionDecision.decision
        )
        .join(Assessment, Assessment.submission_id == Submission.id)
        .join(
            newest,
            sa.and_(
                newest.c.portfolio_id == Submission.portfolio_id,
                newest.c.at == Assessment.completed_at,
            ),
        )
        .join(CriterionDecision, CriterionDecision.assessment_id == Assessment.id)
        .where(completed)
    ):
        statuses[pid][criterion_id] = "met" if decision == "competent" else "not_yet"
    return {learner_id: statuses[pid] for pid, learner_id in portfolio_of.items()}
