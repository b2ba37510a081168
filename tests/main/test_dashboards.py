"""Dashboards: what each role sees, and that their query counts do not grow with the data."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portfolio.accounts import services as accounts
from portfolio.casework import services as casework
from portfolio.evidence.models import SubmissionStatus
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.main.dashboards import admin_context
from portfolio.roles import Role
from tests.conftest import login
from tests.library.conftest import bundle  # noqa: F401  (fixture)
from tests.submitting import submit_investigation


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
        opens_on=today,
        closes_on=today,
        by=world.admin,
    )
    # An exercise that has since closed (one cannot be set wholly in the past).
    past.opens_on, past.closes_on = today - timedelta(days=14), today - timedelta(days=7)
    case = casework.start_case(world.learner, scenario, exercise=current)
    db.session.commit()
    return current, past, case


def test_learner_dashboard(client, world, bundle):  # noqa: F811
    _setup(world, bundle)
    login(client, world.learner)
    page = client.get("/dashboard").text
    assert "Week 3 practice" in page and "due" in page
    assert "simulated days to the deadline" in page
    assert 'aria-label="Outcome 1: 0 of' in page and "Your support" in page


def test_learner_dashboard_counts_submitted_criteria_and_names_support(client, world, bundle):  # noqa: F811
    _, _, case = _setup(world, bundle)
    version = submit_investigation(world.learner, case)
    db.session.commit()
    login(client, world.learner)
    page = client.get("/dashboard").text
    # the criterion mapped in the submitted version counts for its outcome
    refs = {m["ref"] for item in version.snapshot["items"] for m in item["mappings"]}
    assert len(refs) == 1
    ref = refs.pop()
    assert f'aria-label="Outcome {ref.split(".")[0]}: 1 of' in page
    assert world.cohort.name in page and world.assessor.full_name in page


def test_admin_dashboard_shows_cohort_progress_and_overdue_work(client, world, bundle, make_user):  # noqa: F811
    current, past, _ = _setup(world, bundle)
    scenario = current.scenario
    today = date.today()
    # A second cohort of five: one never starts, one starts and stops, one submits, one's
    # version comes back to resubmit and one's is signed off. Then the exercise closes.
    idle, stopped, waiting, marked, done = (make_user(centre=world.centre) for _ in range(5))
    cohort = accounts.create_cohort(centre=world.centre, name="Evening group")
    accounts.set_cohort_members(cohort, learners=[idle, stopped, waiting, marked, done])
    week2 = create_exercise(
        cohort=cohort,
        scenario=scenario,
        title="Week 2 practice",
        opens_on=today,
        closes_on=today,
        by=world.admin,
    )
    casework.start_case(stopped, scenario, exercise=week2)
    submit_investigation(waiting, casework.start_case(waiting, scenario, exercise=week2))
    submit_investigation(
        marked, casework.start_case(marked, scenario, exercise=week2)
    ).status = SubmissionStatus.RETURNED
    submit_investigation(
        done, casework.start_case(done, scenario, exercise=week2)
    ).status = SubmissionStatus.SIGNED_OFF
    week2.opens_on = week2.closes_on = today - timedelta(days=1)
    db.session.commit()

    rows = {r.exercise.id: r for r in admin_context(world.admin, today)["exercise_rows"]}
    # A returned version is not lumped with a signed-off one: that learner has work to do.
    counts = {"not_started": 1, "working": 1, "submitted": 1, "returned": 1, "signed_off": 1}
    assert rows[week2.id].counts == counts and rows[week2.id].overdue == 2
    assert rows[week2.id].size == 5
    # Still open: nobody is overdue, whoever has not started.
    assert rows[current.id].counts == {
        "not_started": 1,
        "working": 1,
        "submitted": 0,
        "returned": 0,
        "signed_off": 0,
    }
    assert rows[current.id].overdue == 0
    assert rows[past.id].counts["not_started"] == 2 and rows[past.id].overdue == 2

    login(client, world.admin)
    page = client.get("/dashboard").text
    assert "Cohort progress" in page and "Week 1 practice" in page
    assert page.count("2 overdue") == 2
    assert '<th scope="col" class="num">Submitted</th>' in page
    assert '<th scope="col" class="num">Returned to resubmit</th>' in page
    assert '<th scope="col" class="num">Signed off</th>' in page


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


def test_admin_dashboard_lists_running_exercises_before_those_still_to_open(world, bundle):  # noqa: F811
    """A centre that sets its exercises weeks ahead: the ten upcoming ones close latest, but
    the dashboard shows what is running (and what has just closed) first."""
    current, past, _ = _setup(world, bundle)
    today = date.today()
    ahead = []
    for week in range(12):
        exercise = create_exercise(
            cohort=world.cohort,
            scenario=current.scenario,
            title=f"Upcoming {week}",
            opens_on=today + timedelta(days=7 * (week + 1)),
            closes_on=today + timedelta(days=7 * (week + 2)),
            by=world.admin,
        )
        ahead.append(exercise)
    db.session.commit()
    rows = admin_context(world.admin, today)["exercise_rows"]
    assert [r.exercise.id for r in rows[:2]] == [current.id, past.id]
    assert len(rows) == 10 and rows[2].exercise.id == ahead[-1].id


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.IQA])
def test_staff_dashboards_list_only_their_own_learners(client, world, make_user, role):
    """An assessor's or IQA's dashboard lists the learners allocated to them, by name; not a
    colleague's, not another centre's, and not a learner allocated to nobody."""
    staff = world.assessor if role == Role.ASSESSOR else world.iqa
    colleague = make_user(role, world.centre)
    mine = make_user(Role.LEARNER, world.centre, full_name="Aaron Mine", email="aaron@alpha.test")
    theirs = make_user(Role.LEARNER, world.centre, full_name="Theo Theirs")
    field = "assessor" if role == Role.ASSESSOR else "iqa"
    setattr(mine, field, staff)
    setattr(theirs, field, colleague)
    setattr(world.other_learner, field, world.other_assessor if field == "assessor" else None)
    db.session.commit()
    page = login(client, staff).get("/dashboard").text
    listed = page[page.index('id="learners-title"') :].split("</section>")[0]
    assert listed.index("Aaron Mine (aaron@alpha.test)") < listed.index(world.learner.full_name)
    for other in (theirs, world.peer, world.other_learner):
        assert other.full_name not in listed


def test_learner_dashboard_before_any_portfolio_says_where_progress_will_show(client, world):
    login(client, world.learner)
    page = client.get("/dashboard").text
    assert '<h2 id="progress-title">Progress</h2>' in page
    assert "shows here once your portfolio starts, when you work your first case" in page
    assert 'href="/library/"' in page
