"""The live board's refresh in a real browser: it replaces the board with the fresh fragment
(showing the time of day of the refresh), and when the session has ended it stops and says so
instead of filling the board with the sign-in page."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from tests.browser.conftest import assert_accessible
from tests.browser.test_exercise_journey import sign_in
from tests.library.conftest import bundle  # noqa: F401  (fixture)


@pytest.fixture
def exercise(world, bundle):  # noqa: F811
    load_bundled(bundle)
    scenario = db.session.scalar(sa.select(LibraryScenario))
    exercise = create_exercise(
        cohort=world.cohort,
        scenario=scenario,
        title="Board week",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    db.session.commit()  # the live server reads the database from another thread
    return exercise


def test_the_board_stops_refreshing_when_the_session_ends(
    page: Page, live_server: str, world, exercise
):
    page.clock.install()
    sign_in(page, live_server, world.admin.email)
    page.goto(f"{live_server}/exercises/{exercise.id}")
    assert_accessible(page)
    status = page.locator("#board [data-board-fragment]")
    expect(status).to_have_text(re.compile(r"Updated \d+ \w+ \d{4}, \d\d:\d\d"))

    # A refresh while signed in replaces the board with the fresh fragment.
    page.evaluate("document.querySelector('#board [data-board-fragment]').textContent = 'old'")
    with page.expect_response(re.compile(r"fragment=1")):
        page.clock.run_for(31_000)
    expect(status).to_have_text(re.compile(r"^Updated "))

    # The session ends: the next refresh leaves the board alone and says so.
    page.context.clear_cookies()
    with page.expect_response(re.compile(r"/auth/login")):
        page.clock.run_for(31_000)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Your session has ended – sign in again to see the latest.")
    expect(notice.get_by_role("link", name="Sign in again")).to_be_visible()
    expect(page.locator("#board form")).to_have_count(0)
    expect(page.locator("#board table")).to_be_visible()
    assert_accessible(page)


def test_the_board_says_so_when_the_exercise_is_deleted_meanwhile(
    page: Page, live_server: str, world, exercise
):
    """Another admin deletes the exercise (set in error) while this board is open: the next
    refresh stops and points to the exercises list, instead of asking for a reload that would
    only show the 404 page."""
    from portfolio.exercises.services import delete_exercise

    page.clock.install()
    sign_in(page, live_server, world.admin.email)
    page.goto(f"{live_server}/exercises/{exercise.id}")
    expect(page.locator("#board table")).to_be_visible()
    delete_exercise(db.session.get(type(exercise), exercise.id), by=world.admin)
    db.session.commit()
    with page.expect_response(re.compile(r"fragment=1")):
        page.clock.run_for(31_000)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("This exercise has been deleted.")
    link = notice.get_by_role("link", name="Go to the exercises")
    expect(link).to_have_attribute("href", "/exercises/")
    assert_accessible(page)


def test_a_refresh_keeps_the_keyboard_users_place_on_the_board(
    page: Page, live_server: str, world, exercise
):
    """The refresh replaced the board's markup every 30 seconds, and with it the element a
    keyboard user had reached: focus fell back to the page, to be tabbed to again."""
    page.clock.install()
    sign_in(page, live_server, world.admin.email)
    page.goto(f"{live_server}/exercises/{exercise.id}")
    assert_accessible(page)
    region = page.get_by_role("region", name="Learners by stage")
    region.focus()
    expect(region).to_be_focused()
    page.evaluate("document.querySelector('#board [data-board-fragment]').textContent = 'old'")
    with page.expect_response(re.compile(r"fragment=1")):
        page.clock.run_for(31_000)
    expect(page.locator("#board [data-board-fragment]")).to_have_text(re.compile(r"^Updated "))
    expect(region).to_be_focused()  # the fresh board's table, not the page


def test_the_board_refresh_can_be_paused_and_resumed(page: Page, live_server: str, world, exercise):
    """The board updated itself every 30 seconds with no way to stop it (WCAG 2.2.2)."""
    page.clock.install()
    sign_in(page, live_server, world.admin.email)
    page.goto(f"{live_server}/exercises/{exercise.id}")
    assert_accessible(page)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "fragment=1" in r.url else None)
    page.get_by_role("button", name="Pause updates").click()
    page.clock.run_for(95_000)
    assert fetched == []
    page.get_by_role("button", name="Resume updates").click()
    with page.expect_response(re.compile(r"fragment=1")):
        page.clock.run_for(31_000)
    expect(page.get_by_role("button", name="Pause updates")).to_be_visible()
    assert_accessible(page)
