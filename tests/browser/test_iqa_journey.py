"""The IQA's part of the loop in a real browser. A learner's work has been submitted, marked
and signed off (through the assessor's services). The IQA makes a sampling plan, generates
the sample, opens the sampled assessment read-only beside the evidence, disagrees on one
criterion with feedback and an action, and completes the review; the assessor sees the
notification and responds. Every page passes axe, with CSRF on as in production."""

import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework import services as casework
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.framework.queries import criteria_of
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.review import log
from portfolio.review import services as review
from portfolio.review.models import (
    CriterionDecision,
    Decision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
)
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.library.conftest import bundle  # noqa: F401  (fixture)

ASSESSOR = "Sam Patel"
IQA = "Ines Quayle"
LEARNER = "Casey Jones"
FEEDBACK = "The findings never test the billing lead's account against the provisioning log."
ACTION = "Re-read the investigation against criterion 1.2 and record a correction if needed."
RESPONSE = "Agreed. I have re-read it and will record a correction on 1.2 this week."


@pytest.fixture
def signed_off(app, make_centre, make_user, bundle):  # noqa: F811
    """Casey's worked case submitted and signed off by Sam; Ines is Casey's IQA."""
    centre = make_centre("Alpha Centre")
    assessor = make_user(Role.ASSESSOR, centre, email="sam@alpha.test", full_name=ASSESSOR)
    iqa = make_user(Role.IQA, centre, email="ines@alpha.test", full_name=IQA)
    learner = make_user(
        Role.LEARNER,
        centre,
        email="casey@alpha.test",
        full_name=LEARNER,
        assessor=assessor,
        iqa=iqa,
    )
    load_bundled(bundle)
    case = casework.start_case(learner, db.session.scalar(sa.select(LibraryScenario)))
    casework.request_document(case, "crm-history")
    casework.pin_finding(case, text="The bill was wrong", document_id="crm-history")
    casework.save_record(
        case,
        "root_cause",
        {"method": "five_whys", "symptom": "Wrong bill", "root_cause": "Expired code"},
        expected_version=None,
    )
    evidence.sync_case_items(case)
    item = db.session.scalar(sa.select(EvidenceItem).where(EvidenceItem.source == "investigation"))
    evidence.set_mapping(
        item, item.mappings[0].criterion, justification="My findings gather the history."
    )
    submission = evidence.submit(
        item.portfolio, declared_name=LEARNER, declared_on=date.today(), by=learner
    )
    assessment = review.open_assessment(submission, by=assessor)
    review.save_decisions(
        assessment,
        {c.id: (Decision.COMPETENT, "") for c in criteria_of(item.portfolio.unit_id)},
        overall_feedback="A thorough investigation.",
        expected_version=assessment.version,
        by=assessor,
    )
    review.sign_off(assessment, by=assessor, signed_name=ASSESSOR, password=PASSWORD)
    db.session.commit()  # the live server reads the database from another thread
    return assessment


