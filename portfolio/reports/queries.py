"""The cohort tracking grid: learners by criteria, in a fixed number of queries."""

import functools
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_sqlalchemy.pagination import Pagination

from portfolio.accounts.models import Cohort, User
from portfolio.accounts.queries import cohort_member_rows
from portfolio.evidence.models import (
    EvidenceItem,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.queries import STATUS_LABELS, is_newest_version, submitted_refs
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.pagination import paginate
from portfolio.reads import rows as read_rows
from portfolio.review.caseload import cell_status
from portfolio.review.models import DecisionLogEntry
from portfolio.review.queries import latest_decision_states


@dataclass
class CohortGrid:
    unit_id: int | None
    criteria: list[sa.Row]  # id, ref, text
    rows: list[tuple[sa.Row, list[str]]]  # learner (id, full_name, email, active), statuses
    page: Pagination | None = None

    def deactivated(self) -> int:
        """How many of these rows' learners are deactivated (kept: their evidence stands)."""
        return sum(1 for learner, _ in self.rows if not learner.active)

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
    statuses = _statuses(criteria[0].unit_id, [u.id for u in learners], criteria)
    blank = ["none"] * len(criteria)
    rows = [(u, statuses.get(u.id, blank)) for u in learners]
    return CohortGrid(criteria[0].unit_id, criteria, rows, pagination)


@functools.cache
def _status_statements() -> tuple[sa.Select, sa.Select]:
    """The statements behind the grid's cells, built once (they are immutable, and building
    them cost more than running them). Parameters: `unit_id` and `learner_ids` (a list).
    Rows: (portfolio, learner, newest version, its status) and (learner, criterion, 1 when a
    mapping is confirmed else 0)."""
    p, s, i, m = (
        Portfolio.__table__,
        Submission.__table__,
        EvidenceItem.__table__,
        Mapping.__table__,
    )
    confirmed = sa.case((m.c.confirmed, 1), else_=0)
    mine = sa.and_(
        p.c.learner_id.in_(sa.bindparam("learner_ids", expanding=True)),
        p.c.unit_id == sa.bindparam("unit_id"),
    )
    portfolios = (
        sa.select(p.c.id, p.c.learner_id, s.c.id, s.c.status)
        .select_from(p)
        .outerjoin(s, is_newest_version(s, p))
        .where(mine)
    )
    mappings = (
        sa.select(p.c.learner_id, m.c.criterion_id, sa.func.max(confirmed))
        .select_from(p)
        .join(i, i.c.portfolio_id == p.c.id)
        .join(m, m.c.item_id == i.c.id)
        .where(mine, i.c.withdrawn.is_(False))
        .group_by(p.c.learner_id, m.c.criterion_id)
    )
    return portfolios, mappings


def _statuses(unit_id: int, learner_ids: list[int], criteria: list[sa.Row]) -> dict[int, list[str]]:
    """learner id -> each criterion's status, for the learners with a portfolio for the unit:
    the caseload's rule (met, submitted, not yet, mapped, proposed, none), with decisions as
    they stand after corrections and "submitted" for what the waiting version maps."""
    if not learner_ids:
        return {}
    portfolios, mappings = _status_statements()
    params = {"unit_id": unit_id, "learner_ids": learner_ids}
    found = read_rows(portfolios, params).all()
    if not found:
        return {}
    mapped: dict[int, dict[int, int]] = {}
    for learner_id, criterion_id, confirmed in read_rows(mappings, params):
        mapped.setdefault(learner_id, {})[criterion_id] = confirmed
    awaiting = [sid for _, _, sid, status in found if status == SubmissionStatus.SUBMITTED]
    submitted = submitted_refs(awaiting)
    decisions = latest_decision_states([pid for pid, *_ in found])
    none: frozenset[str] = frozenset()
    statuses = {}
    for pid, learner_id, sid, status in found:
        refs = submitted.get(sid, none) if status == SubmissionStatus.SUBMITTED else none
        mine, decided = mapped.get(learner_id, {}), decisions.get(pid, {})
        statuses[learner_id] = [
            cell_status(c.ref, decided.get(c.id), refs, mine.get(c.id)) for c in criteria
        ]
    return statuses


def decision_log(centre_id: int, *, iqa_id: int | None = None) -> sa.Select:
    """A centre's decision log in order, as plain rows (seq, created_at, kind, actor, learner,
    submission_id, payload, entry_hash, version: the submission's number): the learner is the
    one whose submission the entry is about (None for entries about none). With `iqa_id`, only
    the entries about the versions of that IQA's learners. Columns, not entries: a large
    centre's log holds a hundred thousand entries, and building an object for each took most
    of the download's time."""
    actor, learner = so.aliased(User), so.aliased(User)
    e = DecisionLogEntry
    statement = (
        sa.select(
            e.seq,
            e.created_at,
            e.kind,
            actor.full_name.label("actor"),
            learner.full_name.label("learner"),
            e.submission_id,
            e.payload,
            e.entry_hash,
            Submission.number.label("version"),
        )
        .join(actor, actor.id == DecisionLogEntry.actor_id)
        .outerjoin(Submission, Submission.id == DecisionLogEntry.submission_id)
        .outerjoin(Portfolio, Portfolio.id == Submission.portfolio_id)
        .outerjoin(learner, learner.id == Portfolio.learner_id)
        .where(DecisionLogEntry.centre_id == centre_id)
        .order_by(DecisionLogEntry.seq)
    )
    if iqa_id is not None:
        statement = statement.where(learner.centre_id == centre_id, learner.iqa_id == iqa_id)
    return statement
