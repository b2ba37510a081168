"""Fixtures for IQA tests: the world's unit, and a way to give a learner a signed-off
assessment by an assessor."""

from collections.abc import Callable

import pytest

from portfolio.accounts.models import User
from portfolio.review.models import Assessment, AssessmentStatus
from portfolio.roles import Role
from tests.iqa.builders import all_competent, assess, mini_unit, submit


@pytest.fixture
def unit(app, world):
    """(unit, criteria) of the fixture unit."""
    return mini_unit()


@pytest.fixture
def signed_off(world, unit, make_user) -> Callable[..., Assessment]:
    """signed_off(assessor=..., scenario=..., learner=...) -> a completed primary assessment of
    a new learner allocated to that assessor and the world's IQA (flushed, not committed)."""
    _, criteria = unit

    def make(
        assessor: User | None = None,
        *,
        scenario: str | None = "Fibrelink billing",
        learner: User | None = None,
        iqa: User | None = None,
        status: AssessmentStatus = AssessmentStatus.SIGNED_OFF,
        decisions=None,
    ) -> Assessment:
        assessor = assessor or world.assessor
        if learner is None:
            learner = make_user(Role.LEARNER, world.centre, assessor=assessor, iqa=iqa or world.iqa)
        submission = submit(learner, unit[0], scenario=scenario)
        return assess(submission, assessor, decisions or all_competent(criteria), status=status)

    return make
