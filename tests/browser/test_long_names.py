"""Long unbroken names do not widen the page: a learner, cohort, exercise and e-mail address with
an 80-odd character run and no space wrap inside their cells, headings and the header, at desktop
and phone widths. Wide grids may scroll inside their own wrapper; the page itself does not
scroll sideways (WCAG 1.4.10). Short labels in table cells still keep their words whole."""

from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import Page

from portfolio.accounts import services as accounts
from portfolio.evidence.models import Submission
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.review import iqa
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.browser.test_assessor_journey import (
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.iqa.builders import completed_review, make_plan
from tests.iqa.conftest import signed_off, unit  # noqa: F401  (fixtures)
from tests.library.conftest import bundle  # noqa: F401  (fixture)

RUN = "Wolfeschlegelsteinhausenbergerdorff" * 2 + "Jr"  # 72 characters, no space
LEARNER = f"Casey {RUN}-Jones"
ADMIN = f"Alex {RUN}-Admin"
ASSESSOR = f"Sam {RUN}-Patel"


def test_long_names_wrap_instead_of_widening_the_page(
    page: Page,
    live_server: str,
    make_user,
    submitted,  # noqa: F811
):
    portfolio = submitted.portfolio
    learner = portfolio.learner
    centre = learner.centre
    learner.full_name = LEARNER
    learner.email = f"{RUN.lower()}@alpha.test"
    learner.assessor.full_name = ASSESSOR
    admin = make_user(
        Role.CENTRE_ADMIN, centre, email=f"admin.{RUN.lower()}@alpha.test", full_name=ADMIN
    )
    cohort = accounts.create_cohort(centre=centre, name=f"Cohort {RUN}")
    accounts.set_cohort_members(cohort, learners=[learner])
    exercise = create_exercise(
        cohort=cohort,
        scenario=db.session.scalar(sa.select(LibraryScenario)),
        title=f"Exercise {RUN}",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=admin,
    )
    db.session.commit()
    submission_id = db.session.scalar(
        sa.select(Submission.id).where(Submission.portfolio_id == portfolio.id)
    )

    sign_in(page, live_server, admin.email, ADMIN)
    wide = sideways(page, "/dashboard")
    cells = "table.data th, table.data td"
    # the users list and the exercise board scroll in their region on a phone, words whole
    for path, phone in (
        ("/centre/users", cells),
        (f"/centre/cohorts/{cohort.id}", ""),
        (f"/reports/cohorts/{cohort.id}", ""),
        (f"/exercises/{exercise.id}", cells),
    ):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
        wide += sideways(page, path, phone=phone)

    page.context.clear_cookies()
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    # the queue (on a phone its table scrolls in its region, each word whole), the caseload
    # grid and the bench (its marking-point checks table)
    page.goto(f"{live_server}/assess/")
    assert_accessible(page)
    wide += sideways(page, "/assess/", phone="table.data th, table.data td")
    page.goto(f"{live_server}/assess/caseload")
    assert_accessible(page)
    wide += sideways(page, "/assess/caseload")
    bench = f"/assess/submissions/{submission_id}"
    page.goto(f"{live_server}{bench}")
    assert_accessible(page)
    wide += sideways(page, bench)
    # wrapping long words does not even out the columns: the checks' prose keeps its room
    check, _, detail = page.locator("table[aria-labelledby^=checks] thead th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert detail > 1.5 * check, (check, detail)
    assert not wide, "\n".join(map(str, wide))


def test_iqa_tables_scroll_in_their_own_box_on_a_phone_rather_than_break_words(
    page: Page,
    live_server: str,
    world,
    signed_off,  # noqa: F811
    unit,  # noqa: F811
):
    """The IQA's plans, a plan's samples, the decision log and the verdicts the assessor reads:
    on a phone each word stays whole and a table too wide scrolls sideways inside its region
    (WCAG 1.4.10 allows it for data tables), instead of "Sprin g interi m"."""
    signed_off(learner=world.learner)
    plan = make_plan(world, name="Spring interim")
    [sample] = iqa.generate_sample(plan)
    db.session.commit()
    review = completed_review(world, sample, unit[1])
    cells = "table.data th, table.data td"
    sign_in(page, live_server, world.iqa.email, world.iqa.full_name)
    wide = []
    # the plans, a plan's samples, a sample (its decision log)
    for path in ("/iqa/", f"/iqa/plans/{plan.id}", f"/iqa/samples/{sample.id}"):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
        wide += sideways(page, path, phone=cells)
    # the assessor reads the verdicts on their decisions
    page.context.clear_cookies()
    sign_in(page, live_server, world.assessor.email, world.assessor.full_name)
    path = f"/iqa/reviews/{review.id}/respond"
    page.goto(f"{live_server}{path}")
    assert_accessible(page)
    wide += sideways(page, path, phone=cells)
    assert not wide, "\n".join(map(str, wide))
