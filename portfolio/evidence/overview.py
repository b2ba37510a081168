"""What the portfolio page and its tracking grid read, as plain rows: the portfolio with its
learner and unit, the unit's criteria, the live items with their mappings, the versions, and
the latest completed assessment's decisions as they stand.

These pages only read and are the learner's most visited, so every statement is built once
and run on the session's connection (building a statement, and loading rows as objects, cost
more than running these small queries). The number of queries does not depend on how many
items, mappings, versions or decisions there are."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from portfolio.accounts.models import User
from portfolio.casework.models import Case, CaseStatus
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    Mapping,
    Portfolio,
    Submission,
    SubmissionStatus,
)
from portfolio.evidence.queries import submitted_refs
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.reads import rows as read_rows
from portfolio.review.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Decision,
)
from portfolio.review.queries import latest_decision_states
from portfolio.roles import Role

# A grid cell's markup depends on its mapping alone (none, proposed, confirmed): built once,
# with the whitespace the template's loop gave it, so a row's cells are one join.
_CELL = {
    None: Markup('\n      <td class="cell"></td>\n      '),
    "proposed": Markup(
        '\n      <td class="cell"><span aria-label="proposed">○</span></td>\n      '
    ),
    "confirmed": Markup(
        '\n      <td class="cell"><span aria-label="confirmed">●</span></td>\n      '
    ),
}


@dataclass(frozen=True, slots=True)
class Learner:
    """What the pages and the access rules read of the portfolio's learner."""

    id: int
    full_name: str
    role: Role
    centre_id: int | None
    assessor_id: int | None
    iqa_id: int | None


@dataclass(frozen=True, slots=True)
class UnitHead:
    code: str
    title: str
    level: int


@dataclass(frozen=True, slots=True)
class Head:
    """A portfolio as the read-only pages and authz predicates see it (duck-typed like
    Portfolio: id, learner_id, learner)."""

    id: int
    learner_id: int
    unit_id: int
    learner: Learner
    unit: UnitHead


@dataclass(slots=True)
class Item:
    """A live evidence item: its column in the grid and its row on the portfolio page."""

    id: int
    title: str
    kind: EvidenceKind
    #: The case a simulated item comes from, and whether it was set aside by starting the
    #: scenario again: two cases on one scenario give items of the same title.
    case_id: int | None = None
    set_aside: bool = False
    confirmed: list[str] = field(default_factory=list)  # criterion refs, in mapping order
    proposed: int = 0


@dataclass(slots=True)
class Row:
    """One criterion of the grid: its status and which items map to it."""

    id: int
    ref: str
    text: str
    status: str = "none"
    cells: dict[int, str] = field(default_factory=dict)  # item id -> "confirmed" | "proposed"
    cells_html: Markup = Markup("")


@dataclass(slots=True)
class OutcomeRows:
    ref: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Overview:
    """The tracking grid (criteria down, items across) with coverage by outcome, the versions
    newest first, and {version id: id of its completed primary assessment}."""

    outcomes: list[OutcomeRows]
    items: list[Item]
    coverage: dict[str, tuple[int, int]]
    submissions: list[sa.Row]
    feedback: dict[int, int]
    #: The criteria the latest version maps, while it waits for assessment.
    submitted: frozenset[str] = frozenset()


