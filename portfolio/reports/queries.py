"""The cohort tracking grid: learners by criteria, in a fixed number of queries."""

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portfolio.accounts.models import Cohort
from portfolio.accounts.queries import cohort_member_rows
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
from portfolio.pagination import paginate
from portfolio.reads import rows as read_rows
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CriterionDecision,
)


@dataclass
class CohortGrid:
    unit_id: int | None
    criteria: list[sa.Row]  # id, ref, text
    rows: list[tuple[sa.Row, list[str]]]  # learner (id, full_name, email), status keys
    page: Pagination | None = None

    def summary(self) -> dict[str, int]:
        """How many learner-criterion cells of these rows have each status."""
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for _, cells in self.rows:
            for status in cells:
                counts[status] += 1
        return counts


@functools.cache
def _criteria_rows() -> sa.Select:
    """The criteria of the first unit in outcome order, as rows (id, ref, text), built once."""
    first_unit = sa.select(sa.func.min(Unit.id)).scalar_subquery()
    criteria, outcomes = Criterion.__table__, Outcome.__table__
    return (
        sa.select(criteria.c.id, criteria.c.ref, criteria.c.text, criteria.c.unit_id)
        .select_from(criteria)
        .join(outcomes, outcomes.c.id == criteria.c.outcome_id)
        .where(criteria.c.unit_id == first_unit)
        .order_by(outcomes.c.position, criteria.c.position)
    )


def cohort_grid(cohort: Cohort, *, page: bool = False) -> CohortGrid:
    """Each learner's status on each criterion: met / not yet (latest completed assessment),
    submitted (mapped and awaiting assessment), mapped, proposed, or no evidence. With `page`,
    one page of learners by name (the request's page); else every learner, for the
    downloads. Learners and criteria are plain rows. A fixed number of queries."""
    members, params = cohort_member_rows(), {"cohort_id": cohort.id}
    pagination = paginate(members, rows=True, params=params) if page else None
    learners = pagination.items if pagination else db.session.execute(members, params).all()
    criteria = read_rows(_criteria_rows()).all()
    if not criteria:
        return CohortGrid(None, [], [(u, []) for u in learners], pagination)
    statuses = _statuses(criteria[0].unit_id, [u.id for u in learners])
    rows = [(u, [statuses.get(u.id, {}).get(c.id, "none") for c in criteria]) for u in learners]
    return CohortGrid(criteria[0].unit_id, criteria, rows, pagination)


@functools.cache
def _status_statements() -> tuple[sa.Select, sa.Select, sa.Select]:
    """The statements behind the grid's cells, built once (they are immutable, and building
    them cost more than running them). Parameters: `unit_id` and `learner_ids` (a list).
    Rows: (learner, criterion, confirmed), (learner), (learner, criterion, decision)."""
    portfolios = sa.select(Portfolio.id).where(
        Portfolio.learner_id.in_(sa.bindparam("learner_ids", expanding=True)),
        Portfolio.unit_id == sa.bindparam("unit_id"),
    )
    mappings = (
        sa.select(Portfolio.learner_id, Mapping.criterion_id, Mapping.confirmed)
        .select_from(Portfolio)
        .join(EvidenceItem, EvidenceItem.portfolio_id == Portfolio.id)
        .join(Mapping, Mapping.item_id == EvidenceItem.id)
        .where(Portfolio.id.in_(portfolios.scalar_subquery()), EvidenceItem.withdrawn.is_(False))
    )
    latest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .where(Submission.portfolio_id.in_(portfolios.scalar_subquery()))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    pending = (
        sa.select(Portfolio.learner_id)
        .join(Submission, Submission.portfolio_id == Portfolio.id)
        .join(
            latest,
            sa.and_(
                latest.c.portfolio_id == Submission.portfolio_id,
                latest.c.number == Submission.number,
            ),
        )
        .where(Submission.status == SubmissionStatus.SUBMITTED)
    )
    # Decisions of each portfolio's most recent completed primary assessment only.
    completed = sa.and_(
        Assessment.kind == AssessmentKind.PRIMARY,
        Assessment.status != AssessmentStatus.IN_PROGRESS,
    )
    newest = (
        sa.select(Submission.portfolio_id, sa.func.max(Assessment.completed_at).label("at"))
        .join(Assessment, Assessment.submission_id == Submission.id)
        .where(Submission.portfolio_id.in_(portfolios.scalar_subquery()), completed)
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    decisions = (
        sa.select(Portfolio.learner_id, CriterionDecision.criterion_id, CriterionDecision.decision)
        .select_from(Portfolio)
        .join(Submission, Submission.portfolio_id == Portfolio.id)
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
    )
    return mappings, pending, decisions


def _statuses(unit_id: int, learner_ids: list[int]) -> dict[int, dict[int, str]]:
    """learner id -> criterion id -> status, for these learners' portfolios for the unit."""
    if not learner_ids:
        return {}
    mappings, pending, decisions = _status_statements()
    params = {"unit_id": unit_id, "learner_ids": learner_ids}
    statuses: dict[int, dict[int, str]] = {}
    for learner_id, criterion_id, confirmed in read_rows(mappings, params):
        cells = statuses.setdefault(learner_id, {})
        if confirmed:
            cells[criterion_id] = "mapped"
        elif criterion_id not in cells:
            cells[criterion_id] = "proposed"
    for learner_id in read_rows(pending, params).scalars():
        cells = statuses.get(learner_id, {})
        for criterion_id, status in cells.items():
            if status == "mapped":
                cells[criterion_id] = "submitted"
    for learner_id, criterion_id, decision in read_rows(decisions, params):
        statuses.setdefault(learner_id, {})[criterion_id] = (
            "met" if decision == "competent" else "not_yet"
        )
    return statuses
