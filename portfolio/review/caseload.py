"""The assessor's caseload grid: learners by criteria, one grid per unit, in a fixed number
of queries whatever the caseload's size."""

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup

from portfolio import authz
from portfolio.accounts.models import User
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission, SubmissionStatus
from portfolio.evidence.queries import is_newest_version, submitted_refs
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.pagination import paginate
from portfolio.reads import rows
from portfolio.review.iqa_queries import review_open
from portfolio.review.models import Assessment, Decision, IqaReview, Sample
from portfolio.review.queries import latest_decision_states
from portfolio.roles import Role

#: Each status's label in the grid.
STATUS_LABELS = {
    "none": "No evidence",
    "proposed": "Proposed",
    "mapped": "Mapped",
    "submitted": "Submitted",
    "met": "Met",
    "not_yet": "Not yet",
}
# A cell's markup depends on its status alone: built once, a row's cells are a join of these
# rather than a thousand template loop turns per page.
_CELL = {
    status: Markup('<td><span class="status status-{}">{}</span></td>').format(status, label)
    for status, label in STATUS_LABELS.items()
}


def cell_status(
    ref: str, decision: Decision | None, submitted: frozenset[str], mapping: int | None
) -> str:
    if decision == Decision.COMPETENT:
        return "met"
    if ref in submitted:
        return "submitted"
    if decision is not None:
        return "not_yet"
    if mapping is None:
        return "none"
    return "mapped" if mapping else "proposed"


#: The portfolios statement's IQA column, as the row's wording of the open review.
_IQA_REVIEW = {1: "not started", 2: "in progress"}


@dataclass(frozen=True, slots=True)
class UnitHead:
    id: int
    code: str
    title: str


@dataclass(frozen=True, slots=True)
class CriterionHead:
    id: int
    ref: str
    text: str


@dataclass(frozen=True, slots=True)
class _Version:
    id: int
    number: int
    status: SubmissionStatus


@dataclass(slots=True)
class CaseloadRow:
    learner: sa.Row  # id, full_name
    portfolio_id: int
    latest: _Version | None  # the portfolio's newest version
    # An IQA has sampled the newest version's marking and the review is not done: "not started"
    # (no review yet) or "in progress" (some IQA has started one); None otherwise.
    iqa_review: str | None = None
    cells: dict[int, str] = field(default_factory=dict)  # criterion id -> status

    @property
    def met(self) -> int:
        return sum(1 for status in self.cells.values() if status == "met")

    @property
    def cells_html(self) -> Markup:
        """The row's status cells, in the grid's criteria order."""
        return Markup("".join([_CELL[status] for status in self.cells.values()]))


@dataclass
class UnitGrid:
    unit: UnitHead
    criteria: list[CriterionHead]
    rows: list[CaseloadRow]


@dataclass
class Caseload:
    grids: list[UnitGrid]
    without_portfolio: list[sa.Row]
    page: Pagination | None = None


@functools.cache
def _statements() -> dict[str, sa.Select]:
    """The statements the grid runs, built once, as plain columns (the page shows 50 learners
    by every criterion of their units: loading those as objects was most of its time)."""
    p, s = Portfolio.__table__, Submission.__table__
    un, o, c = Unit.__table__, Outcome.__table__, Criterion.__table__
    i, m = EvidenceItem.__table__, Mapping.__table__
    learner_ids = sa.bindparam("learner_ids", expanding=True)
    portfolio_ids = sa.bindparam("portfolio_ids", expanding=True)
    a, sm, r = Assessment.__table__, Sample.__table__, IqaReview.__table__
    # The version's open IQA samples (review missing or in progress): 2 if any review has been
    # started, 1 if none has, NULL if no sample is open.
    iqa_open = (
        sa.select(sa.func.max(sa.case((r.c.id.is_(None), 1), else_=2)))
        .select_from(
            a.join(sm, sm.c.assessment_id == a.c.id).outerjoin(r, r.c.sample_id == sm.c.id)
        )
        .where(a.c.submission_id == s.c.id, review_open())
        .scalar_subquery()
    )
    return {
        # Their portfolios, each with its newest version (by number, through the unique index)
        # and how far an open IQA review of its marking has got.
        "portfolios": sa.select(
            p.c.id, p.c.learner_id, p.c.unit_id, s.c.id, s.c.number, s.c.status, iqa_open
        )
        .select_from(p)
        .outerjoin(s, is_newest_version(s, p))
        .where(p.c.learner_id.in_(learner_ids))
        .order_by(p.c.unit_id, p.c.id),
        "criteria": sa.select(un.c.id, un.c.code, un.c.title, c.c.id, c.c.ref, c.c.text)
        .select_from(un)
        .join(o, o.c.unit_id == un.c.id)
        .join(c, c.c.outcome_id == o.c.id)
        .where(un.c.id.in_(sa.bindparam("unit_ids", expanding=True)))
        .order_by(un.c.id, o.c.position, o.c.id, c.c.position, c.c.id),
        # Each criterion a live item maps, by portfolio: 1 if any mapping is confirmed.
        "mappings": sa.select(
            i.c.portfolio_id,
            m.c.criterion_id,
            sa.func.max(sa.case((m.c.confirmed, 1), else_=0)),
        )
        .join(m, m.c.item_id == i.c.id)
        .where(i.c.portfolio_id.in_(portfolio_ids), i.c.withdrawn.is_(False))
        .group_by(i.c.portfolio_id, m.c.criterion_id),
    }


