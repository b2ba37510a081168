"""The marking bench keeps the assessor's work: drafts save as they mark, so leaving the page by
a link (the case log, a record, the header) loses nothing."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.extensions import db
from portfolio.review.models import Assessment
from tests.browser.conftest import assert_accessible
from tests.browser.test_assessor_journey import ASSESSOR, sign_in
from tests.browser.test_assessor_journey import submitted as submitted  # noqa: F401 (fixture)
from tests.browser.test_qa_staff_layout import marked as marked  # noqa: F401 (fixture)
from tests.library.conftest import bundle as bundle  # noqa: F401 (fixture)


def test_feedback_typed_on_the_bench_survives_leaving_by_a_link(
    page: Page,
    live_server: str,
    marked,  # noqa: F811
):
    """Feedback typed on the bench went with any link out of it: there was no draft saving
    and no warning."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    assert_accessible(page)
    page.get_by_label("Overall feedback").fill("Half way through: the investigation is sound.")
    expect(page.locator(".autosave-status")).to_contain_text(re.compile(r"Draft saved at"))
    page.get_by_role("link", name=re.compile("^Open the case log")).click()
    assert_accessible(page)
    page.go_back()
    page.reload()
    assert_accessible(page)
    expect(page.get_by_label("Overall feedback")).to_have_value(
        "Half way through: the investigation is sound."
    )
    db.session.expire_all()
    assessment = db.session.scalar(sa.select(Assessment))
    assert assessment.overall_feedback == "Half way through: the investigation is sound."
