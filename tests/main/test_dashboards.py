"""Dashboards: what each role sees, and that their query counts do not grow with the data."""

from datetime import date, timedelta

import sqlalchemy as sa

from portfolio.casework import services as casework
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def _setup(world, bundle):  # noqa: F811
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    today = date.today()
    current = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 3 practice",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        by=world.admin,
    )
    past = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1 practice",
        opens_on=today - timedelta(days=14),
        closes_on=today - timedelta(days=7),
        by=world.admin,
    )
    case = casework.start_case(world.learner, scenario, exercise=current)
    db.session.commit()
    return current, past, case


def test_learner_dashboard(client, world, bundle):  # noqa: F811
    _setup(world, bundle)
    login(client, world.learner)
    page = client.get("/dashboard").text
    assert "Week 3 practice" in page and "due" in page
    assert "simulated days to the deadline" in page


def test_admin_dashboard_shows_overdue_work(client, world, bundle):  # noqa: F811
    _setup(world, bundle)
    login(client, world.admin)
    page = client.get("/dashboard").text
    assert "Week 1 practice" in page and "2 not started" in page


def test_dashboard_queries_do_not_grow(client, world, bundle, make_user, count_queries):  # noqa: F811
    current, _, _ = _setup(world, bundle)
    scenario = current.scenario
    login(client, world.learner)
    with count_queries() as few:
        client.get("/dashboard")
    login(client, world.admin)
    with count_queries() as admin_few:
        client.get("/dashboard")
    for n in range(8):
        learner = make_user(centre=world.centre)
        world.cohort.members.append(learner)
        casework.start_case(learner, scenario, exercise=current)
        create_exercise(
            cohort=world.cohort,
            scenario=scenario,
            title=f"Extra {n}",
            opens_on=date.today(),
            closes_on=date.today(),
            by=world.admin,
        )
    db.session.commit()
    login(client, world.learner)
    with count_queries() as many:
        client.get("/dashboard")
    login(client, world.admin)
    with count_queries() as admin_many:
        client.get("/dashboard")
    assert len(many) == len(few)
    assert len(admin_many) == len(admin_few)
