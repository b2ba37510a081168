"""Reads for evidence: a learner's portfolios, a unit's outcomes, the grid's status labels (the
portfolio page and tracking grid read through evidence.overview)."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.evidence.models import EvidenceItem, Portfolio, Submission, SubmissionStatus
from portfolio.extensions import db
from portfolio.framework.models import Outcome
from portfolio.review.models import Assessment, AssessmentKind, AssessmentStatus

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


def is_newest_version(
    submissions: sa.TableClause, portfolios: sa.TableClause
) -> sa.ColumnElement[bool]:
    """The join condition matching each portfolio to its newest version (its highest number),
    for outer joins from portfolios. A correlated max through the unique index
    (portfolio_id, number) means SQLite reads the status stored after each large snapshot for
    the newest version only, not for every version."""
    later = Submission.__table__.alias("later")
    newest = sa.select(sa.func.max(later.c.number)).where(later.c.portfolio_id == portfolios.c.id)
    return sa.and_(
        submissions.c.portfolio_id == portfolios.c.id,
        submissions.c.number == newest.scalar_subquery(),
    )


def submitted_refs(submission_ids: list[int]) -> dict[int, frozenset[str]]:
    """The criteria each awaiting version maps evidence to, read from its snapshot. A
    submitted version never changes, so what its snapshot maps is remembered per process and
    only versions not seen before are read (decoding ~50 snapshots cost a fifth of the page)."""
    found = {sid: refs for sid in submission_ids if (refs := _REFS.get(sid)) is not None}
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


def forget_submitted_refs() -> None:
    """Empty the per-process memory of versions' mapped criteria: for a database emptied and
    refilled under a running process (tests), where a version's ID can name another version."""
    _REFS.clear()


def feedback_of(submission_id: int) -> int | None:
    """The id of the version's latest completed primary assessment (its feedback page), or None
    while it waits for one: as the portfolio page's versions list links it."""
    return db.session.scalar(
        sa.select(Assessment.id)
        .where(
            Assessment.submission_id == submission_id,
            Assessment.kind == AssessmentKind.PRIMARY,
            Assessment.status.in_([AssessmentStatus.RETURNED, AssessmentStatus.SIGNED_OFF]),
        )
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def version_awaiting_marking(portfolio_id: int) -> sa.Row | None:
    """The portfolio's newest version as (id, number) if it waits for its assessor, else None:
    the way back to the bench from an item the assessor has just recorded or mapped."""
    newest = db.session.execute(
        sa.select(Submission.id, Submission.number, Submission.status)
        .where(Submission.portfolio_id == portfolio_id)
        .order_by(Submission.number.desc())
        .limit(1)
    ).first()
    return newest if newest and newest.status == SubmissionStatus.SUBMITTED else None


def withdrawn_items(portfolio_id: int) -> list[sa.Row]:
    """The portfolio's withdrawn items (id, title), oldest first: the portfolio page lists them
    so that one withdrawn by mistake can be found and restored."""
    return list(
        db.session.execute(
            sa.select(EvidenceItem.id, EvidenceItem.title)
            .where(EvidenceItem.portfolio_id == portfolio_id, EvidenceItem.withdrawn.is_(True))
            .order_by(EvidenceItem.id)
        )
    )
