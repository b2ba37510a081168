"""Focus stays visible in a forced-colours mode such as Windows High Contrast (WCAG 2.4.7).
A focused link showed itself only by a yellow background and a box shadow, with its outline
removed: forced colours drop both, so a high-contrast user tabbing through the header, the case
sections or any link on a page saw no focus at all. Buttons and fields keep their outline, and
show it. Focused links now carry a transparent outline, which forced colours paint in the
system colour."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import (
    LEARNER,
    sign_in,
    submitted,  # noqa: F401  (fixture)
)
from tests.library.conftest import bundle  # noqa: F401  (fixture)

OUTLINE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


def test_every_focused_control_keeps_an_outline_in_forced_colours(
    page: Page,
    live_server: str,
    submitted,  # noqa: F811
):
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    page.emulate_media(forced_colors="active")
    page.goto(f"{live_server}/cases/{submitted.case_id}/file")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case file")
    assert_accessible(page)
    unseen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last control
        if not page.evaluate(OUTLINE):
            unseen.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert not unseen, f"focused with nothing to show it in forced colours: {unseen}"
