"""Regions that scroll sideways can be scrolled from the keyboard (WCAG 2.1.1). A scenario's
documents, opened on the staff preview, hold tables wider than a phone (or a desktop window at
200% zoom): each scrolled in a box that took no focus, so a keyboard user could not reach the
columns past its edge."""

from playwright.sync_api import Page, expect

from portfolio.extensions import db
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import bundle_specs, publish  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

ADMIN_EMAIL = "admin@alpha.test"
WIDE = """() => [...document.querySelectorAll('.doc-body')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => ({focusable: el.tabIndex >= 0, name: el.getAttribute('aria-label')}))"""


def test_a_previewed_documents_wide_tables_scroll_from_the_keyboard(
    page: Page,
    live_server: str,
    make_user,
    bundle_specs,  # noqa: F811
):
    make_user(Role.CENTRE_ADMIN, email=ADMIN_EMAIL, full_name="Alex Admin")
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    db.session.commit()  # the live server reads the database from another thread
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(ADMIN_EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex Admin")
    assert_accessible(page)
    page.goto(f"{live_server}/library/{scenario.id}/preview")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview")
    for summary in page.locator("details.document > summary").all():
        summary.click()
    wide = page.evaluate(WIDE)
    assert wide, "no document is wider than a phone: the test proves nothing"
    assert all(region["focusable"] and region["name"] for region in wide), wide
    assert_accessible(page)  # axe's scrollable-region-focusable, on the opened documents
