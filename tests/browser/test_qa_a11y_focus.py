"""Keyboard focus that stays in sight (WCAG 2.2 2.4.11). The tracking grid keeps its criterion
column in place while the table scrolls sideways on a phone; tabbing back along the evidence
links in its header left one of them under that column, so the focused link could not be seen
at all (the browser scrolls a focused element into view only when it is off the scroll region).
The grid's scroll region now keeps a scroll padding as wide as the sticky column."""

from datetime import date

from playwright.sync_api import Page, expect

from portfolio.evidence import services as evidence
from portfolio.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import (
    LEARNER,
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.library.conftest import bundle  # noqa: F401  (fixture)

# What is drawn at the left edge, the middle and the right edge of the focused element: the
# element itself, or whatever covers it.
COVERED = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const y = r.top + r.height / 2;
  return [r.left + 2, r.left + r.width / 2, r.right - 2].map(x => {
    const top = document.elementFromPoint(x, y);
    return top && (el.contains(top) || top.contains(el)) ? null : (top ? top.tagName : 'nothing');
  }).filter(Boolean);
}"""
IN_GRID = "() => !!document.activeElement.closest('table.grid')"


def test_a_focused_link_in_the_tracking_grid_is_never_under_its_sticky_column(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    portfolio = submitted.portfolio
    for title in ("Workplace letter", "Call notes"):  # more evidence: a wider grid
        evidence.upload_evidence(
            portfolio,
            data=b"Written at work.",
            filename="work.txt",
            title=title,
            description="Something I wrote at work.",
            occurred_on=date.today(),
            by=portfolio.learner,
        )
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.goto(f"{live_server}/portfolio/{submitted.portfolio.id}/grid")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tracking grid: {LEARNER}")
    assert_accessible(page)
    count = page.locator("table.grid a").count()
    assert count >= 2
    # Along the grid's links and back again, by keyboard alone, from the link before it.
    page.get_by_role("link", name="Back to the portfolio").focus()
    hidden = []
    for key in ["Tab"] * count + ["Shift+Tab"] * (count - 1):
        page.keyboard.press(key)
        for _ in range(3):  # the scroll region itself takes focus on the way in
            if page.evaluate(IN_GRID):
                break
            page.keyboard.press(key)
        if len(page.evaluate(COVERED)) == 3:  # covered at its left, middle and right
            hidden.append((key, page.evaluate("document.activeElement.textContent")))
    assert not hidden, f"focused links covered by the sticky column: {hidden}"
