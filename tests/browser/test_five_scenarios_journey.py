"""A learner works each bundled scenario other than telecoms (which test_case_journey.py works in
full) from the referral to the customer's reply, in a real browser with CSRF on.

Each run is as short as an honest journey allows: start the case, read the document that
contradicts a stakeholder's misleading account, ask them the question and pin to their answer
what the document shows, choose a remedy within the learner's own authority, write and send the
letter, and read the reply. A remedy within authority leaves out something the customer needs
(for that the learner must ask the manager, which the telecoms journey covers), so each customer
pushes back, naming exactly what is missing; the letter covers everything the customer wants it
to say."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portfolio.casework.models import Case
from portfolio.casework.queries import record_data
from portfolio.casework.reply import PUSHBACK_OPENING
from portfolio.extensions import db
from portfolio.framework.services import import_unit
from portfolio.library.services import import_scenario
from portfolio.roles import Role
from portfolio.scenarios.loader import load_bundle
from portfolio.scenarios.schema import Scenario
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

BUNDLE_DIR = Path(__file__).resolve().parents[2] / "scenarios"
LEARNER_EMAIL = "sam.learner@alpha.test"
SIGN_OFF = "\n\nYours sincerely,\nSam Learner, Complaints specialist"


@dataclass(frozen=True)
class Journey:
    slug: str
    stakeholder: str  # who gives a misleading account...
    question: str  # ...in answer to this question; the document that contradicts it is read
    finding: str
    remedies: tuple[str, ...]  # all within the learner's authority
    total: str
    letter: str
    unmet: tuple[str, ...]  # the customer's requirements the reply pushes back on


JOURNEYS = [
    Journey(
        slug="bank-breathing-space",
        stakeholder="collections-lead",
        question="notification-handling",
        finding="Not so: the SMS log shows nine arrears texts, 24 March to 29 April.",
        remedies=("refund-interest", "contact-hold", "written-apology"),
        total="£38.20",
        letter=(
            "Dear Mr Okafor,\n\nI am sorry. Your breathing space should have stopped our texts "
            "and frozen interest from 3 March. After our systems migration on 22 March it did "
            "neither. I will remove the £38.20 interest, hold all collections contact and send "
            "everything through Ms Mensah.\n\nIf you are unhappy with this response you can "
            "refer your complaint to the Financial Ombudsman Service, free of charge, within six "
            "months of the date of this letter."
        ),
        unmet=("distress-recognised",),
    ),
    Journey(
        slug="energy-back-bill",
        stakeholder="metering-lead",
        question="customer-readings",
        finding="Not so: MeterHub rejected the readings she sent in March and November 2025.",
        remedies=("collections-hold", "affordable-plan", "meter-repair", "goodwill-fault"),
        total="£75.00",
        letter=(
            "Dear Ms Carter,\n\nI am sorry. You sent us readings and reported the meter fault, "
            "and we did not act on either. I have stopped the Direct Debit increase, set up an "
            "affordable plan, booked an engineer for the meter and paid you £75 for the poor "
            "handling. I have also checked the bill against the back-billing rules.\n\nIf you "
            "are still unhappy you can take your complaint to the Energy Ombudsman, free of charge."
        ),
        unmet=("bill-reduced",),
    ),
    Journey(
        slug="insurance-claim-delay",
        stakeholder="claims-handler",
        question="claim-status",
        finding="The report came on 24 July, filed on a re-keyed claim that nobody owned.",
        remedies=("confirm-authority", "written-apology"),
        total="£0.00",
        letter=(
            "Dear Mrs Whitfield,\n\nI am sorry for the delay to your claim, for the updates we "
            "missed and for the explanations you were given on the phone, which were wrong. I "
            "would like to speak to you directly, and to record your consent for Sarah to act "
            "for you.\n\nIf you remain unhappy you can refer your complaint to the Financial "
            "Ombudsman Service, free of charge, within six months of this letter."
        ),
        unmet=("repairs-authorised", "disturbance-paid", "distress-recognised"),
    ),
    Journey(
        slug="retail-faulty-goods",
        stakeholder="swiftfit-manager",
        question="what-happened",
        finding="Not standard: the old inlet hose was reused and no leak test is recorded.",
        remedies=("floor-damage", "goodwill", "replacement-option"),
        total="£210.00",
        letter=(
            "Dear Mr Reeves,\n\nI am sorry. Our installer did not fit your machine properly, and "
            "under the Consumer Rights Act that is our responsibility. I will pay the £180 "
            "flooring quote and £30 for the trouble, and we can install a replacement machine "
            "with a different installer.\n\nIf you are unhappy with this you can ask "
            "RetailResolve, our alternative dispute resolution scheme, to look at your complaint."
        ),
        unmet=("refund-in-full",),
    ),
]


@pytest.fixture(scope="module")
def bundle():
    """The bundled unit and scenarios, parsed once for the module."""
    criteria, specs = load_bundle(BUNDLE_DIR)
    return criteria, {spec.slug: spec for spec in specs}


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER, email=LEARNER_EMAIL, full_name="Sam Learner")


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def saved(page: Page, text: str) -> None:
    """The flashed message (record pages have a second status line, for autosave)."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Case sections").get_by_role(
        "link", name=label, exact=True
    ).click()


