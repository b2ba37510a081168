"""The PDF is tagged: its headings, lists and tables are marked as such, so a screen reader
(an EQA's, or a learner's checking their own) can move by heading and read a table's cells
with their headers. Before, the PDF was untagged: one undifferentiated run of text."""

from collections import Counter
from io import BytesIO

from pypdf import PdfReader

from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.conftest import pdfinfo


def _structure(data: bytes) -> Counter:
    """How many structure elements of each type the PDF's tag tree holds."""
    root = PdfReader(BytesIO(data)).trailer["/Root"]
    counts: Counter = Counter()
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                counts[str(kid["/S"])] += 1
                stack.append(kid)
    return counts


def test_the_pdf_is_tagged_with_its_headings_and_tables(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    db.session.commit()
    data = render_portfolio_pdf(submission)
    info = pdfinfo(data, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["PDF version"]  # still a PDF a reader opens
    root = PdfReader(BytesIO(data)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    tags = _structure(data)
    assert tags["/H1"] >= 5 and tags["/H2"] >= 1, tags
    assert tags["/Table"] >= 4 and tags["/TH"] >= 10 and tags["/TD"] >= 10, tags
