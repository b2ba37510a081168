"""Accessibility beyond what axe checks, on the learner's pages: heading levels that follow the
page (a case-file document's own headings sat two levels under its title), and the personal
data a learner types about themselves marked for autofill (WCAG 2.2 1.3.5)."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.evidence.models import Submission
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import (
    ASSESSOR,
    LEARNER,
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.library.conftest import bundle  # noqa: F401  (fixture)

HEADING_LEVELS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"


def test_a_case_file_documents_headings_follow_its_title(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """The document's "# Title" came out as an h3 straight under the page's h1, so a screen
    reader's list of headings jumped a level; each heading now sits one level under the last."""
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.goto(f"{live_server}/cases/{submitted.case_id}/file/crm-history")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CRM contact history")
    assert_accessible(page)
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert not skips, f"heading levels skip: {levels}"
    # The document's own headings still sit inside the document, under the page's title.
    document = page.get_by_role("article", name="Document text")
    expect(document.get_by_role("heading", level=2)).to_have_count(1)


def test_the_declarations_full_name_is_marked_as_the_learners_name(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """Typing your own name to declare the work is your own: the browser can fill it in."""
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.goto(f"{live_server}/portfolio/{submitted.portfolio.id}/submit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your portfolio")
    assert_accessible(page)
    expect(page.get_by_label("Your full name")).to_have_attribute("autocomplete", "name")


def test_each_own_remedy_components_amount_says_which_component_it_is(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """The three amounts of the learner's own components were each labelled "Amount (£)", in
    one group: a screen reader's list of fields could not tell them apart (WCAG 2.4.6)."""
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.goto(f"{live_server}/cases/{submitted.case_id}/records/remedy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Remedy")
    assert_accessible(page)
    own = page.get_by_role("group", name="Your own components")
    names = [
        field.evaluate("el => el.labels[0].textContent.replace(/\\s+/g, ' ').trim()")
        for field in own.locator("input").all()
    ]
    assert len(names) == len(set(names)) == 6, names
    expect(page.get_by_label("Amount (£) for component 2", exact=True)).to_be_visible()


def test_the_case_overviews_marking_point_checks_are_one_landmark(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """An assessor reading a learner's case overview met two landmarks both called
    "Marking-point checks" (the panel and the table's scroll region inside it), so a screen
    reader's landmark list named the same thing twice (axe: landmark-unique)."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/cases/{submitted.case_id}")
    expect(page.get_by_role("heading", name="Marking-point checks")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("region", name="Marking-point checks")).to_have_count(1)


def test_a_learners_pages_read_by_staff_are_titled_with_whose_they_are(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """An assessor with several learners' portfolios or cases open had tabs all titled
    "Portfolio", "Tracking grid", "Version 1" or "Root cause · <organisation>" (WCAG 2.4.2):
    each title now names the learner, as the page does."""
    portfolio = submitted.portfolio
    version = db.session.scalar(
        sa.select(Submission).where(Submission.portfolio_id == portfolio.id)
    )
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    for path, title in (
        (f"/portfolio/{portfolio.id}", f"Portfolio: {LEARNER}"),
        (f"/portfolio/{portfolio.id}/grid", f"Tracking grid: {LEARNER}"),
        (f"/portfolio/submissions/{version.id}", f"{LEARNER}: version 1"),
    ):
        page.goto(f"{live_server}{path}")
        expect(page).to_have_title(f"{title} · Complaints Casework Portfolio")
        assert_accessible(page)
    # A learner's case, read by staff: its pages name the learner after the organisation.
    page.goto(f"{live_server}/cases/{submitted.case_id}/records/root_cause")
    expect(page).to_have_title(
        re.compile(rf"^Root cause · [^·]+ · {LEARNER} · Complaints Casework Portfolio$")
    )
    assert_accessible(page)
