"""The marking loop in a real browser: an assessor returns a submission with feedback; the
learner reads it, acknowledges it, improves a mapping and resubmits; the assessor sees what
changed and signs off with name and password. Every page passes axe, with CSRF on."""

import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portfolio.casework import services as casework
from portfolio.evidence import services as evidence
from portfolio.evidence.models import EvidenceItem, Submission, SubmissionStatus
from portfolio.extensions import db
from portfolio.library.models import LibraryScenario
from portfolio.library.services import load_bundled
from portfolio.review import log
from portfolio.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.layout_checks import sideways
from tests.conftest import PASSWORD
from tests.library.conftest import bundle  # noqa: F401  (fixture)

ASSESSOR = "Sam Patel"
LEARNER = "Casey Jones"


@pytest.fixture
def submitted(app, make_centre, make_user, bundle):  # noqa: F811
    """Casey's worked case, its investigation mapped to 1.1, submitted as version 1."""
    centre = make_centre("Alpha Centre")
    assessor = make_user(Role.ASSESSOR, centre, email="sam@alpha.test", full_name=ASSESSOR)
    learner = make_user(
        Role.LEARNER, centre, email="casey@alpha.test", full_name=LEARNER, assessor=assessor
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
    evidence.submit(item.portfolio, declared_name=LEARNER, declared_on=date.today(), by=learner)
    db.session.commit()  # the live server reads the database from another thread
    return item


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


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    assert_accessible(page)


def decide(page: Page, ref: str, decision: str, feedback: str = "") -> None:
    page.get_by_label(f"{decision} ({ref})", exact=True).check()
    if feedback:
        page.get_by_label(f"Feedback on {ref}").fill(feedback)


def test_return_then_sign_off_the_resubmission(page: Page, live_server: str, submitted):
    # --- the assessor returns version 1 ---------------------------------------------------
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    expect(page.get_by_text("1 submission waiting")).to_be_visible()
    nav(page, "Queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment queue")
    page.get_by_role("button", name=re.compile(f"Start marking {LEARNER}, version 1")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Marking: {LEARNER}, version 1")
    expect(page.get_by_text("The retention price was never applied.")).to_be_visible()
    expect(page.get_by_role("heading", name="Marking-point checks")).to_be_visible()
    assert_accessible(page)
    decide(page, "1.1", "Competent")
    decide(page, "1.2", "Not yet competent", "Map your resolution work to 1.2.")
    decide(page, "2.1", "Not yet competent", "Answer the knowledge question.")
    page.get_by_role("button", name="Save decisions").click()
    expect(page.get_by_role("status")).to_contain_text("Your decisions are saved.")
    expect(page.get_by_label("Feedback on 1.2")).to_have_value("Map your resolution work to 1.2.")
    assert_accessible(page)
    # Returning without overall feedback is refused, with the entries kept.
    page.get_by_role("button", name="Save and return for resubmission").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your overall feedback")
    assert_accessible(page)
    page.get_by_label("Overall feedback").fill("A sound investigation. Now evidence 1.2 and 2.1.")
    page.get_by_role("button", name="Save and return for resubmission").click()
    expect(page.get_by_role("status")).to_contain_text(f"Returned to {LEARNER}")
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # --- the learner reads the feedback, acknowledges it, improves and resubmits ----------
    sign_in(page, live_server, "casey@alpha.test", LEARNER)
    expect(page.get_by_role("heading", name="Feedback to act on")).to_be_visible()
    nav(page, "Notifications 1 unread")
    page.get_by_role("button", name=re.compile("returned version 1")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback on version 1")
    expect(page.get_by_text("Map your resolution work to 1.2.")).to_be_visible()
    expect(page.get_by_text("The retention price")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="I have read this feedback").click()
    expect(page.get_by_role("status")).to_contain_text("you have read the feedback")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the portfolio").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Investigation")).first.click()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^1\.2 ")).check()
    page.get_by_label("How this item meets 1.2").fill(
        "My findings show how the complaint was put right."
    )
    page.get_by_label("How this item meets 1.1").fill("My findings and timeline gather it all.")
    page.get_by_label(re.compile(r"^2\.1 ")).check()  # Competent needs evidence
    page.get_by_label("How this item meets 2.1").fill("My findings answer the knowledge question.")
    page.get_by_role("button", name="Save mappings").click()
    expect(page.get_by_role("status")).to_contain_text("Mappings saved.")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the portfolio").click()
    assert_accessible(page)
    page.get_by_role("link", name="Submit a new version").click()
    assert_accessible(page)
    page.get_by_label("Your full name").fill(LEARNER)
    page.get_by_role("button", name="Declare and submit").click()
    expect(page.get_by_role("status")).to_contain_text("Submitted as version 2.")
    assert_accessible(page)
    sign_out(page)

    # --- the assessor sees what changed and signs off -----------------------------------------
    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    nav(page, "Queue")
    page.get_by_role("button", name=re.compile(f"Start marking {LEARNER}, version 2")).click()
    changes = page.get_by_role("region", name="What changed since version 1")
    expect(changes).to_contain_text("1.2")  # newly covered
    expect(changes).to_contain_text("Investigation")
    expect(page.get_by_text("Version 1: Not yet competent")).to_have_count(2)
    assert_accessible(page)
    # on a phone the changed-items table scrolls in its own region, each word whole
    table = "section[aria-labelledby=changes-title] table"
    changed = f"{table} th, {table} td"
    expect(page.locator(table)).to_contain_text("Investigation")
    assert not sideways(page, "what changed", whole=changed)
    for ref in ("1.1", "1.2", "2.1"):
        decide(page, ref, "Competent")
    page.get_by_label("Overall feedback").fill("Every criterion is now met. Well done.")
    page.get_by_role("button", name="Save and continue to sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign off: {LEARNER}, version 2")
    assert_accessible(page)
    page.get_by_label("Your full name").fill(ASSESSOR)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")
    assert_accessible(page)
    page.get_by_label("Your full name").fill(ASSESSOR)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("status")).to_contain_text(f"Signed off {LEARNER}'s unit.")
    assert_accessible(page)
    nav(page, "Caseload")
    row = page.get_by_role("row", name=re.compile(LEARNER))
    expect(row).to_contain_text("3 of 3")
    # the hint under the learner's name reads as a hint, not in the row heading's bold
    hint = row.locator("th .hint").first
    expect(hint).to_contain_text("Version 2 signed off")
    assert hint.evaluate("e => getComputedStyle(e).fontWeight") == "400"
    sign_out(page)

    db.session.expire_all()
    statuses = db.session.scalars(sa.select(Submission.status).order_by(Submission.number)).all()
    assert statuses == [SubmissionStatus.RETURNED, SubmissionStatus.SIGNED_OFF]
    assert log.verify().ok


