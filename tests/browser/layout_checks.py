"""Layout checks the browser tests share: whether a page scrolls sideways at desktop and phone
widths, and whether words that should stay whole are broken across lines."""

from playwright.sync_api import Page

WIDTHS = (1280, 390)

# How far the page overflows the viewport, which elements stick out past its right edge (to name
# the culprit when the assertion fails), and which words under `selector` are split across lines.
OVERFLOW = r"""(selector) => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1
      && !(el.parentElement && el.parentElement.closest('.table-scroll'))
      && !el.closest('.visually-hidden'))
    .slice(-4)
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
  // a word laid out on two lines has two boxes (a run longer than a column's 20rem may break)
  const split = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (text.parentElement.closest('.visually-hidden')) continue;
      for (const word of text.data.matchAll(/[^\s\/-]+/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        if (word[0].length <= 20 && range.getClientRects().length > 1) split.push(word[0]);
      }
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide, split};
}"""
# Short labels in table cells ("Met", "Not yet possible") may wrap between words, never inside.
LABELS = "td .tag, td .status"


def sideways(page: Page, path: str, whole: str = LABELS, phone: str = "") -> list:
    """The widths at which the page is wider than the viewport (with what sticks out) or a word
    under the `whole` selector (or, at phone width, the `phone` one) is broken across lines."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        selector = ", ".join(filter(None, [whole, phone if width < 640 else ""]))
        measured = page.evaluate(OVERFLOW, selector)
        if measured["scroll"] > measured["width"] or measured["split"]:
            found.append((path, measured))
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    return found
