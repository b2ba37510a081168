"""A learner's start that races the exercise's deletion gets a message, not a 500."""

from datetime import date, timedelta

import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.casework.models import Case
from portfolio.exercises import views
from portfolio.exercises.models import Exercise
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def test_a_start_racing_the_delete_is_told_the_exercise_went(client, world, bundle, monkeypatch):  # noqa: F811
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()
    exercise_id = exercise.id
    real_start = casework.start_case

    def deleted_meanwhile(learner, scenario, *, exercise):
        # The admin's delete commits after the learner's page loaded the exercise.
        db.session.execute(sa.delete(Exercise.__table__).where(Exercise.id == exercise_id))
        return real_start(learner, scenario, exercise=exercise)

    login(client, world.learner)
    monkeypatch.setattr(views.casework, "start_case", deleted_meanwhile)
    response = client.post(f"/exercises/{exercise_id}/start")
    assert response.status_code == 302 and response.headers["Location"] == "/exercises/"
    page = client.get("/exercises/").text
    assert "This exercise has just been deleted by your centre" in page
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