def opening(text: str) -> str:
    """The first sentence of a scenario's text, as the page shows it."""
    return " ".join(text.split()).split(". ")[0]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.slug for j in JOURNEYS])
def test_a_learner_works_the_case_to_the_customers_reply(
    page: Page, live_server: str, bundle, learner, journey: Journey
):
    criteria, specs = bundle
    spec: Scenario = specs[journey.slug]
    for unit in criteria:
        import_unit(unit)
    import_scenario(spec, centre=None, publish=True)
    db.session.commit()  # the live server reads the database from another thread
    person = spec.stakeholder(journey.stakeholder)
    question = spec.question(journey.stakeholder, journey.question)
    document = spec.document(question.contradicted_by)
    customer = spec.customer.name
    page.on("dialog", lambda dialog: dialog.accept())  # "Send this letter ... now?"

    page.goto(f"{live_server}/auth/login")
    assert_accessible(page)
    page.get_by_label("Email address").fill(LEARNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    heading(page, "Welcome, Sam Learner")
    assert_accessible(page)

    # Start the case from the library.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scenarios").click()
    assert_accessible(page)
    page.get_by_role("link", name=spec.title).click()
    heading(page, spec.title)
    assert_accessible(page)
    page.get_by_role("button", name="Start this case").click()
    saved(page, "Your case is open.")
    heading(page, f"Referral: {customer}")
    expect(page.get_by_role("region", name="Simulated clock")).to_contain_text(
        f"Day {spec.clock.start_day}"
    )
    assert_accessible(page)

    # Read the document that contradicts the misleading account...
    page.get_by_role("link", name="Open the case file").click()
    heading(page, "Case file")
    assert_accessible(page)
    page.get_by_role("button", name=f"Request {document.title}").click()
    heading(page, document.title)
    expect(page.get_by_label("Document text")).not_to_be_empty()
    assert_accessible(page)

    # ...put the question to the person, and pin what the document shows to their answer.
    nav(page, "Interviews")
    heading(page, "Interviews")
    assert_accessible(page)
    page.get_by_role("button", name=f"Ask {person.name}: {question.text}").click()
    expect(page.get_by_text(" ".join(question.answer.split())[:60])).to_be_visible()
    page.get_by_text("Pin a finding to this answer").click()
    page.get_by_label("Finding", exact=True).fill(journey.finding)
    page.get_by_role("button", name="Pin finding").click()
    saved(page, "Finding pinned.")
    heading(page, "Interviews")

    # A remedy within the learner's own authority.
    nav(page, "Remedy")
    heading(page, "Remedy")
    assert_accessible(page)
    for remedy_id in journey.remedies:
        page.get_by_role("checkbox", name=spec.remedy(remedy_id).label.strip()).check()
    page.get_by_role("button", name="Save remedy").click()
    saved(page, "Saved.")
    authority = page.get_by_role("region", name="Authority")
    expect(authority).to_contain_text(f"Saved remedy total: {journey.total}")
    expect(authority).to_contain_text("This remedy is within your own authority.")

    # The letter, saved and sent.
    nav(page, "Final response")
    heading(page, "Final response letter")
    assert_accessible(page)
    page.get_by_label(f"Your letter to {customer}").fill(journey.letter + SIGN_OFF)
    page.get_by_role("button", name="Save letter").click()
    saved(page, "Saved.")
    page.get_by_role("button", name="Send the response").click()

    # The reply: before the deadline, not accepted, pushing back on exactly what is missing.
    heading(page, "The customer's reply and the outcome")
    first = page.get_by_role("region", name=re.compile("^First response"))
    expect(first).to_contain_text("Sent by the deadline")
    expect(first).to_contain_text(f"{customer} replied")
    expect(first).to_contain_text(PUSHBACK_OPENING)
    expect(first).to_contain_text("Not accepted")
    for requirement in spec.customer_reply.requirements:
        pushback = opening(requirement.pushback)
        if requirement.id in journey.unmet:
            expect(first).to_contain_text(pushback)
        else:
            expect(first).not_to_contain_text(pushback)
    expect(page.get_by_role("link", name="Revise your letter")).to_be_visible()
    assert_accessible(page)

    db.session.expire_all()
    case = db.session.scalar(db.select(Case))
    [finding] = case.findings
    assert (finding.stakeholder_id, finding.question_id) == (person.id, question.id)
    assert finding.text == journey.finding
    [sent] = record_data(case, "correspondence")["rounds"]
    assert sent["unmet"] == list(journey.unmet)
    assert sent["on_time"] and not sent["accepted"]
