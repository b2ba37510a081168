"""An item's 'Mapped to' table lists its criteria in the unit's order: it listed them in the
order the learner happened to map them (3.1, then 1.1, 1.2 ... 2.5, then 3.2), so an EQA
reading down the table met the outcomes out of order, unlike the grid and the decisions."""

from datetime import date

from portfolio.evidence import services as evidence
from portfolio.export.context import portfolio_context
from portfolio.export.pdf import render_portfolio_pdf
from portfolio.extensions import db
from portfolio.framework.models import Criterion, Unit
from tests.export import builders
from tests.export.conftest import pdftotext


def test_an_items_mappings_follow_the_units_order(app, world, pdf_cache, tmp_path):
    builders.import_bundled((builders.RETAIL,))
    unit = db.session.scalar(db.select(Unit))
    criteria = {c.ref: c for c in db.session.scalars(db.select(Criterion))}
    portfolio = evidence.portfolio_for(world.learner, unit)
    item = evidence.upload_evidence(
        portfolio,
        data=builders.png_bytes(),
        filename="screen.png",
        title="CRM screen",
        description="",
        occurred_on=date(2026, 1, 5),
        by=world.learner,
    )
    for ref in ("3.1", "1.2", "2.1", "1.1"):
        evidence.set_mapping(item, criteria[ref], justification=f"Shows {ref} MARK{ref}.")
    submission = evidence.submit(
        portfolio, declared_name=world.learner.full_name, declared_on=date.today(), by=world.learner
    )
    db.session.commit()
    [printed] = portfolio_context(submission)["items"]
    assert [m["ref"] for m in printed["mappings"]] == ["1.1", "1.2", "2.1", "3.1"]
    text = pdftotext(render_portfolio_pdf(submission), tmp_path)
    marks = [text.index(f"MARK{ref}") for ref in ("1.1", "1.2", "2.1", "3.1")]
    assert marks == sorted(marks)
