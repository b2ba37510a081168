"""Starting again from the library on a case of an exercise: the new case stays in the exercise
while it is open, and the page says when it would not."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.casework.models import Case, CaseStatus
from portfolio.exercises.queries import live_board
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from tests.conftest import login

TODAY = date.today()


def week_1(world) -> tuple[LibraryScenario, object]:
    """The minimal scenario, set to the cohort as an exercise open this week."""
    scenario = db.session.scalar(sa.select(LibraryScenario))
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    return scenario, exercise


@pytest.fixture
def worked(world, loaded):
    """The learner's case of an open exercise on the minimal scenario, a little worked."""
    scenario, exercise = week_1(world)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    casework.request_document(case, "crm-history")
    db.session.commit()
    return scenario, exercise, case


def _open_case(learner) -> Case:
    return db.session.scalar(
        sa.select(Case).where(Case.learner_id == learner.id, Case.status == CaseStatus.OPEN)
    )


def test_start_again_from_the_library_stays_in_the_open_exercise(client, world, worked):
    scenario, exercise, first = worked
    login(client, world.learner)
    page = client.get(f"/library/{scenario.id}")
    assert "Your new case stays part of the exercise “Week 1”." in page.text
    assert client.post(f"/cases/start/{scenario.id}").status_code == 302
    again = _open_case(world.learner)
    assert again.id != first.id and again.exercise_id == exercise.id
    assert again.scenario_version_id == exercise.scenario_version_id
    row = {r.learner.id: r for r in live_board(exercise, TODAY).rows}[world.learner.id]
    assert row.stage != "not_started"


def test_start_again_after_the_exercise_closed_says_the_case_leaves_it(client, world, worked):
    scenario, exercise, first = worked
    exercise.opens_on, exercise.closes_on = TODAY - timedelta(days=9), TODAY - timedelta(days=1)
    db.session.commit()
    login(client, world.learner)
    page = client.get(f"/library/{scenario.id}")
    assert "a new case would not be: the exercise is no longer open to you" in page.text
    assert client.post(f"/cases/start/{scenario.id}").status_code == 302
    again = _open_case(world.learner)
    assert again.id != first.id and again.exercise_id is None


def test_the_library_points_a_learner_to_the_open_exercise_on_the_scenario(client, world, loaded):
    """A case started from the library is practice, which the exercise's board never follows:
    while an exercise on the scenario is open to the learner, the scenario's page says so and
    links to it (until the learner's open case is the exercise's)."""
    scenario, exercise = week_1(world)
    db.session.commit()
    login(client, world.learner)
    page = client.get(f"/library/{scenario.id}").text
    assert "set for you as the exercise" in page
    assert f'href="/exercises/{exercise.id}"' in page
    casework.start_case(world.learner, scenario, exercise=exercise)
    db.session.commit()
    assert "set for you as the exercise" not in client.get(f"/library/{scenario.id}").text
    login(client, world.other_learner)
    assert client.get(f"/library/{scenario.id}").status_code == 200
    login(client, world.peer)  # in the cohort too: still pointed to it
    assert "set for you as the exercise" in client.get(f"/library/{scenario.id}").text
