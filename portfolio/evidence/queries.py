"""Reads for evidence: portfolios a user may see, the tracking grid, submissions."""

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.evidence.models import (
    EvidenceItem,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.snapshot import live_items
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome

STATUS_LABELS = {
    "none": "No evidence",
    "proposed": "Proposed, not confirmed",
    "mapped": "Mapped",
    "submitted": "Submitted, awaiting assessment",
    "met": "Met",
    "not_yet": "Not yet competent",
}


def portfolios_of(learner: User) -> list[Portfolio]:
    return list(
        db.session.scalars(
            sa.select(Portfolio)
            .where(Portfolio.learner_id == learner.id)
            .options(so.joinedload(Portfolio.unit))
            .order_by(Portfolio.id)
        )
    )


def submissions_of(portfolio: Portfolio) -> list[Submission]:
    """Versions newest first, without loading their snapshots' items into templates."""
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.portfolio_id == portfolio.id)
            .options(so.defer(Submission.snapshot))
            .order_by(Submission.number.desc())
        )
    )


def latest_submission(portfolio: Portfolio) -> Submission | None:
    return db.session.scalar(
        sa.select(Submission)
        .where(Submission.portfolio_id == portfolio.id)
        .order_by(Submission.number.desc())
        .limit(1)
    )


def outcomes_of(unit_id: int) -> list[Outcome]:
    """A unit's outcomes with their criteria, in one query."""
    return list(
        db.session.scalars(
            sa.select(Outcome)
            .where(Outcome.unit_id == unit_id)
            .options(so.joinedload(Outcome.criteria))
            .order_by(Outcome.position)
        ).unique()
    )


@dataclass
class GridRow:
    criterion: Criterion
    status: str
    cells: dict[int, str] = field(default_factory=dict)  # item id -> "confirmed" | "proposed"


@dataclass
class Grid:
    outcomes: list[Outcome]
    items: list[EvidenceItem]
    rows: dict[int, GridRow]
    coverage: dict[str, tuple[int, int]]  # outcome ref -> (criteria with evidence, criteria)

    def rows_of(self, outcome: Outcome) -> list[GridRow]:
        return [self.rows[c.id] for c in outcome.criteria]


def tracking_grid(portfolio: Portfolio, decisions: dict[str, str] | None = None) -> Grid:
    """Criteria down, evidence across, and each criterion's status. `decisions` maps criterion
    refs to "met" or "not_yet" from the latest assessment, when there is one. The number of
    queries does not depend on how many items or mappings there are."""
    outcomes = outcomes_of(portfolio.unit_id)
    items = live_items(portfolio)
    latest = latest_submission(portfolio)
    submitted = set()
    if latest is not None and latest.status == SubmissionStatus.SUBMITTED:
        submitted = {m["ref"] for i in latest.snapshot["items"] for m in i["mappings"]}
    rows: dict[int, GridRow] = {}
    for outcome in outcomes:
        for criterion in outcome.criteria:
            rows[criterion.id] = GridRow(criterion, "none")
    for item in items:
        for mapping in item.mappings:
            row = rows.get(mapping.criterion_id)
            if row is not None:
                row.cells[item.id] = "confirmed" if mapping.confirmed else "proposed"
    coverage = {}
    for outcome in outcomes:
        covered = 0
        for criterion in outcome.criteria:
            row = rows[criterion.id]
            states = set(row.cells.values())
            if decisions and criterion.ref in decisions:
                row.status = decisions[criterion.ref]
            elif criterion.ref in submitted:
                row.status = "submitted"
            elif "confirmed" in states:
                row.status = "mapped"
            elif "proposed" in states:
                row.status = "proposed"
            covered += row.status not in ("none", "proposed")
        coverage[outcome.ref] = (covered, len(outcome.criteria))
    return Grid(outcomes, items, rows, coverage)


def criteria_without_evidence(grid: Grid) -> list[Criterion]:
    return [row.criterion for row in grid.rows.values() if row.status in ("none", "proposed")]
