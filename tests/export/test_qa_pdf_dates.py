"""An item's date stays on one line: the Fibrelink case's items read 'Dated 24' at the end of
one line and 'Nov 2026.' at the start of the next."""

import re

from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.test_qa_pdf_log_rows import _pages


def test_an_items_date_is_not_split_across_lines(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(
        world.learner, slugs=("telecoms-billing",), analyses=0, uploads=0
    )
    db.session.commit()
    text = "\n".join(_pages(render_portfolio_pdf(submission), tmp_path))
    assert "Dated " in text
    split = [
        line for line in text.splitlines() if re.search(r"Dated( \d{1,2})?( \w{3})?\s*$", line)
    ]
    assert not split, split
