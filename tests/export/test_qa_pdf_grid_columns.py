"""The tracking grid's item columns keep two-digit numbers apart: with ten or more items its
header read 'E9 E10E11E12 Status', E10, E11 and E12 printed edge to edge in 6mm columns."""

import re

from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.test_pdf_wide_tables import _pages


def test_two_digit_item_columns_stand_apart(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, uploads=5)
    db.session.commit()
    assert len(submission.snapshot["items"]) == 12  # the most the grid draws as a matrix
    grid_words = [
        w
        for _width, words in _pages(render_portfolio_pdf(submission), tmp_path)
        if "Tracking grid" in " ".join(w[3] for w in words)
        for w in words
    ]
    run_together = [w[3] for w in grid_words if re.fullmatch(r"(E\d+){2,}", w[3])]
    assert not run_together, run_together
    # Each header stands apart from the next by at least a millimetre (about 3pt).
    header = sorted(
        (x0, x1) for x0, x1, _y, text in grid_words if re.fullmatch(r"E\d+", text) and x0 > 150
    )
    assert len(header) >= 12, header
    pairs = zip(header, header[1:], strict=False)
    gaps = [b0 - a1 for (_a0, a1), (b0, _b1) in pairs if b0 > a1 - 1]
    assert min(gaps) >= 2.5, gaps