@functools.cache
def _statements() -> dict[str, sa.Select]:
    """Every statement the two pages run, built once; each takes its values as parameters."""
    p, u, un = Portfolio.__table__, User.__table__, Unit.__table__
    o, c = Outcome.__table__, Criterion.__table__
    i, m = EvidenceItem.__table__, Mapping.__table__
    s, a = Submission.__table__, Assessment.__table__
    pid = sa.bindparam("portfolio_id")
    head = (
        sa.select(
            p.c.id,
            p.c.learner_id,
            p.c.unit_id,
            u.c.full_name,
            u.c.role,
            u.c.centre_id,
            u.c.assessor_id,
            u.c.iqa_id,
            un.c.code,
            un.c.title,
            un.c.level,
        )
        .join(u, u.c.id == p.c.learner_id)
        .join(un, un.c.id == p.c.unit_id)
        .where(p.c.id == pid)
    )
    criteria = (
        sa.select(o.c.id, o.c.ref, o.c.title, c.c.id, c.c.ref, c.c.text)
        .select_from(o)
        .outerjoin(c, c.c.outcome_id == o.c.id)
        .where(o.c.unit_id == sa.bindparam("unit_id"))
        .order_by(o.c.position, o.c.id, c.c.position, c.c.id)
    )
    # Items in the order they are listed (case items by case, then the rest), each with its
    # mappings in the order they were made.
    cases = Case.__table__
    items = (
        sa.select(
            i.c.id,
            i.c.title,
            i.c.kind,
            i.c.case_id,
            cases.c.status,
            m.c.criterion_id,
            m.c.confirmed,
            c.c.ref,
        )
        .select_from(i)
        .outerjoin(cases, cases.c.id == i.c.case_id)
        .outerjoin(m, m.c.item_id == i.c.id)
        .outerjoin(c, c.c.id == m.c.criterion_id)
        .where(i.c.portfolio_id == pid, i.c.withdrawn.is_(False))
        .order_by(i.c.case_id.is_(None), i.c.case_id, i.c.id, m.c.id)
    )
    # Every version, newest first, each with its completed primary assessments (newest
    # first; a version not yet assessed once, with None): the versions list and the feedback
    # links in one statement. The first assessment is the one whose decisions the grid shows.
    completed = sa.and_(
        a.c.submission_id == s.c.id,
        a.c.kind == AssessmentKind.PRIMARY,
        a.c.status.in_([AssessmentStatus.RETURNED, AssessmentStatus.SIGNED_OFF]),
    )
    versions = (
        sa.select(s.c.id, s.c.number, s.c.submitted_at, s.c.status, a.c.id.label("assessment_id"))
        .select_from(s)
        .outerjoin(a, completed)
        .where(s.c.portfolio_id == pid)
        .order_by(s.c.number.desc(), a.c.completed_at.desc(), a.c.id.desc())
    )
    return {
        "head": head,
        "criteria": criteria,
        "items": items,
        "versions": versions,
    }


def _run(name: str, **params) -> sa.CursorResult:
    return read_rows(_statements()[name], params)


def head_of(portfolio_id: int) -> Head | None:
    """The portfolio with its learner and unit, in one query; None when there is none."""
    row = _run("head", portfolio_id=portfolio_id).first()
    if row is None:
        return None
    pid, learner_id, unit_id, name, role, centre_id, assessor_id, iqa_id = row[:8]
    learner = Learner(learner_id, name, role, centre_id, assessor_id, iqa_id)
    return Head(pid, learner_id, unit_id, learner, UnitHead(*row[8:]))


def _outcomes(unit_id: int) -> tuple[list[OutcomeRows], dict[int, Row]]:
    """The unit's outcomes with their criteria as rows, and the rows by criterion id."""
    outcomes: list[OutcomeRows] = []
    rows: dict[int, Row] = {}
    last = None
    for oid, oref, otitle, cid, cref, text in _run("criteria", unit_id=unit_id):
        if oid != last:
            outcomes.append(OutcomeRows(oref, otitle))
            last = oid
        if cid is not None:
            rows[cid] = row = Row(cid, cref, text)
            outcomes[-1].rows.append(row)
    return outcomes, rows


def _items(portfolio_id: int, rows: dict[int, Row]) -> list[Item]:
    """The live items, marking each criterion's row with the items mapped to it."""
    items: list[Item] = []
    last = None
    for iid, title, kind, case_id, status, cid, confirmed, ref in _run(
        "items", portfolio_id=portfolio_id
    ):
        if iid != last:
            items.append(Item(iid, title, kind, case_id, status == CaseStatus.SET_ASIDE))
            last = iid
        if cid is None:
            continue
        item = items[-1]
        if confirmed:
            item.confirmed.append(ref)
        else:
            item.proposed += 1
        row = rows.get(cid)
        if row is not None:
            row.cells[iid] = "confirmed" if confirmed else "proposed"
    return items


def _decisions(
    portfolio_id: int, rows_of_versions: list[sa.Row], rows: dict[int, Row]
) -> tuple[dict[str, str], dict[int, int]]:
    """{criterion ref: "met" | "not_yet"} from the latest completed assessment as its
    decisions stand after corrections (a Not yet competent criterion is left out while a later
    version waits), and {version id: its completed assessment's id}."""
    feedback: dict[int, int] = {}
    latest_number = None
    for row in rows_of_versions:
        if row.assessment_id is None:
            continue
        feedback.setdefault(row.id, row.assessment_id)
        if latest_number is None:
            latest_number = row.number
    if latest_number is None:
        return {}, feedback
    awaiting = any(v.number > latest_number for v in rows_of_versions)
    result = {}
    for cid, decision in latest_decision_states([portfolio_id]).get(portfolio_id, {}).items():
        row = rows.get(cid)
        if row is None:
            continue
        if decision == Decision.COMPETENT:
            result[row.ref] = "met"
        elif not awaiting:
            result[row.ref] = "not_yet"
    return result, feedback


