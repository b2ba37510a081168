"""A learner's portfolio submitted as version 1, and helpers to mark it."""

from datetime import date

import pytest
import sqlalchemy as sa

from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.framework.models import Criterion
from portfolio.review import services
from portfolio.review.models import Decision
from tests.evidence.conftest import worked  # noqa: F401  (fixture)
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def criteria_of(world) -> dict[str, Criterion]:
    """The unit's criteria by ref."""
    return {
        c.ref: c
        for c in db.session.scalars(
            sa.select(Criterion).where(Criterion.unit_id == world.portfolio.unit_id)
        )
    }


def submit(world):
    """Submit the learner's portfolio as its next version."""
    return evidence.submit(
        world.portfolio,
        declared_name=world.learner.full_name,
        declared_on=date.today(),
        by=world.learner,
    )


def decide(assessment, world, decision=Decision.COMPETENT, **overrides):
    """Save a decision on every criterion (`overrides` by ref, e.g. {"1_2": ...})."""
    choices = {}
    for ref, criterion in criteria_of(world).items():
        value = overrides.get(ref.replace(".", "_"), decision)
        feedback = "" if value == Decision.COMPETENT else f"Say more about {ref}."
        choices[criterion.id] = (value, feedback)
    return services.save_decisions(
        assessment,
        choices,
        overall_feedback="Good work overall.",
        expected_version=assessment.version,
        by=world.assessor,
    )


def submit_worked(world, *, every_criterion: bool):
    """world.learner's investigation mapped to 1.1 (and, with `every_criterion`, to every
    criterion of the unit, so that each can be judged Competent) and submitted as version 1."""
    evidence.sync_case_items(world.case)
    item = db.session.scalar(
        sa.select(EvidenceItem).where(
            EvidenceItem.case_id == world.case.id, EvidenceItem.source == "investigation"
        )
    )
    world.item = item
    world.portfolio = item.portfolio
    first = item.mappings[0].criterion
    evidence.set_mapping(item, first, justification="My findings gather the whole history.")
    if every_criterion:
        for criterion in criteria_of(world).values():
            if criterion.id != first.id:
                evidence.set_mapping(
                    item, criterion, justification=f"My findings show how I met {criterion.ref}."
                )
    world.submission = submit(world)
    db.session.commit()
    return world


@pytest.fixture
def submitted(worked):  # noqa: F811
    """world.learner's investigation mapped to 1.1 and submitted as version 1."""
    return submit_worked(worked, every_criterion=False)


def correct_to_met(assessment, world, ref: str):
    """The assessor corrects a criterion's decision to Competent, with a reason."""
    return services.correct_decision(
        assessment,
        criteria_of(world)[ref],
        decision="competent",
        feedback="The letter does meet it.",
        reason="IQA pointed out the revised letter.",
        by=world.assessor,
    )
