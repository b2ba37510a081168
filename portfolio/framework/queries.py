"""Reads over the framework."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit


def unit_by_code(code: str) -> Unit | None:
    """A unit with its outcomes and criteria loaded in two queries."""
    return db.session.scalar(
        sa.select(Unit)
        .where(Unit.code == code)
        .options(so.selectinload(Unit.outcomes).selectinload(Outcome.criteria))
    )


def criteria_of(unit_id: int) -> list[Criterion]:
    """A unit's criteria in outcome then criterion order."""
    return list(
        db.session.scalars(
            sa.select(Criterion)
            .join(Outcome)
            .where(Criterion.unit_id == unit_id)
            .order_by(Outcome.position, Criterion.position)
        )
    )
