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
    Assessment,
    CriterionDecision,
    Decision,
    DecisionLogEntry,
    IqaReview,
    IqaReviewStatus,
)
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
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
    for criterion in criteria_of(item.portfolio.unit_id):  # each Competent needs evidence
        evidence.set_mapping(
            item, criterion, justification=f"My findings gather the history ({criterion.ref})."
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
    expect(page.get_by_text("No sampled assessment is awaiting your review.")).to_be_visible()
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
    # the dashboard lists it in a table like the app's others: five columns scroll in their
    # own box on a phone rather than running off the page unstyled
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    samples = page.get_by_role("region", name="Samples awaiting your review")
    expect(samples.locator("table.data")).to_contain_text("Not started")
    assert_accessible(page)
    assert not sideways(page, "IQA dashboard")
    page.go_back()

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
    sign_out(page)

    # The IQA is told which review was answered, and opening the notice reads it.
    sign_in(page, live_server, "ines@alpha.test", IQA)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=re.compile("^Notifications 1")).click()
    notice = page.locator("li.notification", has_text=f"{ASSESSOR} has responded")
    expect(notice).to_contain_text(f"their assessment of {LEARNER}'s version 1.")
    notice.get_by_role("button", name=re.compile("^Open")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Sampled assessment: {LEARNER}, version 1"
    )
    expect(page.get_by_text(RESPONSE, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert_accessible(page)

    # The verdict and the response are on the decision log; the decisions never changed.
    db.session.expire_all()
    review_row = db.session.scalar(sa.select(IqaReview))
    assert review_row.status == IqaReviewStatus.RESPONDED
    kinds = db.session.scalars(sa.select(DecisionLogEntry.kind).order_by(DecisionLogEntry.seq))
    assert list(kinds)[-2:] == ["iqa_verdict", "assessor_response"]
    assert log.verify().ok
    assert decisions(assessment_id) == before


def test_iqa_standardises_and_reads_the_agreement(
    page: Page, live_server: str, signed_off, make_user
):
    """The IQA asks a colleague to mark the signed-off submission; the colleague marks it on
    their bench (through the services here) and differs on 1.2; the IQA reads the report."""
    colleague = make_user(
        Role.ASSESSOR, signed_off.assessor.centre, email="cara@alpha.test", full_name="Cara Reid"
    )
    db.session.commit()
    submission_id = signed_off.submission_id

    sign_in(page, live_server, "ines@alpha.test", IQA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Standardisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Standardisation")
    expect(page.get_by_text("No standardisation yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Start standardisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start standardisation")
    assert_accessible(page)
    page.get_by_label("Submission to standardise on").select_option(label=f"{LEARNER}: version 1")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ask them to mark it").click()  # nobody chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one assessor")
    assert_accessible(page)
    page.get_by_label("Cara Reid").check()
    page.get_by_role("button", name="Ask them to mark it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Standardisation: {LEARNER}, version 1"
    )
    expect(page.get_by_text("Still marking: Cara Reid")).to_be_visible()
    assert_accessible(page)

    # Cara marks on her bench (the assessor side's services) and differs on 1.2.
    db.session.expire_all()
    marking = db.session.scalar(sa.select(Assessment).where(Assessment.assessor_id == colleague.id))
    criteria = criteria_of(marking.submission.portfolio.unit_id)
    review.save_decisions(
        marking,
        {
            c.id: (Decision.NOT_YET, "No ombudsman named.")
            if c.ref == "1.2"
            else (Decision.COMPETENT, "")
            for c in criteria
        },
        overall_feedback="",
        expected_version=marking.version,
        by=colleague,
    )
    review.complete_standardisation(marking, by=colleague)
    db.session.commit()

    page.reload()
    differ = page.get_by_role("region", name="Where they differ")
    expect(differ.get_by_role("heading", level=3)).to_have_text(re.compile(r"^1\.2 "))
    expect(differ).to_contain_text("Cara Reid: Not yet competent. No ombudsman named.")
    expect(
        page.get_by_role("row", name=re.compile(r"^1\.1 Competent Competent 100%"))
    ).to_be_visible()
    # 5 of 6 decisions Competent: one difference in three criteria is below chance (kappa
    # -0.2), the prevalence effect the hint explains.
    expect(page.locator(".card", has_text="Fleiss' kappa")).to_contain_text("-0.20")
    assert_accessible(page)
    page.get_by_role("link", name="Back to standardisation").click()
    expect(page.get_by_role("link", name=f"{LEARNER}, version 1")).to_have_attribute(
        "href", f"/iqa/standardisation/{submission_id}"
    )
    assert_accessible(page)
