"""Layout and focus styles measured in a real browser: focused header links are readable."""

from playwright.sync_api import Page

from portfolio.extensions import db
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import sign_in


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