def test_assessor_records_evidence_and_corrects_a_decision(page: Page, live_server: str, submitted):
    from portfolio.accounts.models import User
    from portfolio.review import services
    from portfolio.review.models import Decision

    assessor = db.session.scalar(sa.select(User).where(User.email == "sam@alpha.test"))
    submission = db.session.scalar(sa.select(Submission))
    assessment = services.open_assessment(submission, by=assessor)
    criteria = services.unit_criteria(submission.portfolio)
    services.save_decisions(
        assessment,
        {c.id: (Decision.NOT_YET, f"More on {c.ref}.") for c in criteria},
        overall_feedback="Keep going.",
        expected_version=None,
    )
    services.return_for_resubmission(assessment, by=assessor)
    db.session.commit()

    sign_in(page, live_server, "sam@alpha.test", ASSESSOR)
    page.goto(f"{live_server}/assess/submissions/{submission.id}")
    expect(page.get_by_text("Decisions are final")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Correct the decision on 1.1").click()
    page.get_by_role("group", name="Corrected decision (1.1)").get_by_label(
        "Competent", exact=True
    ).check()
    page.get_by_role("button", name="Record the correction").first.click()
    expect(page.get_by_role("alert")).to_contain_text("Say why the decision is being corrected")
    assert_accessible(page)
    page.get_by_label("Reason for the correction").first.fill("The findings do gather it all.")
    page.get_by_role("button", name="Record the correction").first.click()
    expect(page.get_by_role("status")).to_contain_text("correction to 1.1 is on the decision log")
    expect(
        page.get_by_text("Reason for the correction: The findings do gather it all.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a discussion, observation or questioning").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record assessor evidence")
    assert_accessible(page)
    page.get_by_label("Professional discussion").check()
    page.get_by_label("Record").fill("We discussed the stages of the complaints procedure.")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("status")).to_contain_text("Now map it to the criteria")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^2\.1 ")).check()
    page.get_by_label("How this item meets 2.1").fill("Described each stage and its timescale.")
    page.get_by_role("button", name="Save mappings").click()
    expect(page.get_by_role("status")).to_contain_text("Mappings saved.")
    assert_accessible(page)
    nav(page, "Notifications")
    # The one notice is the learner's submission arriving, with a link to its bench.
    expect(page.locator(".notification")).to_have_count(1)
    expect(page.locator(".notification")).to_contain_text(
        "submitted version 1 of their portfolio: it is waiting for you to mark."
    )
    assert_accessible(page)
