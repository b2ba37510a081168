"""Long unbroken text in the PDF stays on the page: an uploaded file's name (spaces become
underscores on upload, so a descriptive name is one long word), a pasted URL in a title,
description or justification. Before, each ran past the right margin, and a file name printed
over the Type, Size and SHA-256 columns beside it."""

from datetime import date

from portfolio.evidence import services as evidence
from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from tests.export import builders
from tests.export.test_pdf_wide_tables import MARGIN, _pages

FILE_NAME = "Complaint handling screenshot from our CRM, redacted, January 2026 (final).png"
URL = "https://intranet.example.com/complaints/policies/" + "referred-complaint-handling-" * 4
WORD = "Antidisestablishmentarianism" * 6


def _long_words_pdf(world) -> bytes:
    builders.import_bundled((builders.RETAIL,))
    unit = db.session.scalar(db.select(Unit))
    portfolio = evidence.portfolio_for(world.learner, unit)
    item = evidence.upload_evidence(
        portfolio,
        data=builders.png_bytes(),
        filename=FILE_NAME,
        title=f"Our policy page {WORD}",
        description=f"Printed from {URL}",
        occurred_on=date(2026, 1, 5),
        by=world.learner,
    )
    first = db.session.scalar(db.select(Criterion).order_by(Criterion.id))
    evidence.set_mapping(item, first, justification=f"See {URL} and {WORD}")
    submission = evidence.submit(
        portfolio,
        declared_name=world.learner.full_name,
        declared_on=date.today(),
        by=world.learner,
    )
    db.session.commit()
    return render_portfolio_pdf(submission)


def test_long_file_names_urls_and_words_stay_on_the_page(app, world, pdf_cache, tmp_path):
    data = _long_words_pdf(world)
    pages = _pages(data, tmp_path)
    stored = "Complaint_handling_screenshot_from_our_CRM_redacted_January_2026_final.png"
    text = "".join(w[3] for _width, words in pages for w in words)
    assert stored in text  # the whole name is printed, wrapped, not cut short
    for n, (width, words) in enumerate(pages, start=1):
        off = [w for w in words if w[1] > width - MARGIN + 1]
        assert not off, f"page {n}: past the right margin of a {width}pt page: {off}"
        # No two words on one line overlap (the files table's name over its type and hash).
        for i, (x0, x1, y, text_a) in enumerate(words):
            for a0, a1, b, text_b in words[i + 1 :]:
                if abs(y - b) < 2 and x0 < a1 - 0.5 and a0 < x1 - 0.5:
                    raise AssertionError(f"page {n}: {text_a!r} overlaps {text_b!r}")
