"""A centre admin runs a cohort exercise in a real browser: sets the minimal scenario for the
cohort (after a refused close-before-open), a learner sees it on their dashboard and starts the
case, and the admin follows the live board and the dashboard's cohort progress, then opens the
cohort tracking grid and downloads it as CSV. Every page passes axe, with CSRF on."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework import services as casework
from portfolio.exercises.services import create_exercise
from portfolio.export.bulk import slug
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.conftest import PASSWORD
from tests.library.conftest import bundle  # noqa: F401  (fixture)

SCENARIO = "Minimal Broadband: a bill that went wrong"
TITLE = "Week 1 practice"


@pytest.fixture
def centre(world, bundle):  # noqa: F811
    """world's centre with the minimal scenario published in the library."""
    load_bundled(bundle)
    db.session.commit()  # the live server reads the database from another thread
    return world


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    assert_accessible(page)


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_an_admin_runs_a_cohort_exercise_to_the_report(
    page: Page, live_server: str, centre, tmp_path
):
    today = date.today()
    sign_in(page, live_server, centre.admin.email)

    # Exercises, then the form: the scenario, its version (current by default), the cohort.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exercises").click()
    heading(page, "Exercises")
    expect(page.get_by_text("No exercises yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Set an exercise").click()
    heading(page, "Set an exercise")
    assert_accessible(page)
    # Each option names the scenario with its slug and origin, e.g. "Title (slug, bundled)".
    chosen = page.locator("#scenario option", has_text=SCENARIO).get_attribute("value")
    page.get_by_label("Scenario", exact=True).select_option(value=chosen)
    expect(page.get_by_label("Scenario version")).to_have_value("0")
    expect(page.get_by_label("Scenario version")).to_contain_text("Version 1 (current)")
    page.get_by_label("Cohort").select_option(label=centre.cohort.name)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Closes on").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Set exercise").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The close date must be on or after the open date.")
    expect(page.get_by_label("Closes on")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Closes on").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Set exercise").click()

    # The live board: nobody has started yet.
    heading(page, TITLE)
    expect(page.locator(".flashes")).to_contain_text(f"Exercise set for {centre.cohort.name}.")
    expect(page.locator(".stage-counts")).to_contain_text("2 Not started")
    assert_accessible(page)
    sign_out(page)

    # The learner is told, sees the exercise with its due date and starts the case.
    sign_in(page, live_server, centre.learner.email)
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Notifications")).to_contain_text("1 unread")
    exercises = page.get_by_role("region", name="Your exercises")
    expect(exercises).to_contain_text(f"due {today + timedelta(days=7):%-d %b %Y}")
    exercises.get_by_role("link", name=TITLE).click()
    heading(page, TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Start the case").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+"))
    heading(page, re.compile("^Referral: "))
    assert_accessible(page)
    sign_out(page)

    # The admin's dashboard counts the learner as working; the board shows their clock and
    # every deadline of the scenario.
    sign_in(page, live_server, centre.admin.email)
    progress = page.get_by_role("region", name="Cohort progress by exercise")
    row = progress.get_by_role("row", name=re.compile(TITLE))
    # Cohort, closes, then not started, working, submitted, returned, signed off, overdue.
    expect(row.get_by_role("cell")).to_have_text(
        [centre.cohort.name, re.compile(r"\d"), "1", "1", "0", "0", "0", "0"]
    )
    # On a phone its eight columns keep their words ("Not started", not "N ot st ar te d") and
    # scroll sideways in their region.
    assert not sideways(page, "admin dashboard", phone="table.data th, table.data td")
    row.get_by_role("link", name=TITLE).click()
    heading(page, TITLE)
    expect(page.locator(".stage-counts")).to_contain_text("1 Referral")
    board = page.get_by_role("table")
    expect(board.get_by_role("columnheader", name="Day 28 deadline")).to_be_visible()
    expect(board.get_by_role("columnheader", name="Day 56 final deadline")).to_be_visible()
    learner_row = board.get_by_role("row", name=re.compile(centre.learner.full_name))
    expect(learner_row).to_contain_text("day 10 09:00")
    expect(learner_row).to_contain_text("18 days left")
    expect(learner_row).to_contain_text("46 days left")
    assert_accessible(page)

    # The cohort tracking grid, on screen and as CSV.
    page.get_by_role("link", name="Cohort tracking grid").click()
    heading(page, f"{centre.cohort.name}: tracking grid")
    expect(page.get_by_role("row", name=re.compile(centre.learner.full_name))).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    named = f"{slug(centre.cohort.name)}-tracking-grid-{date.today()}.csv"
    assert download.suggested_filename == named
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Learner", "Email"]
    assert {r[1] for r in rows[1:]} == {centre.learner.email, centre.peer.email}


def test_an_admin_deletes_an_exercise_set_in_error(page: Page, live_server: str, centre):
    """The wrong scenario set for the cohort: the admin deletes it from its board through the
    confirmation page (axe-checked), and a started exercise's page says why it stays."""
    today = date.today()
    scenario = db.session.scalar(sa.select(LibraryScenario))
    wrong, started = (
        create_exercise(
            cohort=centre.cohort,
            scenario=scenario,
            title=title,
            opens_on=today,
            closes_on=today + timedelta(days=7),
            by=centre.admin,
        )
        for title in ("Set in error", "Under way")
    )
    casework.start_case(centre.learner, scenario, exercise=started)
    db.session.commit()
    sign_in(page, live_server, centre.admin.email)

    page.goto(f"{live_server}/exercises/{started.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Delete this exercise").click()
    heading(page, "Delete Under way")
    expect(page.get_by_text("1 learner has started a case on it")).to_be_visible()
    expect(page.get_by_role("button", name="Delete the exercise")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Change the close date").click()
    heading(page, "Change Under way")
    assert_accessible(page)

    page.goto(f"{live_server}/exercises/{wrong.id}")
    assert_accessible(page)
    page.get_by_role("link", name="Delete this exercise").click()
    heading(page, "Delete Set in error")
    expect(page.locator("main")).to_contain_text("2 learners' inboxes")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the exercise").click()
    heading(page, "Exercises")
    expect(page.locator(".flashes")).to_contain_text(
        f"Deleted the exercise Set in error for {centre.cohort.name}."
    )
    expect(page.get_by_role("link", name="Set in error")).to_have_count(0)
    expect(page.get_by_role("link", name="Under way")).to_be_visible()
    assert_accessible(page)
    # On a phone the list keeps its words ("Cohort", not "Cohor" over "t"; "2027", not "202"
    # over "7") and scrolls sideways in its region.
    assert not sideways(page, "exercises", phone="table.data th, table.data td")
