"""Links to other sites written reference-style ([the site][1] with '[1]: http://...' below)
passed the upload's check and rendered as live links in the learner's case file, though inline
links to other sites are refused."""

import pytest

from portfolio.library.markdown import render_markdown
from portfolio.scenarios.parsing import check_markdown


@pytest.mark.parametrize(
    "definition",
    [
        "[1]: http://evil.test/a",
        '  [ref]: <https://evil.test/a> "Title"',
        "[Ref Two]: //evil.test/a",
        "[m]: mailto:someone@evil.test",
    ],
)
def test_a_reference_link_to_another_site_is_refused_at_its_line(definition):
    text = f"# Notes\n\nSee [the site][1].\n\n{definition}\n"
    problems = check_markdown(text)
    assert [(p.line, p.message) for p in problems] == [(5, "links to other sites are not allowed")]


def test_a_reference_image_is_refused_like_an_inline_one():
    problems = check_markdown("A photo: ![the meter][m]\n\n[m]: meter.png\n")
    assert [(p.line, p.message) for p in problems] == [
        (1, "images are not allowed; describe the picture")
    ]


def test_the_renderer_made_a_live_link_of_it():
    """Why the check matters: Markdown turns the definition into a link to the other site."""
    html = render_markdown("See [the site][1].\n\n[1]: http://evil.test/a\n")
    assert 'href="http://evil.test/a"' in html


def test_square_brackets_in_plain_text_are_fine():
    text = "Note [redacted]: the account was closed.\nThe form [section 3] says so.\n"
    assert check_markdown(text) == []
