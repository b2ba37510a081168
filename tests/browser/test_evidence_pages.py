"""The learner's evidence pages in a real browser, each checked with axe: the portfolio, the
tracking grid, the workplace upload form, the submit page with its declaration, a submitted
version, and what changed between two versions. Version 1 is submitted by the fixture; the
learner uploads workplace evidence and submits version 2 here, through the declaration form."""

import re
from datetime import date

from playwright.sync_api import Page, expect

from portfolio.casework import services as casework
from portfolio.casework.models import Case
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.browser.test_assessor_journey import (
    LEARNER,
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)
    assert_accessible(page)


def test_learner_reads_every_evidence_page_and_submits_again(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    portfolio = submitted.portfolio
    base = f"{live_server}/portfolio/{portfolio.id}"
    sign_in(page, live_server, "casey@alpha.test", LEARNER)

    page.goto(base)
    heading(page, f"Portfolio: {portfolio.unit.title}")
    # Each row's Map link keeps its word whole on a phone (it was "Ma" over "p" at 390px).
    assert not sideways(
        page, "portfolio", whole="table.data td:last-child a", phone="table.data th, table.data td"
    )

    page.goto(f"{base}/grid")
    heading(page, f"Tracking grid: {LEARNER}")
    assert not sideways(page, "grid", phone="table.grid thead th")  # "Recommendations:" broke

    page.goto(f"{base}/upload")
    heading(page, "Add workplace evidence")
    page.get_by_role("button", name="Upload").click()  # nothing chosen: errors, nothing stored
    heading(page, "Add workplace evidence")
    expect(page.get_by_role("alert")).to_be_visible()
    # Something new for version 2 (submitting unchanged work again makes no version).
    page.get_by_label("File").set_input_files(
        files=[{"name": "letter.txt", "mimeType": "text/plain", "buffer": b"A letter I wrote."}]
    )
    page.get_by_label("Title").fill("Workplace letter")
    page.get_by_label("What it is and how it came about").fill("A reply I wrote at work.")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workplace letter")
    assert_accessible(page)

    # ...and the root cause rewritten since version 1, which "What changed" shows word by word
    casework.save_record(
        db.session.get(Case, submitted.case_id),
        "root_cause",
        {
            "method": "five_whys",
            "symptom": "Wrong bill",
            "root_cause": "The discount code was never renewed",
        },
        expected_version=1,
    )
    db.session.commit()

    page.goto(f"{base}/submit")
    heading(page, "Submit your portfolio")
    page.get_by_label("Your full name").fill(LEARNER)
    page.get_by_label("Today's date").fill(date.today().isoformat())
    page.get_by_role("button", name="Declare and submit").click()
    heading(page, f"{LEARNER}: version 2")

    page.get_by_role("link", name="What changed since version 1").click()
    heading(page, "What changed from version 1 to 2")
    page.get_by_role("link", name="Root cause").click()
    rewritten = page.get_by_role("region", name=re.compile(r"^Investigation: .* what changed"))
    expect(rewritten.locator("del")).to_have_text("[removed] Expired code")
    expect(rewritten.locator("ins")).to_have_text("[added] The discount code was never renewed")
    assert not sideways(page, "what changed")
