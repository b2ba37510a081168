"""A centre admin adds a learner; the learner signs in with the temporary password and must
choose their own. Every page on the way passes axe, with CSRF on as in production."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.accounts import services as account_services
from portfolio.accounts.models import User
from portfolio.auth.views import GENERIC_FAILURE
from portfolio.exercises.services import create_exercise
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.conftest import PASSWORD
from tests.library.conftest import bundle  # noqa: F401  (fixture)

LEARNER_NAME = "Priya Shah"
LEARNER_EMAIL = "priya.shah@alpha.test"
NEW_PASSWORD = "amber otter lantern kettle"


@pytest.fixture
def admin(make_user) -> User:
    user = make_user(Role.CENTRE_ADMIN, email="admin@alpha.test", full_name="Alex Admin")
    db.session.commit()  # the live server reads the database from another thread
    return user


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    # Password managers and WCAG 1.3.5 (identify input purpose) rely on these.
    expect(page.locator('input[name="email"]')).to_have_attribute("autocomplete", "username")
    expect(page.locator('input[name="password"]')).to_have_attribute(
        "autocomplete", "current-password"
    )
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_adds_a_learner_who_chooses_a_password(page: Page, live_server: str, admin: User):
    sign_in(page, live_server, admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex Admin")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/centre/users$"))
    expect(page.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    page.get_by_role("link", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    assert_accessible(page)
    page.get_by_label("Full name").fill(LEARNER_NAME)
    page.get_by_label("Email address").fill(LEARNER_EMAIL)
    page.get_by_label("Role").select_option(label=Role.LEARNER.label)
    page.get_by_role("button", name="Create user").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Temporary password for {LEARNER_NAME}"
    )
    assert_accessible(page)
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}", temporary)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    assert_accessible(page)

    # The learner's first sign-in goes straight to the forced password change.
    sign_in(page, live_server, LEARNER_EMAIL, temporary)
    expect(page).to_have_url(re.compile(r"/auth/password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)

    # Anywhere else still leads back to the change-password page.
    page.goto(f"{live_server}/dashboard")
    expect(page).to_have_url(re.compile(r"/auth/password$"))
    assert_accessible(page)

    for name in ("new_password", "confirm"):
        expect(page.locator(f'input[name="{name}"]')).to_have_attribute(
            "autocomplete", "new-password"
        )
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=re.compile("^New password:"))).to_be_visible()
    expect(summary).to_be_focused()  # app.js moves focus to the summary
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {LEARNER_NAME}")
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")
    assert_accessible(page)

    db.session.expire_all()
    learner = db.session.scalar(sa.select(User).where(User.email == LEARNER_EMAIL))
    assert learner.role == Role.LEARNER
    assert learner.centre_id == admin.centre_id
    assert not learner.must_change_password


@pytest.mark.parametrize(
    "email", ["admin@alpha.test", "nobody@alpha.test"], ids=["wrong-password", "unknown-email"]
)
def test_failed_sign_in_shows_the_generic_error(
    page: Page, live_server: str, admin: User, email: str
):
    sign_in(page, live_server, email, "not the password")
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(GENERIC_FAILURE)
    expect(page.locator('input[name="email"]')).to_have_value(email)
    expect(page.locator('input[name="password"]')).to_have_value("")
    assert_accessible(page)


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_skip_link_is_the_first_focusable_element(
    page: Page, live_server: str, admin: User, signed_in: bool
):
    if signed_in:
        sign_in(page, live_server, admin.email, PASSWORD)
        expect(page).to_have_url(re.compile(r"/dashboard$"))
    else:
        page.goto(f"{live_server}/auth/login")
    assert_accessible(page)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_site_admin_creates_a_centre_and_adds_a_second_admin(
    page: Page, live_server: str, make_user
):
    make_user(Role.SITE_ADMIN, None, email="root@site.test", full_name="Root Admin")
    db.session.commit()
    sign_in(page, live_server, "root@site.test", PASSWORD)
    assert_accessible(page)  # the site admin's dashboard
    page.goto(f"{live_server}/site/centres")
    assert_accessible(page)
    page.get_by_role("link", name="Create a centre").click()
    assert_accessible(page)
    page.get_by_label("Centre name").fill("Delta College")
    page.get_by_label("First admin's full name").fill("Dee Admin")
    page.get_by_label("First admin's email address").fill("dee@delta.test")
    page.get_by_role("button", name="Create centre").click()
    expect(page.locator(".temporary-password, #temporary-password").first).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/site/centres")
    page.get_by_role("link", name="Add an admin to Delta College").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an admin to Delta College")
    assert_accessible(page)
    page.get_by_role("button", name="Add admin").click()  # empty: errors, nothing added
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Eve Admin")
    page.get_by_label("Email address").fill("eve@delta.test")
    page.get_by_role("button", name="Add admin").click()
    expect(page.locator(".temporary-password, #temporary-password").first).to_be_visible()
    assert_accessible(page)
    eve = db.session.scalar(sa.select(User).where(User.email == "eve@delta.test"))
    assert eve.role == Role.CENTRE_ADMIN and eve.centre.name == "Delta College"


def test_admin_deletes_a_cohort_created_in_error(
    page: Page,
    live_server: str,
    world,
    bundle,  # noqa: F811
):
    """A cohort with an exercise is refused (the page names it and links its deletion); a
    cohort without one goes from its confirmation page, and its learners stay."""
    load_bundled(bundle)
    create_exercise(
        cohort=world.cohort,
        scenario=db.session.scalar(sa.select(LibraryScenario)),
        title="Week 1",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=7),
        by=world.admin,
    )
    wrong = account_services.create_cohort(centre=world.centre, name="Made in error")
    account_services.set_cohort_members(wrong, learners=[world.peer])
    db.session.commit()
    sign_in(page, live_server, world.admin.email, PASSWORD)
    assert_accessible(page)

    page.goto(f"{live_server}/centre/cohorts/{world.cohort.id}/delete")
    expect(page.locator(".notice")).to_contain_text("while it has an exercise: “Week 1”")
    expect(page.get_by_role("link", name="Delete Week 1")).to_be_visible()
    expect(page.get_by_role("button", name="Delete the cohort")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"{live_server}/centre/cohorts")
    assert_accessible(page)
    # On a phone the list keeps its words ("Description", not "Descriptio" over "n").
    assert not sideways(page, "cohorts", phone="table.data th, table.data td")
    page.get_by_role("link", name="Made in error", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Delete this cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Made in error")
    expect(page.locator("main")).to_contain_text("Its 1 learner only leaves it")
    assert_accessible(page)
    page.get_by_role("button", name="Delete the cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    expect(page.locator(".flashes")).to_contain_text("Deleted the cohort Made in error.")
    expect(page.get_by_role("link", name="Made in error", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=world.cohort.name, exact=True)).to_be_visible()
    assert_accessible(page)
    assert db.session.get(User, world.peer.id).active
