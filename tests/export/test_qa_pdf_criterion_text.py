"""A criterion's text ends with the line break its YAML file leaves, and WeasyPrint breaks a
line early before trailing white space: in the PDF's decisions table 2.2 read 'the agreed
timescales, / keeping / the promises made to the customer.', one word alone on its line."""

from portfolio.export.context import portfolio_context
from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from tests.export import builders
from tests.export.conftest import pdftotext


def test_criterion_texts_print_without_a_stray_line_break(app, world, pdf_cache, tmp_path):
    submission = builders.build_submission(world.learner, analyses=0, uploads=0)
    builders.sign_off(submission, world.assessor)
    db.session.commit()

    context = portfolio_context(submission)
    texts = list(context["criteria"].values())
    texts += [m["text"] for item in context["items"] for m in item["mappings"]]
    texts += [row["text"] for outcome in context["grid"]["outcomes"] for row in outcome["rows"]]
    assert texts and all(t == t.strip() for t in texts), [t for t in texts if t != t.strip()]

    lines = [
        line.strip() for line in pdftotext(render_portfolio_pdf(submission), tmp_path).splitlines()
    ]
    assert "keeping" not in lines, "a criterion's word stands alone on its line"
