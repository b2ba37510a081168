"""A centre admin imports an intake from a CSV file: a file with a mistake is refused with
its row and column and nothing created; the corrected file creates everyone, allocated and in
their cohort; a learner signs in with the issued password and chooses their own. Every page
passes axe, with CSRF on as in production."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.accounts import services as account_services
from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.browser.test_admin_journey import sign_in
from tests.conftest import PASSWORD

HEADINGS = "full_name,email,role,assessor_email,iqa_email,cohort\n"
WRONG = HEADINGS + (
    "Priya Shah,priya@alpha.test,,sam.okafor@alpha.test,,September intake\n"
    "Tom Reyes,tom@alpha.test,learner,sam.okafor@alpha.test,,Septembre intake\n"
    "Sam Okafor,sam.okafor@alpha.test,assessor,,,\n"
)
RIGHT = WRONG.replace("Septembre", "September")


@pytest.fixture
def admin(make_user) -> User:
    user = make_user(Role.CENTRE_ADMIN, email="admin@alpha.test", full_name="Alex Admin")
    account_services.create_cohort(centre=user.centre, name="September intake")
    db.session.commit()  # the live server reads the database from another thread
    return user


def choose_file(page: Page, text: str) -> None:
    page.get_by_label("CSV file of users").set_input_files(
        files=[{"name": "intake.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check and import").click()


def test_admin_imports_an_intake_and_a_learner_signs_in(page: Page, live_server: str, admin):
    sign_in(page, live_server, admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/centre/users$"))
    assert_accessible(page)
    page.get_by_role("link", name="Import from a CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import users from a CSV file")
    assert_accessible(page)
    assert not sideways(page, "/centre/users/import")

    choose_file(page, WRONG)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("intake.csv has 1 problem. Nobody was created.")
    expect(summary).to_contain_text("Row 3, cohort: This centre has no cohort called")
    expect(summary).to_be_focused()  # app.js moves focus to the summary
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "priya@alpha.test")) is None

    choose_file(page, RIGHT)
    expect(page.get_by_role("heading", level=1)).to_have_text("3 users imported")
    assert_accessible(page)
    rows = page.get_by_role("row")
    expect(rows).to_have_count(4)
    priya = rows.filter(has_text="priya@alpha.test")
    temporary = priya.locator("code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}", temporary)

    # Printed to hand out: the passwords without the menu, the account links or the footer.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to users")).to_be_hidden()
    expect(priya.locator("code")).to_be_visible()
    page.emulate_media(media="screen")

    db.session.expire_all()
    learner = db.session.scalar(sa.select(User).where(User.email == "priya@alpha.test"))
    assert learner.assessor.email == "sam.okafor@alpha.test"
    assert [c.name for c in learner.cohorts] == ["September intake"]

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "priya@alpha.test", temporary)
    expect(page).to_have_url(re.compile(r"/auth/password$"))
    assert_accessible(page)
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill("amber otter lantern kettle")
    page.get_by_label("Confirm new password").fill("amber otter lantern kettle")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya Shah")
    assert_accessible(page)
