"""A centre admin previews a bundled scenario with its assessor guidance: its deadline, remedy
and evidence-map lists keep their words whole at desktop and phone widths, and the page does
not scroll sideways."""

import pytest
from flask import current_app
from playwright.sync_api import Page, expect

from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.conftest import PASSWORD

ADMIN_EMAIL = "admin@alpha.test"


@pytest.fixture
def telecoms(make_user) -> LibraryScenario:
    make_user(Role.CENTRE_ADMIN, email=ADMIN_EMAIL, full_name="Alex Admin")
    load_bundled(current_app.config["SCENARIOS_DIR"])
    db.session.commit()  # the live server reads the database from another thread
    return db.session.query(LibraryScenario).filter_by(slug="telecoms-billing").one()


def test_the_preview_keeps_its_words_whole(page: Page, live_server: str, telecoms):
    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(ADMIN_EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex Admin")
    assert_accessible(page)
    page.goto(f"{live_server}/library/{telecoms.id}/preview")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview:")
    assert_accessible(page)
    # At 1280px the evidence map's record column read "Recommenda" over "tions" beside the
    # long criteria; on a phone the deadline and remedy headings read "Need s", "authoris
    # ation". The tables scroll in their own regions instead; the map is a list of terms.
    whole = "table.data th, table.data td, dl.evidence-map dt"
    assert not sideways(page, "scenario preview", whole=whole, phone=whole)
