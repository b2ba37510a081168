"""Markdown to safe HTML for scenario documents and learner text: HTML in the source is not
interpreted, and the output is cleaned again with nh3 so nothing executable survives."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
}
_ATTRIBUTES = {"a": {"href"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None, demote: int = 2) -> Markup:
    """Render Markdown to sanitised HTML. Headings move down `demote` levels so a document's
    "# Title" sits under the page's own headings; links keep only http(s) and mailto."""
    tokens = _md.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + demote, 6)
            token.tag = f"h{level}"
    html = _md.renderer.render(tokens, _md.options, {})
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
