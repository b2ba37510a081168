"""Reads for evidence: a learner's portfolios, a unit's outcomes, the grid's status labels (the
portfolio page and tracking grid read through evidence.overview)."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.accounts.models import User
from portfolio.evidence.models import Portfolio, Submission
from portfolio.extensions import db
from portfolio.framework.models import Outcome

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
