"""Staff pages at phone width: tables keep their words whole and scroll in their own region
rather than squeezing a column until its heading breaks mid-word."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.accounts.models import User
from portfolio.evidence.models import Submission
from portfolio.extensions import db
from portfolio.review import iqa, services
from portfolio.review.models import Assessment
from portfolio.review.queries import unit_criteria
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.browser.test_assessor_journey import ASSESSOR, sign_in
from tests.browser.test_assessor_journey import submitted as submitted  # noqa: F401 (fixture)
from tests.browser.test_iqa_journey import IQA
from tests.browser.test_iqa_journey import sign_in as iqa_sign_in
from tests.browser.test_iqa_journey import signed_off as signed_off  # noqa: F401 (fixture)
from tests.library.conftest import bundle as bundle  # noqa: F401 (fixture)


@pytest.fixture
def marked(submitted):  # noqa: F811
    """Version 1 opened by its assessor, 1.1 decided with feedback holding a long address."""
    assessor = db.session.scalar(sa.select(User).where(User.email == "sam@alpha.test"))
    submission = db.session.scalar(sa.select(Submission))
    assessment = services.open_assessment(submission, by=assessor)
    first = unit_criteria(submission.portfolio)[0]
    services.save_decisions(
        assessment,
        {first.id: ("competent", "See https://example.org/guidance/referred-complaints/gather")},
        overall_feedback="Sound so far.",
        expected_version=assessment.version,
        by=assessor,
    )
    db.session.commit()
    return submission


def test_the_sign_off_table_keeps_its_words_whole_on_a_phone(page: Page, live_server: str, marked):
    """At 390px the sign-off page's decisions table squeezed its Feedback column until the
    heading read 'Feedba' over 'ck' and each criterion broke mid-word."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}/sign-off")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Sign off:"))
    assert_accessible(page)
    cells = "table.data th, table.data td"
    assert not sideways(page, "sign-off", whole=cells)
    # a wide feedback column scrolls in the table's own region (reachable by keyboard)
    table = page.get_by_role("region", name="The decisions you are signing")
    expect(table).to_contain_text("Feedback")


def test_the_benchs_marking_point_checks_keep_their_words_whole_on_a_phone(
    page: Page, live_server: str, marked
):
    """At 390px the checks table squeezed its Check column to a few letters: 'Chec k',
    'Resu lt', 'docu ment s read befo re the root caus e'."""
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{marked.id}")
    expect(page.get_by_role("heading", name="Marking-point checks")).to_be_visible()
    assert_accessible(page)
    checks = "section.guide table thead th, section.guide table tbody th"
    assert not sideways(page, "bench checks", whole=checks)
    expect(page.get_by_role("region", name="Marking-point checks")).to_contain_text("Result")


LINK = (
    "https://example.org/sites/assessment/SharedDocuments/HandlingReferredComplaints_Guidance.pdf"
)


@pytest.fixture
def returned_with_a_link(marked):
    """`marked` returned for resubmission, its 1.1 feedback ending in a long web address."""
    assessment = db.session.scalar(sa.select(Assessment))
    first = unit_criteria(marked.portfolio)[0]
    services.save_decisions(
        assessment,
        {first.id: ("competent", f"Well gathered. See {LINK}")},
        overall_feedback="Sound so far.",
        expected_version=assessment.version,
        by=assessment.assessor,
    )
    services.return_for_resubmission(assessment, by=assessment.assessor)
    db.session.commit()
    return assessment


def test_the_bench_and_feedback_fit_a_phone_beside_a_long_web_address(
    page: Page, live_server: str, returned_with_a_link
):
    """At 390px a web address in a criterion's feedback widened the one-column bench (and the
    learner's feedback page) to over 600px: the page scrolled sideways, and on a bench being
    marked the overall feedback box and 'Save and return for resubmission' ran off screen."""
    assessment = returned_with_a_link
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{assessment.submission_id}")
    expect(page.get_by_text(LINK)).to_be_visible()
    assert_accessible(page)
    assert not sideways(page, "bench")
    page.goto(f"{live_server}/assess/feedback/{assessment.id}")
    expect(page.get_by_text(LINK)).to_be_visible()
    assert_accessible(page)
    assert not sideways(page, "feedback")


def test_the_decision_log_keeps_each_hash_whole(page: Page, live_server: str, signed_off):  # noqa: F811
    """On the IQA's sample page at 1280px the decision log's Hash column broke each entry's
    12-character hash mid-way ('5bf63c7afa0' over 'd'), so it could not be read or compared."""
    ines = db.session.scalar(sa.select(User).where(User.email == "ines@alpha.test"))
    plan = iqa.create_plan(ines.centre, iqa=ines, name="Spring", stage="summative", share_pct=100)
    [sample] = iqa.generate_sample(plan)
    review = iqa.start_review(sample, by=ines)
    criteria = unit_criteria(sample.assessment.submission.portfolio)
    iqa.save_verdicts(
        review,
        {c.id: (True, "") for c in criteria},
        overall_feedback="Sound.",
        actions="",
        expected_version=review.version,
    )
    iqa.complete_review(review, by=ines)
    # a response of a few sentences, as assessors write them, gives the Detail column its width
    iqa.respond(
        review,
        by=sample.assessment.assessor,
        response="Thank you. I have re-read the investigation against each criterion and "
        "agree that the evidence holds; I will keep the same approach for the spring cohort "
        "and share the ombudsman guidance with the other assessors at standardisation.",
    )
    db.session.commit()
    iqa_sign_in(page, live_server, "ines@alpha.test", IQA)
    page.goto(f"{live_server}/iqa/samples/{sample.id}")
    expect(page.get_by_role("heading", name="Decision log for this portfolio")).to_be_visible()
    assert_accessible(page)
    cells = "section[aria-labelledby=log-title] td"
    assert not sideways(page, "IQA sample's decision log", whole=cells)