def sign_in(page: Page, base: str, email: str, name: str) -> None:
    page.goto(f"{base}/auth/login")
    assert_accessible(page)
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    assert_accessible(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    assert_accessible(page)


def decisions(assessment_id: int) -> list[tuple]:
    db.session.expire_all()
    return [
        (d.criterion_id, d.decision, d.feedback, d.updated_at)
        for d in db.session.scalars(
            sa.select(CriterionDecision)
            .where(CriterionDecision.assessment_id == assessment_id)
            .order_by(CriterionDecision.id)
        )
    ]


def test_iqa_samples_disagrees_and_the_assessor_responds(page: Page, live_server: str, signed_off):
    assessment_id = signed_off.id
    before = decisions(assessment_id)

    # The IQA makes a plan.
    sign_in(page, live_server, "ines@alpha.test", IQA)
    expect(page.get_by_text("0 sampled assessments awaiting your review")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Standardisation")).to_be_visible()
    nav.get_by_role("link", name="Sampling").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sampling plans")
    assert_accessible(page)
    page.get_by_label("Plan name").fill("Spring interim sample")
    page.get_by_label("Share of each assessor's assessments to sample (%)").fill("0")
    page.get_by_role("button", name="Create plan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a whole number from 1 to 100.")
    expect(summary).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Share of each assessor's assessments to sample (%)").fill("50")
    page.get_by_label(re.compile("^Interim")).check()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring interim sample")
    expect(page.get_by_text("Nothing sampled yet.")).to_be_visible()
    assert_accessible(page)

    # ... generates the sample ...
    page.get_by_role("button", name="Generate the sample").click()
    expect(page.locator(".flashes")).to_contain_text("Added 1 assessment to the sample.")
    sample_link = page.get_by_role("link", name=f"{LEARNER}, version 1")
    expect(sample_link).to_be_visible()
    expect(page.get_by_role("cell", name=f"50% of {ASSESSOR}'s assessments")).to_be_visible()
    assert_accessible(page)

    # ... opens the sampled assessment, read-only beside the evidence ...
    sample_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Sampled assessment: {LEARNER}, version 1"
    )
    expect(page.get_by_role("heading", name="The evidence as submitted")).to_be_visible()
    expect(
        page.get_by_text("Read-only: the assessor's decisions cannot be changed")
    ).to_be_visible()
    expect(page.locator('[name^="decision"]')).to_have_count(0)
    assert_accessible(page)
    investigation = page.locator(
        "section.panel", has=page.get_by_role("heading", level=3, name="Investigation")
    )
    investigation.locator("summary").click()
    expect(investigation.get_by_text("The bill was wrong")).to_be_visible()

    # ... agrees on 1.1 and 2.1, disagrees on 1.2 with feedback ...
    page.get_by_role("group", name="Your verdict on 1.1").get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="Your verdict on 1.2").get_by_label("Disagree").check()
    page.get_by_label("Your feedback on 1.2").fill(FEEDBACK)
    page.get_by_role("group", name="Your verdict on 2.1").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save verdicts").click()
    expect(page.locator(".flashes")).to_contain_text("Your verdicts are saved.")
    expect(
        page.get_by_role("group", name="Your verdict on 1.2").get_by_label("Disagree")
    ).to_be_checked()
    assert_accessible(page)

    # ... completing without an action for the assessor is refused, nothing lost ...
    page.get_by_role("button", name="Complete the review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("set out the actions the assessor should take")
    expect(page.get_by_label("Your feedback on 1.2")).to_have_value(FEEDBACK)
    assert_accessible(page)

    # ... and completes with the action.
    page.get_by_label("Actions for the assessor").fill(ACTION)
    page.get_by_role("button", name="Complete the review").click()
    expect(page.get_by_role("heading", name="Review complete")).to_be_visible()
    expect(page.get_by_text("Not yet responded.")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # The assessor sees the notification and responds.
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    expect(page.get_by_role("heading", name="IQA reviews awaiting your response")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    notice = page.locator("li.notification", has_text=f"{IQA} (IQA) has reviewed your assessment")
    expect(notice).to_contain_text("disagrees on 1 criterion")
    assert_accessible(page)
    notice.get_by_role("button", name=re.compile("^Open")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"IQA review: {LEARNER}, version 1")
    expect(page.get_by_role("row", name=re.compile(r"^1\.2 Competent Disagree"))).to_contain_text(
        FEEDBACK
    )
    expect(page.get_by_text(ACTION)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Your response").fill(RESPONSE)
    page.get_by_role("button", name="Send response").click()
    expect(page.locator(".flashes")).to_contain_text("Your response is recorded")
    expect(page.get_by_text(RESPONSE)).to_be_visible()
    assert_accessible(page)

    # The verdict and the response are on the decision log; the decisions never changed.
    db.session.expire_all()
    review_row = db.session.scalar(sa.select(IqaReview))
    assert review_row.status == IqaReviewStatus.RESPONDED
    kinds = db.session.scalars(sa.select(DecisionLogEntry.kind).order_by(DecisionLogEntry.seq))
    assert list(kinds)[-2:] == ["iqa_verdict", "assessor_response"]
    assert log.verify().ok
    assert decisions(assessment_id) == before
