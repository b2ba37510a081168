"""The site admin finds a centre whose only admin has left, adds a new admin, and that admin
signs in with the temporary password and chooses their own. Every page on the way passes axe,
with CSRF on as in production."""

import re

import pytest
from playwright.sync_api import Page, expect

from portfolio.accounts.models import Centre, User
from portfolio.extensions import db
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

NEW_PASSWORD = "amber otter lantern kettle"


@pytest.fixture
def site_admin(make_user, make_centre) -> User:
    user = make_user(Role.SITE_ADMIN, None, email="root@site.test", full_name="Sam Site")
    orphaned = make_centre("Orphan College")
    gone = make_user(Role.CENTRE_ADMIN, orphaned, email="gone@orphan.test", full_name="Gone Admin")
    gone.active = False
    db.session.commit()  # the live server reads the database from another thread
    return user


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_site_admin_rescues_a_centre_without_an_admin(
    page: Page, live_server: str, site_admin: User
):
    sign_in(page, live_server, site_admin.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Site")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Centres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Centres")
    row = page.get_by_role("row", name=re.compile("Orphan College"))
    expect(row).to_contain_text("None")
    assert_accessible(page)

    row.get_by_role("link", name="Add an admin to Orphan College").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an admin to Orphan College")
    expect(page.get_by_text("deactivated")).to_be_visible()
    assert_accessible(page)

    # A bad email address is refused with a summary that links to the field.
    page.get_by_label("Full name").fill("Nia Newadmin")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Add admin").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name=re.compile("^Email address:"))).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Email address").fill("nia@orphan.test")
    page.get_by_role("button", name="Add admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temporary password for Nia Newadmin")
    assert_accessible(page)
    temporary = page.locator("#temporary-password").inner_text().strip()
    page.get_by_role("link", name="Back to centres").click()
    expect(page.get_by_role("row", name=re.compile("Orphan College"))).not_to_contain_text("None")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "nia@orphan.test", temporary)
    expect(page).to_have_url(re.compile(r"/auth/password$"))
    assert_accessible(page)
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nia Newadmin")
    assert_accessible(page)

    db.session.expire_all()
    nia = db.session.scalar(db.select(User).where(User.email == "nia@orphan.test"))
    assert nia.role == Role.CENTRE_ADMIN and not nia.must_change_password
    assert db.session.get(Centre, nia.centre_id).name == "Orphan College"


def test_site_admin_cannot_reach_a_centres_pages(page: Page, live_server: str, site_admin: User):
    sign_in(page, live_server, site_admin.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    for path in ("/centre/users", "/centre/cohorts", "/assess/", "/iqa/"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 403, path
        assert_accessible(page)
    assert page.goto(f"{live_server}/site/centres/99999/admins/new").status == 404
    assert_accessible(page)
