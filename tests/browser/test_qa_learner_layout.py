"""Learner pages at phone width (390px) show what matters without scrolling sideways."""

from playwright.sync_api import Page

from portfolio.casework import services
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import (  # noqa: F401  (fixtures)
    bundle_specs,
    learner,
    publish,
    sign_in,
)

# How much wider the first table on the page is than the region it scrolls in.
TABLE_OVERFLOW = """() => {
  const table = document.querySelector('main table');
  return table.scrollWidth - table.closest('.table-scroll').clientWidth;
}"""


def test_my_cases_shows_each_deadline_on_a_phone(
    page: Page,
    live_server: str,
    learner,  # noqa: F811
    bundle_specs,  # noqa: F811
):
    """My cases had a column for the scenario's version, which pushed the final deadline (the
    column a learner comes for) out of sight at 390px; the version now sits beside the case
    number, and the table fits."""
    scenarios = publish(bundle_specs, "telecoms-billing", "insurance-claim-delay")
    for scenario in scenarios.values():
        services.start_case(learner, scenario)
    db.session.commit()
    sign_in(page, live_server)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/cases/")
    assert_accessible(page)
    assert page.evaluate(TABLE_OVERFLOW) <= 0
    assert page.get_by_text("days left").first.is_visible()
