"""How the learner's letter reads on a page: Markdown as the hint promises, with each line kept.

A letter is written line by line: an address, "Yours sincerely," above a name. Markdown joins a
single line break into one paragraph, so a letter's sign-off read "Yours sincerely, Casey Jones"
on the preview, the letter as sent, the marking bench and the PDF. Each single line break is made
a hard break (two trailing spaces, which Markdown drops at the end of a block, so a list or a
heading is unchanged).
"""

import re

from markupsafe import Markup

from portfolio.library.markdown import render_markdown

# A line break that is not part of a blank line (a paragraph break stays as it is).
_SINGLE_BREAK = re.compile(r"(?<!\n)[ \t]*\n(?!\s*\n)")


def letter_html(text: str | None, demote: int = 2) -> Markup:
    """The letter as sanitised HTML, each of the learner's line breaks kept."""
    plain = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return render_markdown(_SINGLE_BREAK.sub("  \n", plain), demote)
