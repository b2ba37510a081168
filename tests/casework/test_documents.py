"""Case-file documents keep their lines: header fields ("**Account:** ...") and numbered policy
clauses ("3.2 ...") that sit on lines of their own in the source stay on lines of their own when
rendered, rather than running together into one paragraph."""

import re

import pytest

from portfolio.library.markdown import render_markdown
from tests.casework.builders import BUNDLE_DIR, bundled, bundled_slugs

FIELD = re.compile(r"^\*\*([^*\n]+:)\*\*")
CLAUSE = re.compile(r"^(\d+\.\d+) [A-Z*]")


def own_lines(source: str) -> list[str]:
    """The starts (as rendered) of field and clause lines that follow another line of text."""
    starts, previous, fence = [], "", False
    for line in source.split("\n"):
        if line.startswith("```"):
            fence = not fence
        if not fence and previous.strip() and not previous.startswith(("|", "#", "```")):
            if field := FIELD.match(line):
                starts.append(f"<strong>{field.group(1)}</strong>")
            elif clause := CLAUSE.match(line):
                starts.append(clause.group(1) + " ")
        previous = "" if fence else line
    return starts


@pytest.mark.parametrize("slug", bundled_slugs())
def test_document_header_and_clause_lines_stay_on_their_own_lines(slug):
    spec = bundled()[slug]
    checked = 0
    for document in spec.documents:
        source = (BUNDLE_DIR / slug / document.file).read_text(encoding="utf-8")
        html = str(render_markdown(source))
        for start in own_lines(source):
            checked += 1
            assert f"<br>\n{start}" in html, f"{document.file}: {start} runs on"
    assert checked or slug == "insurance-claim-delay"


def test_billing_statement_header_lines_are_separate():
    source = (BUNDLE_DIR / "telecoms-billing" / "documents" / "billing-statements.md").read_text()
    html = str(render_markdown(source))
    assert "<br>\n<strong>Payment method:</strong>" in html
    assert "<br>\n<strong>Extract:</strong>" in html
