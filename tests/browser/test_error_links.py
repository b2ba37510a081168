"""An error summary's link takes the keyboard to the field with its question in view. On the
marking bench a missing decision's link jumped to its first radio button, which landed at the
top of the window with the criterion (the legend) and the error message scrolled above it."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import ASSESSOR, sign_in
from tests.browser.test_assessor_journey import submitted as submitted  # noqa: F401 (fixture)
from tests.browser.test_qa_staff_layout import marked as marked  # noqa: F401 (fixture)
from tests.library.conftest import bundle as bundle  # noqa: F401 (fixture)

IN_VIEW = """el => {
  const r = el.getBoundingClientRect();
  let box = el.parentElement;
  while (box && getComputedStyle(box).overflowY === 'visible') box = box.parentElement;
  const b = box ? box.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
  return r.height > 0 && r.top >= Math.max(0, b.top) - 1
    && r.bottom <= Math.min(window.innerHeight, b.bottom) + 1;
}"""


def test_a_missing_decisions_link_shows_its_criterion(
    page: Page,
    live_server: str,
    marked,  # noqa: F811
):
    page.set_viewport_size({"width": 1280, "height": 700})
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    assert_accessible(page)
    # Feedback without a decision is refused, and the error links to the decision's radios.
    page.get_by_label("Feedback on 2.1").fill("Describe each stage in your own words.")
    page.get_by_role("button", name="Save decisions").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    link = summary.get_by_role("link").first
    link.click()
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("type", "radio")
    legend = page.locator("fieldset:has(input:focus) > legend")
    assert legend.evaluate(IN_VIEW), "the criterion is scrolled out of sight"
    expect(page.locator("fieldset:has(input:focus)")).to_contain_text(re.compile(r"\S"))
