"""Layout and focus styles measured in a real browser: focused header links are readable; the
tracking grid and the caseload keep their first column in view when they scroll sideways; the
mapping page's checkboxes are all one size."""

from datetime import date

from playwright.sync_api import Page

from portfolio.evidence import services as evidence
from portfolio.extensions import db
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import (
    ASSESSOR,
    LEARNER,
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.library.conftest import bundle  # noqa: F401  (fixture)


def _luminance(rgb: str) -> float:
    """Relative luminance (WCAG 2) of a computed "rgb(r, g, b)" colour."""
    parts = [int(p) for p in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    srgb = [c / 255 for c in parts]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el.closest('.site-header')) return null;
  const style = getComputedStyle(el);
  return {text: el.textContent.trim(), color: style.color, background: style.backgroundColor};
}"""


def test_focused_header_links_have_dark_text_on_the_focus_colour(
    page: Page, live_server: str, make_user
):
    make_user(Role.LEARNER, email="focus@alpha.test", full_name="Focus Learner")
    db.session.commit()
    sign_in(page, live_server, "focus@alpha.test", "Focus Learner")
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            if seen:
                break
            continue
        seen.append(focused)
    assert len(seen) >= 3, seen  # the brand, the nav links, sign out
    for focused in seen:
        assert focused["background"] == "rgb(255, 221, 0)", focused
        assert _contrast(focused["color"], focused["background"]) >= 4.5, focused
    assert_accessible(page)


STICKY = """(selector) => {
  const wrapper = document.querySelector('.table-scroll');
  wrapper.scrollLeft = wrapper.scrollWidth;
  const cell = document.querySelector(selector);
  return {
    overflow: wrapper.scrollWidth - wrapper.clientWidth,
    scrolled: wrapper.scrollLeft,
    offset: cell.getBoundingClientRect().left - wrapper.getBoundingClientRect().left,
    width: cell.getBoundingClientRect().width,
  };
}"""


def test_tracking_grid_keeps_the_criterion_column_wide_and_in_view(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    item = submitted
    portfolio = item.portfolio
    assessor = portfolio.learner.assessor
    for n in range(8):
        evidence.add_assessor_evidence(
            portfolio,
            source="observation",
            title=f"Observation {n + 1} of a complaint call",
            body="Observed.",
            occurred_on=date.today(),
            by=assessor,
        )
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "casey@alpha.test", LEARNER)

    page.goto(f"{live_server}/portfolio/{portfolio.id}/grid")
    assert_accessible(page)
    assert page.locator("table.grid thead th.item-col").count() >= 9
    measured = page.evaluate(STICKY, 'table.grid tbody th[scope="row"]')
    assert measured["width"] >= 18 * 16 - 1, measured  # not squeezed to ~140px
    assert measured["overflow"] > 0 and measured["scrolled"] > 0, measured
    assert abs(measured["offset"]) < 1, measured  # still at the left edge after scrolling


def test_mapping_checkboxes_are_one_size_however_long_the_label(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    item = submitted
    portfolio = item.portfolio
    # A criterion worded at length, as 2.4 of the real unit is: its label fills the row.
    criterion = item.mappings[0].criterion
    criterion.text = " ".join([criterion.text] * 8)
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.goto(f"{live_server}/portfolio/{portfolio.id}/items/{item.id}")
    assert_accessible(page)
    sizes = page.locator('.mapping-row input[type="checkbox"]').evaluate_all(
        "boxes => boxes.map(b => [b.offsetWidth, b.offsetHeight])"
    )
    assert len(sizes) >= 3
    assert {tuple(round(v) for v in size) for size in sizes} == {(22, 22)}, sizes


def test_caseload_keeps_the_learner_column_in_view_at_1366(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/caseload")
    assert_accessible(page)
    measured = page.evaluate(STICKY, 'table.grid tbody th[scope="row"]')
    if measured["overflow"] > 0:
        assert abs(measured["offset"]) < 1, measured
    # The page itself does not scroll sideways: only the grid's wrapper does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def _page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_main_pages_reflow_at_320_pixels_without_sideways_scrolling(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    """WCAG 1.4.10: a phone-width page scrolls one way. Wide grids scroll inside their own box
    (the hidden labels in their cells used to escape it and widen the page); list tables, the
    support facts, the coverage bars and the format guide's examples wrap."""
    portfolio = submitted.portfolio
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    for path in (
        "/dashboard",
        f"/portfolio/{portfolio.id}",
        f"/portfolio/{portfolio.id}/grid",
        "/library/format",
    ):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
        assert _page_width(page) <= 320, path
    page.context.clear_cookies()
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    for path in ("/assess/", "/assess/caseload", f"/portfolio/{portfolio.id}"):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
        assert _page_width(page) <= 320, path
