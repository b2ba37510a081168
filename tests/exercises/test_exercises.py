"""Exercises: rules for setting one, starting within dates, the pinned version, the board."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.accounts import services as accounts
from portfolio.casework import services as casework
from portfolio.casework.errors import CaseworkError
from portfolio.exercises.models import Exercise
from portfolio.exercises.queries import live_board
from portfolio.exercises.services import ExerciseError, create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import import_scenario, load_bundled
from portfolio.review.models import Notification
from portfolio.scenarios.loader import load_bundle
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)

TODAY = date.today()


@pytest.fixture
def scenario(app, bundle):  # noqa: F811
    load_bundled(bundle)
    db.session.commit()
    return db.session.scalar(sa.select(LibraryScenario))


def _exercise(world, scenario, opens=TODAY, closes=TODAY + timedelta(days=7)):
    return create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="",
        opens_on=opens,
        closes_on=closes,
        by=world.admin,
    )


def test_setting_an_exercise_tells_the_cohort(world, scenario):
    exercise = _exercise(world, scenario)
    assert exercise.title == scenario.title
    notes = db.session.scalars(sa.select(Notification.user_id)).all()
    assert sorted(notes) == sorted([world.learner.id, world.peer.id])


def test_bad_exercises_are_refused(world, scenario):
    with pytest.raises(ExerciseError, match="on or after the open date"):
        _exercise(world, scenario, opens=TODAY, closes=TODAY - timedelta(days=1))
    other = accounts.create_cohort(centre=world.other_centre, name="Theirs")
    with pytest.raises(ExerciseError, match="your own centre"):
        create_exercise(
            cohort=other,
            scenario=scenario,
            title="x",
            opens_on=TODAY,
            closes_on=TODAY,
            by=world.admin,
        )
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0


def test_cases_start_only_while_open_and_keep_the_pinned_version(world, scenario, bundle):  # noqa: F811
    early = _exercise(world, scenario, opens=TODAY + timedelta(days=1))
    with pytest.raises(CaseworkError, match="opens on"):
        casework.start_case(world.learner, scenario, exercise=early)
    closed = _exercise(
        world, scenario, opens=TODAY - timedelta(days=9), closes=TODAY - timedelta(days=1)
    )
    with pytest.raises(CaseworkError, match="closed on"):
        casework.start_case(world.learner, scenario, exercise=closed)
    exercise = _exercise(world, scenario)
    manifest = bundle / "minimal" / "scenario.yaml"
    manifest.write_text(manifest.read_text().replace("Minimal Broadband: a bill", "Changed", 1))
    _, [spec] = load_bundle(bundle)
    import_scenario(spec, centre=None, publish=True)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    assert case.scenario_version_id == exercise.scenario_version_id
    assert case.version.number == 1 and scenario.current_number == 2
    with pytest.raises(CaseworkError, match="not set for you"):
        casework.start_case(world.other_learner, scenario, exercise=exercise)


def test_board_shows_stages_with_constant_queries(
    client, world, scenario, make_user, count_queries
):
    exercise = _exercise(world, scenario)
    case = casework.start_case(world.learner, scenario, exercise=exercise)
    casework.request_document(case, "crm-history")
    db.session.commit()
    rows = {r.learner.id: r for r in live_board(exercise, TODAY).rows}
    assert rows[world.learner.id].stage == "investigation"
    assert rows[world.peer.id].stage == "not_started"
    login(client, world.admin)
    with count_queries() as few:
        assert client.get(f"/exercises/{exercise.id}").status_code == 200
    for _ in range(15):
        learner = make_user(centre=world.centre)
        world.cohort.members.append(learner)
        casework.request_document(
            casework.start_case(learner, scenario, exercise=exercise), "crm-history"
        )
    db.session.commit()
    with count_queries() as many:
        page = client.get(f"/exercises/{exercise.id}?fragment=1")
    assert page.text.count("Investigation") >= 16
    assert len(many) <= len(few)


def test_views_refuse_close_before_open_and_learners_start(client, world, scenario):
    login(client, world.admin)
    response = client.post(
        "/exercises/new",
        data={
            "cohort": world.cohort.id,
            "scenario": scenario.id,
            "title": "Week 1",
            "opens_on": "2026-12-10",
            "closes_on": "2026-12-01",
        },
    )
    assert "on or after the open date" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Exercise.id))) == 0
    exercise = _exercise(world, scenario)
    db.session.commit()
    login(client, world.learner)
    assert "Start the case" in client.get(f"/exercises/{exercise.id}").text
    started = client.post(f"/exercises/{exercise.id}/start")
    assert started.status_code == 302 and "/cases/" in started.headers["Location"]
    login(client, world.other_learner)
    assert client.get(f"/exercises/{exercise.id}").status_code == 404