def _submitted(versions: list[sa.Row]) -> frozenset[str]:
    """The criteria the latest version maps evidence to, while it waits for assessment."""
    if not versions or versions[0].status != SubmissionStatus.SUBMITTED:
        return frozenset()
    latest = versions[0].id
    return submitted_refs([latest])[latest]


def counts_as_progress(met: bool, confirmed: bool, awaiting: bool, not_yet: bool = False) -> bool:
    """Whether a criterion counts towards its outcome's progress: the learner's dashboard and
    portfolio page both use this rule. It is met (as decisions stand after corrections), or is
    mapped in the version awaiting assessment, or has confirmed evidence that no assessment has
    yet judged Not yet competent. A criterion judged Not yet competent (while no newer version
    waits) is not progress, whatever evidence it has: counting it made a returned portfolio
    read "4 of 4" above a Not yet competent row; it counts again once resubmitted."""
    return met or awaiting or (confirmed and not not_yet)


def overview(head: Head) -> Overview:
    """The tracking grid, coverage, versions and feedback links of a portfolio. Each
    criterion's status is the assessment's decision, else "submitted" while the latest
    version maps it, else "mapped" or "proposed" by its items' mappings, else "none"."""
    outcomes, rows = _outcomes(head.unit_id)
    items = _items(head.id, rows)
    rows_of_versions = _run("versions", portfolio_id=head.id).all()
    decisions, feedback = _decisions(head.id, rows_of_versions, rows)
    versions: list[sa.Row] = []  # one row a version (its assessments' rows are together)
    for row in rows_of_versions:
        if not versions or versions[-1].id != row.id:
            versions.append(row)
    submitted = _submitted(versions)
    coverage = {}
    for outcome in outcomes:
        covered = 0
        for row in outcome.rows:
            states = row.cells.values()
            if row.ref in decisions:
                row.status = decisions[row.ref]
            elif row.ref in submitted:
                row.status = "submitted"
            elif "confirmed" in states:
                row.status = "mapped"
            elif "proposed" in states:
                row.status = "proposed"
            covered += counts_as_progress(
                row.status == "met",
                "confirmed" in states,
                row.ref in submitted,
                not_yet=row.status == "not_yet",
            )
        coverage[outcome.ref] = (covered, len(outcome.rows))
    return Overview(outcomes, items, coverage, versions, feedback, submitted)


def without_evidence(grid: Overview) -> list[Row]:
    """The criteria with no confirmed evidence that are not in a version awaiting assessment:
    what the submit page warns about, whatever earlier assessments decided."""
    return [
        row
        for outcome in grid.outcomes
        for row in outcome.rows
        if "confirmed" not in row.cells.values() and row.ref not in grid.submitted
    ]


def not_yet_competent(grid: Overview) -> list[Row]:
    """The criteria with confirmed evidence that the latest assessment judged Not yet
    competent, as decisions stand, while no newer version waits: what the submit page reminds
    the learner to improve (those with no evidence are listed by ``without_evidence``)."""
    return [
        row
        for outcome in grid.outcomes
        for row in outcome.rows
        if row.status == "not_yet" and "confirmed" in row.cells.values()
    ]


def complete_on(grid: Overview) -> int | None:
    """The number of the newest version when it is signed off and every criterion is still
    met (a correction after sign-off can make one Not yet competent); None otherwise."""
    if not grid.submissions or grid.submissions[0].status != SubmissionStatus.SIGNED_OFF:
        return None
    rows = [row for outcome in grid.outcomes for row in outcome.rows]
    return grid.submissions[0].number if all(row.status == "met" for row in rows) else None


def latest_feedback(grid: Overview) -> tuple[int, int] | None:
    """(version number, assessment id) of the newest version with a completed assessment."""
    for version in grid.submissions:
        if version.id in grid.feedback:
            return version.number, grid.feedback[version.id]
    return None


def with_cells(grid: Overview) -> Overview:
    """Give each criterion's row its cells' markup, one per item in the grid's order."""
    ids = [item.id for item in grid.items]
    for outcome in grid.outcomes:
        for row in outcome.rows:
            cells = row.cells
            row.cells_html = Markup("".join([_CELL[cells.get(i)] for i in ids]))
    return grid
