"""Removing a pinned finding or a timeline entry asks first: both went at one click (a
finding holds up to 2,000 characters of the learner's own words, and nothing brings it back),
while deleting an analysis or a recommendation already asked."""

from datetime import date

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework import services
from portfolio.casework.models import Finding, TimelineEntry
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import (  # noqa: F401  (fixtures)
    bundle_specs,
    learner,
    publish,
    sign_in,
)


def test_removing_a_finding_or_timeline_entry_asks_first(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    scenario = publish(bundle_specs, "telecoms-billing")["telecoms-billing"]
    case = services.start_case(learner, scenario)
    services.request_document(case, "crm-history")
    services.pin_finding(
        case, text="Two contacts were logged as queries.", document_id="crm-history"
    )
    services.add_timeline_entry(case, occurred_on=date(2026, 8, 3), description="First contact")
    db.session.commit()
    sign_in(page, live_server)
    page.goto(f"{live_server}/cases/{case.id}/timeline")
    assert_accessible(page)
    # The entry's Remove sits in a table cell laid out as one (a flex cell broke the row's lines).
    display = page.locator("td.actions").first.evaluate("td => getComputedStyle(td).display")
    assert display == "table-cell"
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Remove this finding").click()
    page.once("dialog", dismiss)
    page.get_by_role("button", name="Remove the entry for 3 Aug 2026").click()
    page.wait_for_timeout(300)
    assert asked == [
        "Remove this finding? This cannot be undone.",
        "Remove the timeline entry for 3 Aug 2026? This cannot be undone.",
    ]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(TimelineEntry.id))) == 1
    # Confirmed, it goes.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove this finding").click()
    expect(page.get_by_text("Finding removed.")).to_be_visible()
    assert_accessible(page)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 0
