"""A centre admin takes on an intake. Imported from a CSV file: a file with a mistake is
refused with its row and column and nothing created; the corrected file creates everyone,
allocated and in their cohort; a learner signs in with the issued password and chooses their
own. Allocated in bulk: the cohort's learners lacking an IQA all get one at once. Every page
passes axe, with CSRF on as in production."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.accounts import services as account_services
from portfolio.accounts.models import Cohort, User
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


def test_the_imported_users_keep_their_words_whole(page: Page, live_server: str, admin):
    """The users-imported table keeps its short words whole ("Assessor", "Temporary") beside
    long names and an address with nowhere to wrap, at desktop and phone widths."""
    long = HEADINGS + "".join(
        f"Bartholomew Alexander Featherstonehaugh-Cholmondeley Montgomery-Smythe {n},"
        # an address with nowhere to wrap but anywhere
        f"bartholomewalexanderfeatherstonehaughcholmondeleymontgomerysmythe{n}"
        "@northernvocationaltrainingalpha.test,"
        f"{role},,,\n"
        for n, role in enumerate(["assessor", "iqa", "centre_admin"])
    )
    sign_in(page, live_server, admin.email, PASSWORD)
    assert_accessible(page)
    page.goto(f"{live_server}/centre/users/import")
    assert_accessible(page)
    choose_file(page, long)
    expect(page.get_by_role("heading", level=1)).to_have_text("3 users imported")
    assert_accessible(page)
    assert not sideways(page, "users imported", whole="table.data th, table.data td")


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
    # On one line, even on a phone: broken after a hyphen it reads as two pieces.
    page.set_viewport_size({"width": 390, "height": 800})
    assert priya.locator("code").evaluate("code => code.getClientRects().length") == 1
    page.set_viewport_size({"width": 1280, "height": 800})

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


def test_admin_allocates_a_cohorts_learners_at_once(page: Page, live_server: str, admin, make_user):
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.centre_id == admin.centre_id))
    assessor = make_user(Role.ASSESSOR, admin.centre, full_name="Sam Okafor")
    make_user(Role.IQA, admin.centre, full_name="Jo Iqbal")
    learners = [
        make_user(Role.LEARNER, admin.centre, full_name=f"Learner {n}", assessor=assessor)
        for n in range(3)
    ]
    account_services.change_cohort_members(cohort, add=learners[:2], remove=[])
    db.session.commit()

    sign_in(page, live_server, admin.email, PASSWORD)
    assert_accessible(page)
    page.goto(f"{live_server}/centre/users")
    assert_accessible(page)
    page.get_by_role("link", name="Allocate learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate learners")
    assert_accessible(page)
    # The learners' names beside their ticks stay whole on a phone ("Ais ha Pat el" before).
    assert not sideways(page, "/centre/allocation", phone="table.data th, table.data td")

    page.get_by_label("Cohort").select_option(label="September intake")
    page.get_by_label("Only learners lacking an assessor or IQA").check()
    page.get_by_role("button", name="Find learners").click()
    expect(page.get_by_role("group", name="Learners, 2 found")).to_be_visible()
    assert_accessible(page)

    # Nothing chosen to allocate: the summary says so and takes the focus.
    page.get_by_label("All 2 learners the filter finds").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an assessor, an IQA or both")
    expect(page.get_by_role("alert")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("All 2 learners the filter finds").check()
    page.get_by_label("IQA", exact=True).select_option(label="Jo Iqbal")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_role("status")).to_contain_text("Allocated 2 learners to IQA Jo Iqbal.")
    expect(page.get_by_role("group", name="Learners, 0 found")).to_be_visible()
    assert_accessible(page)

    db.session.expire_all()
    assert [bool(u.iqa_id) for u in (db.session.get(User, u.id) for u in learners)] == [
        True,
        True,
        False,
    ]
