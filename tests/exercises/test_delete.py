"""Deleting an exercise set in error: only while nobody has started it, with its notices,
from a confirmation page; refusals and other centres change nothing."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.casework.models import Case
from portfolio.exercises import services
from portfolio.exercises.models import Exercise
from portfolio.exercises.services import (
    ExerciseError,
    ExerciseInUse,
    create_exercise,
    delete_exercise,
    deletion_of,
)
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.review.models import Notification
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)

TODAY = date.today()


@pytest.fixture
def scenario(app, bundle):  # noqa: F811
    load_bundled(bundle)
    db.session.commit()
    return db.session.scalar(sa.select(LibraryScenario))


@pytest.fixture
def exercise(world, scenario):
    made = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Wrong scenario",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()
    return made


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_exercise_nobody_started_goes_with_its_notices(world, exercise):
    other = create_exercise(
        cohort=world.cohort,
        scenario=exercise.scenario,
        title="Right scenario",
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=7),
        by=world.admin,
    )
    assert deletion_of(exercise).allowed and deletion_of(exercise).notices == 2
    delete_exercise(exercise, by=world.admin)
    db.session.commit()
    assert db.session.scalars(sa.select(Exercise.id)).all() == [other.id]
    links = db.session.scalars(sa.select(Notification.link)).all()
    assert links == [f"/exercises/{other.id}"] * 2  # the other exercise's notices stay


def test_a_started_exercise_is_refused_and_kept(world, exercise, scenario):
    casework.start_case(world.learner, scenario, exercise=exercise)
    db.session.commit()
    assert deletion_of(exercise).started == 1
    with pytest.raises(ExerciseInUse, match="1 learner has started a case on it") as refused:
        delete_exercise(exercise, by=world.admin)
    assert "change its close date to today" in refused.value.message
    db.session.rollback()
    assert _count(Exercise) == 1 and _count(Notification) == 2


def test_another_centres_admin_cannot_delete_it(world, exercise):
    with pytest.raises(ExerciseError, match="your own centre"):
        delete_exercise(exercise, by=world.other_admin)
    db.session.rollback()
    assert _count(Exercise) == 1


def test_the_confirmation_page_then_the_delete(client, world, exercise):
    login(client, world.admin)
    board = client.get(f"/exercises/{exercise.id}").text
    assert f'href="/exercises/{exercise.id}/delete"' in board
    page = client.get(f"/exercises/{exercise.id}/delete").text
    assert "Alpha cohort" in page and "2 learners&#39; inboxes" in page
    assert f'action="/exercises/{exercise.id}/delete"' in page
    assert _count(Exercise) == 1  # the GET changes nothing
    response = client.post(f"/exercises/{exercise.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/exercises/"
    listed = client.get("/exercises/").text
    assert "Deleted the exercise Wrong scenario for Alpha cohort." in listed
    assert _count(Exercise) == 0 and _count(Notification) == 0
    assert client.get(f"/exercises/{exercise.id}/delete").status_code == 404


def test_a_started_exercise_shows_why_and_the_way_to_close_it(client, world, exercise, scenario):
    casework.start_case(world.learner, scenario, exercise=exercise)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}/delete").text
    assert "cannot be deleted: 1 learner has started a case on it" in page
    assert f'href="/exercises/{exercise.id}/edit"' in page
    assert f'action="/exercises/{exercise.id}/delete"' not in page
    response = client.post(f"/exercises/{exercise.id}/delete")
    assert response.headers["Location"] == f"/exercises/{exercise.id}/delete"
    assert "cannot be deleted" in client.get(response.headers["Location"]).text
    assert _count(Exercise) == 1 and _count(Case) == 1 and _count(Notification) == 2


def test_without_the_csrf_token_nothing_is_deleted(app, client, world, exercise):
    login(client, world.admin)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/exercises/{exercise.id}/delete").status_code == 400
    assert _count(Exercise) == 1 and _count(Notification) == 2


@pytest.mark.parametrize(("actor", "status"), [("other_admin", 404), ("assessor", 403)])
def test_others_cannot_delete_it(client, world, exercise, actor, status):
    login(client, world.by_role(actor))
    assert client.get(f"/exercises/{exercise.id}/delete").status_code == status
    assert client.post(f"/exercises/{exercise.id}/delete").status_code == status
    assert _count(Exercise) == 1 and _count(Notification) == 2


def test_a_case_started_during_the_delete_keeps_the_exercise(
    client, world, exercise, scenario, monkeypatch
):
    """The check passed, then a learner started a case before the delete reached the
    database: the foreign key refuses it, and the admin is told why rather than shown a 500."""
    casework.start_case(world.learner, scenario, exercise=exercise)
    db.session.commit()
    monkeypatch.setattr(services, "deletion_of", lambda exercise: services.Deletion(0, 0))
    login(client, world.admin)
    response = client.post(f"/exercises/{exercise.id}/delete")
    assert response.headers["Location"] == f"/exercises/{exercise.id}/delete"
    monkeypatch.undo()
    assert "1 learner has started a case on it" in client.get(response.headers["Location"]).text
    assert _count(Exercise) == 1 and _count(Case) == 1 and _count(Notification) == 2


def test_a_started_exercise_that_has_closed_says_so(client, world, exercise, scenario):
    """Closing it is no way out once it has closed: the page says nobody else can start it
    and offers no change of close date."""
    casework.start_case(world.learner, scenario, exercise=exercise)
    exercise.opens_on, exercise.closes_on = TODAY - timedelta(days=9), TODAY - timedelta(days=1)
    db.session.commit()
    login(client, world.admin)
    page = client.get(f"/exercises/{exercise.id}/delete").text
    closed = f"{exercise.closes_on:%-d %b %Y}"
    assert f"It closed on {closed}, so nobody else can start it." in page
    assert "change its close date" not in page and "Change the close date" not in page
