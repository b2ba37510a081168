"""Wide tables in the PDF fit the page: an analysis's "Monthly cost by category" table (a
column per month, then the change, the trend and any step change) neither overlaps nor runs
off the page."""

import html
import re
import subprocess

from tests.conftest import login
from tests.export.conftest import _need

MARGIN = 17 * 72 / 25.4  # the page's left and right margins (17mm), in points
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def _pages(data: bytes, tmp_path) -> list[tuple[float, list[tuple[float, float, float, str]]]]:
    """Per page: its width, and each word's left, right, top and text (poppler's bounding boxes)."""
    path = tmp_path / "wide.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        [_need("pdftotext"), "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for width, _height, body in PAGE.findall(out):
        words = [
            (float(x0), float(x1), float(y0), html.unescape(text))
            for x0, y0, x1, _y1, text in WORD.findall(body)
        ]
        pages.append((float(width), words))
    return pages


# Five tests read the layout of the same document: the `submitted` portfolio's PDF (the same
# world each time; only its IDs on PostgreSQL and its timestamps differ, and no assertion reads
# them). A render costs 2-5 s, so the first of them in a process downloads it and the others
# read the same bytes.
_submitted_pdfs: list[bytes] = []


def _submitted_pdf(client, world) -> bytes:
    """The learner's download of the `submitted` portfolio's PDF, rendered once a process."""
    if not _submitted_pdfs:
        login(client, world.learner)
        response = client.get(f"/export/submissions/{world.submission.id}.pdf")
        assert response.status_code == 200
        _submitted_pdfs.append(response.get_data())
        response.close()
    return _submitted_pdfs[0]


def test_monthly_table_fits_the_page_without_overlap(client, submitted, tmp_path):
    world = submitted
    data = _submitted_pdf(client, world)

    pages = [
        (width, words)
        for width, words in _pages(data, tmp_path)
        if "Monthly cost by category" in " ".join(w[3] for w in words)
    ]
    assert pages, "no page has the monthly table"
    for width, words in pages:
        text = " ".join(w[3] for w in words)
        # Every column's heading is on the page, and a category's name stands apart from figures.
        for heading in ("Category", "First to last month", "Trend (least squares)", "Step change"):
            assert heading in text
        assert "Faulty after installation" in text
        assert not re.search(r"[A-Za-z]£", text), text
        # Nothing runs into the right margin or off the page.
        off = [w for w in words if w[1] > width - MARGIN + 1]
        assert not off, f"past the right margin of a {width}pt page: {off}"
        # No two words on one line overlap.
        for i, (x0, x1, y, text_a) in enumerate(words):
            for a0, a1, b, text_b in words[i + 1 :]:
                if abs(y - b) < 2 and x0 < a1 - 0.5 and a0 < x1 - 0.5:
                    raise AssertionError(f"{text_a!r} overlaps {text_b!r}")


def test_the_trend_chart_goes_onto_the_landscape_page_with_its_table(client, submitted, tmp_path):
    """The monthly table's landscape page carries its chart too: left behind, the chart stood
    alone on a half-empty portrait page between the Pareto figures and the table."""
    world = submitted
    data = _submitted_pdf(client, world)

    texts = [(width, " ".join(w[3] for w in words)) for width, words in _pages(data, tmp_path)]
    trend = [i for i, (_w, text) in enumerate(texts) if "Line chart of monthly" in text]
    table = [i for i, (_w, text) in enumerate(texts) if "Monthly cost by category" in text]
    # Each chart is printed once (the item's charts were drawn a second time after the figures).
    assert len(trend) == 1, trend
    assert trend == table[:1]
    width, _text = texts[trend[0]]
    assert width > 800, "the monthly table and its chart are on a landscape page"
    # The Pareto table ends with its total, as on the analysis page.
    assert any("Total" in text and "£85,995.97" in text for _w, text in texts)


def test_a_recommendations_labels_stay_level_with_their_values(client, submitted, tmp_path):
    """Each label of a recommendation sits on the line of its own value: with floated labels,
    'Expected benefit' wrapped and every later label drifted a line below its value, so
    'Target' stood beside the measure's text."""
    world = submitted
    data = _submitted_pdf(client, world)

    page = next(
        words
        for _width, words in _pages(data, tmp_path)
        if "Recommendation 1:" in " ".join(w[3] for w in words)
    )

    def top(text: str) -> float:
        return next(y for _x0, _x1, y, word in page if word == text)

    for label, value in (
        ("Expected", "Fewer"),
        ("Measure", "Complaints"),
        ("Target", "Halve"),
        ("By", "End"),
        ("Root", "Removes"),
    ):
        assert abs(top(label) - top(value)) < 2, f"{label!r} is not level with {value!r}"


def test_the_sign_offs_times_do_not_run_into_the_notes(client, submitted, tmp_path):
    """A sign-off's '24 Nov 2026, 02:56 UTC' is wider than a 30mm column: it printed over the
    note beside it ('UTSigned electronically')."""
    world = submitted
    data = _submitted_pdf(client, world)

    page = next(
        words
        for _width, words in _pages(data, tmp_path)
        if "Signed electronically" in " ".join(w[3] for w in words)
    )
    for i, (x0, x1, y, text_a) in enumerate(page):
        for a0, a1, b, text_b in page[i + 1 :]:
            if abs(y - b) < 2 and x0 < a1 - 0.5 and a0 < x1 - 0.5:
                raise AssertionError(f"{text_a!r} overlaps {text_b!r}")


def test_a_split_figures_table_prints_its_total_once_at_the_end(client, world, pdf_cache):
    """The insurance scenario's count Pareto table runs onto a second page; its total row
    printed at the foot of both pages, so 'Total' stood above the last category."""
    from portfolio.extensions import db
    from tests.export import builders

    world.submission = builders.build_submission(
        world.learner, slugs=("insurance-claim-delay",), analyses=2, uploads=0
    )
    db.session.commit()
    login(client, world.learner)
    response = client.get(f"/export/submissions/{world.submission.id}.pdf")
    data = response.get_data()
    response.close()

    path = pdf_cache.parent / "split.pdf"
    path.write_bytes(data)
    lines = subprocess.run(
        [_need("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    rows = [line.split()[:2] for line in lines.splitlines() if line.split()[:1] == ["Total"]]
    assert rows == [["Total", "1,127"], ["Total", "1,127"]], "one total for each Pareto table"
    # The count table (the second analysis) ends with its smallest category, then the total.
    table = lines[lines.index("Category figures by complaints") :]
    assert table.index("Renewal price") < table.index("Total")


def test_each_outcomes_grid_stays_under_its_caption(client, submitted, tmp_path):
    """The tracking grid's table for learning outcome 3 split across pages: 3.2 and 3.3 stood
    on the next page under a bare header row, with no outcome named."""
    world = submitted
    data = _submitted_pdf(client, world)

    pages = [" ".join(w[3] for w in words) for _width, words in _pages(data, tmp_path)]
    grid = [text for text in pages if "Tracking grid" in text and "Criterion" in text]
    for outcome, refs in (("1", "1.1 1.4"), ("2", "2.1 2.5"), ("3", "3.1 3.3"), ("4", "4.1 4.5")):
        first, last = refs.split()
        holding = [text for text in grid if f"Learning outcome {outcome}:" in text]
        assert len(holding) == 1, f"outcome {outcome}'s caption is on one page"
        assert f" {first} " in holding[0] and f" {last} " in holding[0], outcome
