"""Importing a unit's criteria file into the framework tables."""

import sqlalchemy as sa

from portfolio.extensions import db
from portfolio.framework.models import Criterion, Outcome, Unit
from portfolio.scenarios.schema import CriteriaFile


def import_unit(spec: CriteriaFile) -> tuple[Unit, bool]:
    """Create or update a unit from its criteria file, keyed by unit code and criterion ref.
    Returns (unit, changed). References stay stable, so evidence mapped to "1.2" keeps its
    meaning when a centre replaces the wording with its awarding body's text."""
    data = spec.unit
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == data.code))
    changed = unit is None
    if unit is None:
        unit = Unit(code=data.code, title=data.title, level=data.level)
        db.session.add(unit)
    for attr, value in (
        ("title", data.title),
        ("level", data.level),
        ("source_note", data.source_note),
    ):
        if getattr(unit, attr) != value:
            setattr(unit, attr, value)
            changed = True
    db.session.flush()
    outcomes = {o.ref: o for o in unit.outcomes}
    criteria = {
        c.ref: c
        for c in db.session.scalars(sa.select(Criterion).where(Criterion.unit_id == unit.id))
    }
    for position, out in enumerate(data.outcomes):
        outcome = outcomes.get(out.ref)
        if outcome is None:
            outcome = Outcome(unit=unit, ref=out.ref, title=out.title, kind=out.kind)
            db.session.add(outcome)
            changed = True
        for attr, value in (("title", out.title), ("kind", out.kind), ("position", position)):
            if getattr(outcome, attr) != value:
                setattr(outcome, attr, value)
                changed = True
        db.session.flush()
        for cpos, crit in enumerate(out.criteria):
            criterion = criteria.get(crit.ref)
            if criterion is None:
                criterion = Criterion(
                    unit_id=unit.id, outcome=outcome, ref=crit.ref, text=crit.text
                )
                db.session.add(criterion)
                changed = True
            values = (
                ("text", crit.text),
                ("reconstructed", crit.reconstructed),
                ("position", cpos),
                ("outcome_id", outcome.id),
            )
            for attr, value in values:
                if getattr(criterion, attr) != value:
                    setattr(criterion, attr, value)
                    changed = True
    db.session.flush()
    return unit, changed
