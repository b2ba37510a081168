"""The assessor's caseload grid: learners by criteria, one grid per unit, in a fixed number
of queries whatever the caseload's size."""

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup

from portfolio import authz
from portfolio.accounts.models import User
from portfolio.evidence.models import EvidenceItem, Mapping, Portfolio, Submission, SubmissionStatus
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.pagination import paginate
from portfolio.review.models import Decision
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


def _status(
    criterion: Criterion,
    decision: Decision | None,
    submitted: set[str],
    mapping: str | None,
) -> str:
    if decision == Decision.COMPETENT:
        return "met"
    if criterion.ref in submitted:
        return "submitted"
    if decision is not None:
        return "not_yet"
    return {"confirmed": "mapped", "proposed": "proposed"}.get(mapping or "", "none")


@dataclass
class CaseloadRow:
    learner: User
    portfolio: Portfolio
    latest: Submission | None
    cells: dict[int, str] = field(default_factory=dict)  # criterion id -> status
    statuses: list[str] = field(default_factory=list)  # in the grid's criteria order

    @property
    def met(self) -> int:
        return sum(1 for status in self.cells.values() if status == "met")

    @property
    def cells_html(self) -> Markup:
        """The row's status cells, in the grid's criteria order."""
        return Markup("".join(_CELL[status] for status in self.statuses))


@dataclass
class UnitGrid:
    unit: Unit
    outcomes: list[Outcome]
    rows: list[CaseloadRow]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for o in self.outcomes for c in o.criteria]


@dataclass
class Caseload:
    grids: list[UnitGrid]
    without_portfolio: list[User]
    page: Pagination | None = None


def caseload(assessor: User, *, page: bool = False) -> Caseload:
    """The assessor's learners by criteria, one grid per unit: each cell is the criterion's
    status (met, not yet, submitted, mapped, proposed, none). With `page`, one page of 50
    learners by name (the request's page). A fixed number of queries."""
    learners_query = authz.learners_visible_to(assessor).order_by(User.full_name, User.id)
    pagination = paginate(learners_query) if page else None
    learners = list(pagination.items if pagination else db.session.scalars(learners_query))
    if assessor.role != Role.ASSESSOR or not learners:
        return Caseload([], learners if assessor.role == Role.ASSESSOR else [], pagination)
    portfolios = list(
        db.session.scalars(
            sa.select(Portfolio)
            .where(Portfolio.learner_id.in_([u.id for u in learners]))
            .options(so.joinedload(Portfolio.unit))
            .order_by(Portfolio.unit_id, Portfolio.id)
        )
    )
    pids = {p.id for p in portfolios}
    unit_ids = {p.unit_id for p in portfolios}
    outcomes = list(
        db.session.scalars(
            sa.select(Outcome)
            .where(Outcome.unit_id.in_(unit_ids))
            .options(so.selectinload(Outcome.criteria))
            .order_by(Outcome.unit_id, Outcome.position)
        )
    )
    mappings: dict[tuple[int, int], str] = {}
    if pids:
        for pid, cid, confirmed in db.session.execute(
            sa.select(EvidenceItem.portfolio_id, Mapping.criterion_id, Mapping.confirmed)
            .join(Mapping, Mapping.item_id == EvidenceItem.id)
            .where(EvidenceItem.portfolio_id.in_(pids), EvidenceItem.withdrawn.is_(False))
        ):
            if confirmed or (pid, cid) not in mappings:
                mappings[(pid, cid)] = "confirmed" if confirmed else "proposed"
    latest = _latest_submissions(pids)
    submitted = _submitted_refs([s.id for s in latest.values() if _awaiting(s)])
    effective = latest_decision_states(pids)
    by_learner = {u.id: u for u in learners}
    grids: dict[int, UnitGrid] = {}
    criteria: dict[int, list[Criterion]] = {}
    for portfolio in portfolios:
        grid = grids.get(portfolio.unit_id)
        if grid is None:
            mine = [o for o in outcomes if o.unit_id == portfolio.unit_id]
            grid = grids[portfolio.unit_id] = UnitGrid(portfolio.unit, mine, [])
            criteria[portfolio.unit_id] = grid.criteria
        sub = latest.get(portfolio.id)
        refs = submitted.get(sub.id, frozenset()) if sub else frozenset()
        decisions = effective.get(portfolio.id, {})
        row = CaseloadRow(by_learner[portfolio.learner_id], portfolio, sub)
        for criterion in criteria[portfolio.unit_id]:
            row.cells[criterion.id] = _status(
                criterion,
                decisions.get(criterion.id),
                refs,
                mappings.get((portfolio.id, criterion.id)),
            )
        row.statuses = list(row.cells.values())
        grid.rows.append(row)
    with_portfolio = {p.learner_id for p in portfolios}
    return Caseload(
        sorted(grids.values(), key=lambda g: g.unit.code),
        [u for u in learners if u.id not in with_portfolio],
        pagination,
    )


def _awaiting(submission: Submission) -> bool:
    return submission.status == SubmissionStatus.SUBMITTED


def _latest_submissions(portfolio_ids: set[int]) -> dict[int, Submission]:
    """Each portfolio's newest version, without its snapshot, in one query."""
    if not portfolio_ids:
        return {}
    newest = (
        sa.select(Submission.portfolio_id, sa.func.max(Submission.number).label("number"))
        .where(Submission.portfolio_id.in_(portfolio_ids))
        .group_by(Submission.portfolio_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(Submission)
        .join(
            newest,
            (newest.c.portfolio_id == Submission.portfolio_id)
            & (newest.c.number == Submission.number),
        )
        .options(so.defer(Submission.snapshot))
    )
    return {s.portfolio_id: s for s in rows}


def _submitted_refs(submission_ids: list[int]) -> dict[int, frozenset[str]]:
    """The criteria each awaiting version maps evidence to, read from its snapshot. A
    submitted version never changes, so what its snapshot maps is remembered per process and
    only versions not seen before are read (decoding ~50 snapshots cost a fifth of the page)."""
    found = {sid: refs for sid in submission_ids if (refs := _refs_seen(sid)) is not None}
    missing = [sid for sid in submission_ids if sid not in found]
    if missing:
        rows = db.session.execute(
            sa.select(Submission.id, Submission.snapshot).where(Submission.id.in_(missing))
        )
        for sid, snapshot in rows:
            refs = frozenset(m["ref"] for item in snapshot["items"] for m in item["mappings"])
            found[sid] = _REFS.setdefault(sid, refs)
            if len(_REFS) > _REFS_KEPT:
                _REFS.pop(next(iter(_REFS)))  # the oldest remembered
    return found


_REFS: dict[int, frozenset[str]] = {}
_REFS_KEPT = 20_000  # versions remembered per process: a few MB at most


def _refs_seen(submission_id: int) -> frozenset[str] | None:
    return _REFS.get(submission_id)


def forget_submitted_refs() -> None:
    """Empty the per-process memory of versions' mapped criteria: for a database emptied and
    refilled under a running process (tests), where a version's ID can name another version."""
    _REFS.clear()