def _learners(assessor: User, page: bool) -> tuple[list[sa.Row], Pagination | None]:
    """The assessor's learners by name, as (id, full_name) rows, under the access rule."""
    statement = (
        authz.learners_visible_to(assessor)
        .with_only_columns(User.id, User.full_name)
        .order_by(User.full_name, User.id)
    )
    if page:
        pagination = paginate(statement, rows=True)
        return list(pagination.items), pagination
    return rows(statement).all(), None


def caseload(assessor: User, *, page: bool = False) -> Caseload:
    """The assessor's learners by criteria, one grid per unit: each cell is the criterion's
    status (met, not yet, submitted, mapped, proposed, none). With `page`, one page of 50
    learners by name (the request's page). A fixed number of queries."""
    if assessor.role != Role.ASSESSOR or assessor.centre_id is None:
        return Caseload([], [], None)
    learners, pagination = _learners(assessor, page)
    if not learners:
        return Caseload([], [], pagination)
    statements = _statements()
    portfolios = rows(statements["portfolios"], {"learner_ids": [u.id for u in learners]}).all()
    pids = [row[0] for row in portfolios]
    units: dict[int, UnitGrid] = {}
    if portfolios:
        unit_ids = sorted({row[2] for row in portfolios})
        for unit_id, code, title, cid, ref, text in rows(
            statements["criteria"], {"unit_ids": unit_ids}
        ):
            grid = units.get(unit_id)
            if grid is None:
                grid = units[unit_id] = UnitGrid(UnitHead(unit_id, code, title), [], [])
            grid.criteria.append(CriterionHead(cid, ref, text))
    mappings: dict[tuple[int, int], int] = {}
    if pids:
        for pid, cid, confirmed in rows(statements["mappings"], {"portfolio_ids": pids}):
            mappings[(pid, cid)] = confirmed
    awaiting = [row[3] for row in portfolios if row[5] == SubmissionStatus.SUBMITTED]
    submitted = submitted_refs(awaiting)
    effective = latest_decision_states(pids)
    by_learner = {u.id: u for u in learners}
    none: frozenset[str] = frozenset()
    for pid, learner_id, unit_id, sid, number, status, iqa_open in portfolios:
        grid = units.get(unit_id)
        if grid is None:  # a unit with no criteria has no grid
            grid = units[unit_id] = UnitGrid(_unit_head(unit_id), [], [])
        latest = None if sid is None else _Version(sid, number, status)
        refs = submitted.get(sid, none) if status == SubmissionStatus.SUBMITTED else none
        decisions = effective.get(pid, {})
        row = CaseloadRow(by_learner[learner_id], pid, latest, _IQA_REVIEW.get(iqa_open))
        for criterion in grid.criteria:
            cid = criterion.id
            row.cells[cid] = cell_status(
                criterion.ref, decisions.get(cid), refs, mappings.get((pid, cid))
            )
        grid.rows.append(row)
    with_portfolio = {row[1] for row in portfolios}
    return Caseload(
        sorted((g for g in units.values() if g.rows), key=lambda g: g.unit.code),
        [u for u in learners if u.id not in with_portfolio],
        pagination,
    )


def _unit_head(unit_id: int) -> UnitHead:
    unit = db.session.get(Unit, unit_id)
    return UnitHead(unit.id, unit.code, unit.title)
