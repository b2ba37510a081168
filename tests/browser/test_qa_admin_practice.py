"""A learner who practised a scenario from the library before their trainer set it as an
exercise: the scenario's page points to the exercise, the exercise's page says the open case is
not part of it and starts the exercise's case, which the trainer's board then follows. The pages
pass axe; CSRF is on, as in production."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework import services as casework
from portfolio.casework.models import Case, CaseStatus
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.library.conftest import bundle  # noqa: F401  (fixture)


@pytest.fixture
def practised(world, bundle):  # noqa: F811
    """The learner's practice case on the minimal scenario, then an open exercise on it."""
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    practice = casework.start_case(world.learner, scenario)
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Week 1 practice",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()  # the live server reads the database from another thread
    return scenario, exercise, practice


def test_a_practice_case_leads_to_the_exercise_not_instead_of_it(
    page: Page, live_server: str, world, practised
):
    scenario, exercise, practice = practised
    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(world.learner.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)

    page.goto(f"{live_server}/library/{scenario.id}")
    expect(page.get_by_text("This scenario is set for you as the exercise")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Week 1 practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 1 practice")
    expect(page.get_by_text("It is not part of this exercise")).to_be_visible()
    expect(page.get_by_role("link", name="Continue your case")).to_have_count(0)
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start the case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    assert_accessible(page)
    db.session.expire_all()
    cases = {c.id: c for c in db.session.scalars(sa.select(Case))}
    assert cases[practice.id].status == CaseStatus.SET_ASIDE
    [started] = [c for c in cases.values() if c.status == CaseStatus.OPEN]
    assert started.exercise_id == exercise.id
